using Dapr.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using Scorpius.AuthProxy.Identity;
using Scorpius.AuthProxy.Keys;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.Bootstrap;

/// <summary>
/// Everything the token server needs before its first request: keys from the secret store, the schema, the clients.
/// Done on the first identity request (and retried until it succeeds), never at startup, so health and metrics answer
/// while the sidecar or the database is still missing.
/// </summary>
public sealed partial class AuthBootstrap(
    SigningKeyRing keys, Mfa.SecretBox dataKey, DaprClient dapr, IServiceScopeFactory scopes, IOptions<AuthProxyOptions> options, ILogger<AuthBootstrap> logger)
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile bool ready;

    public bool IsReady => ready;

    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (ready) return;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (ready) return;
            var secret = await keys.LoadAsync(dapr, cancellationToken);
            dataKey.Load(secret);
            if (!dataKey.IsAvailable) LogNoDataKey(logger);
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            await db.Database.EnsureCreatedAsync(cancellationToken);
            // Decide with the stored policy from the first request on.
            await scope.ServiceProvider.GetRequiredService<Policy.PolicySettingsStore>().SyncAsync(cancellationToken);
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            foreach (var client in options.Value.Clients.Concat(options.Value.ServiceClients))
            {
                if (!secret.TryGetValue(SigningKeyRing.ClientSecretPrefix + client.ClientId, out var clientSecret) || clientSecret.Length == 0)
                {
                    LogClientWithoutSecret(logger, client.ClientId);
                    continue;
                }
                await RegisterClientAsync(applications, db, client, clientSecret, cancellationToken);
            }
            await RegisterDashboardAsync(applications, options.Value.Dashboard, cancellationToken);
            ready = true;
        }
        finally
        {
            gate.Release();
        }
    }

    internal static async Task RegisterClientAsync(IOpenIddictApplicationManager applications, AuthDbContext db, ClientRegistration client, string clientSecret, CancellationToken cancellationToken)
    {
        if (client.Scopes.FirstOrDefault(s => !Scorpius.Contracts.Permissions.IsKnown(s)) is { } unknown)
            throw new InvalidOperationException($"Client '{client.ClientId}' asks for unknown scope '{unknown}'.");
        if (!client.ResourceServer && await db.Tenants.FindAsync([client.TenantId], cancellationToken) is null)
        {
            db.Tenants.Add(new Tenant { Id = client.TenantId, Name = client.TenantId, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync(cancellationToken);
        }
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = clientSecret,
            ClientType = ClientTypes.Confidential,
            DisplayName = client.DisplayName ?? client.ClientId,
        };
        descriptor.Permissions.Add(OpenIddictConstants.Permissions.Endpoints.Introspection);
        if (!client.ResourceServer)
        {
            descriptor.Permissions.Add(OpenIddictConstants.Permissions.Endpoints.Token);
            descriptor.Permissions.Add(OpenIddictConstants.Permissions.Endpoints.Revocation);
            descriptor.Permissions.Add(OpenIddictConstants.Permissions.GrantTypes.ClientCredentials);
        }
        foreach (var scope in client.Scopes) descriptor.Permissions.Add(OpenIddictConstants.Permissions.Prefixes.Scope + scope);
        descriptor.Properties[ScorpiusClaims.TenantId] = System.Text.Json.JsonSerializer.SerializeToElement(client.TenantId);

        var existing = await applications.FindByClientIdAsync(client.ClientId, cancellationToken);
        if (existing is null) await applications.CreateAsync(descriptor, cancellationToken);
        else await applications.UpdateAsync(existing, descriptor, cancellationToken);
    }

    /// <summary>The dashboard: a public client (no secret) of the authorization code flow with PKCE and refresh tokens.</summary>
    internal static async Task RegisterDashboardAsync(IOpenIddictApplicationManager applications, DashboardOptions dashboard, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = dashboard.ClientId,
            ClientType = ClientTypes.Public,
            DisplayName = "Scorpius dashboard",
        };
        foreach (var uri in dashboard.EffectiveRedirectUris) descriptor.RedirectUris.Add(uri);
        descriptor.Permissions.UnionWith([
            OpenIddictConstants.Permissions.Endpoints.Authorization, OpenIddictConstants.Permissions.Endpoints.Token,
            OpenIddictConstants.Permissions.Endpoints.Revocation,
            OpenIddictConstants.Permissions.GrantTypes.AuthorizationCode, OpenIddictConstants.Permissions.GrantTypes.RefreshToken,
            OpenIddictConstants.Permissions.ResponseTypes.Code,
            OpenIddictConstants.Permissions.Scopes.Email, OpenIddictConstants.Permissions.Scopes.Profile,
            OpenIddictConstants.Permissions.Prefixes.Scope + Scopes.OpenId, OpenIddictConstants.Permissions.Prefixes.Scope + Scopes.OfflineAccess,
            .. Scorpius.Contracts.Permissions.All.Select(p => OpenIddictConstants.Permissions.Prefixes.Scope + p)]);
        descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        var existing = await applications.FindByClientIdAsync(dashboard.ClientId, cancellationToken);
        if (existing is null) await applications.CreateAsync(descriptor, cancellationToken);
        else await applications.UpdateAsync(existing, descriptor, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The auth-proxy secret has no valid 'data-key' (base64, 32 bytes): MFA enrolment answers 503")]
    private static partial void LogNoDataKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client {ClientId} is configured but the auth-proxy secret has no client secret for it; skipped")]
    private static partial void LogClientWithoutSecret(ILogger logger, string clientId);
}

/// <summary>Holds identity requests until <see cref="AuthBootstrap"/> is done; answers 503 while the secret store or database is unavailable.</summary>
public sealed partial class AuthBootstrapMiddleware(RequestDelegate next, AuthBootstrap bootstrap, ILogger<AuthBootstrapMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await bootstrap.EnsureReadyAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNotReady(logger, ex);
            await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "auth-proxy is not ready",
                detail: "The signing keys or the identity store are not available yet.").ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "auth-proxy could not load its keys or identity store")]
    private static partial void LogNotReady(ILogger logger, Exception exception);
}
