using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Dapr.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Scorpius.Contracts;

namespace Scorpius.ServiceDefaults.Security;

/// <summary>
/// This app's own access token, for calls to other apps: the client credentials grant at auth-proxy (through Dapr
/// invocation) with client id = app id and the secret <c>service-credentials/{appId}</c> from the secret store. The
/// principal belongs to the <see cref="ScorpiusTenants.Platform"/> tenant with the scopes auth-proxy grants the app.
/// Cached until a minute before it expires.
/// </summary>
public sealed class ServiceTokens(AuthorityClient authority, DaprClient dapr, ScorpiusApp app, TimeProvider clock)
{
    public const string SecretName = "service-credentials";
    private readonly SemaphoreSlim gate = new(1, 1);
    private (string Token, DateTimeOffset RenewAt)? current;

    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        if (current is { } known && clock.GetUtcNow() < known.RenewAt) return known.Token;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (current is { } again && clock.GetUtcNow() < again.RenewAt) return again.Token;
            var secrets = await dapr.GetSecretAsync(DaprNames.SecretStore, SecretName, cancellationToken: cancellationToken);
            if (!secrets.TryGetValue(app.AppId, out var secret) || secret.Length == 0)
                throw new InvalidOperationException($"The secret '{SecretName}' has no entry '{app.AppId}': this app cannot call other apps.");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials", ["client_id"] = app.AppId, ["client_secret"] = secret,
                }),
            };
            using var response = await authority.SendAsync(request, cancellationToken);
            response.EnsureSuccessStatusCode();
            var issued = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
                ?? throw new InvalidOperationException("auth-proxy answered the token request with nothing.");
            var lifetime = TimeSpan.FromSeconds(Math.Max(issued.ExpiresIn, 0));
            current = (issued.AccessToken, clock.GetUtcNow() + (lifetime > TimeSpan.FromMinutes(2) ? lifetime - TimeSpan.FromMinutes(1) : lifetime / 2));
            return issued.AccessToken;
        }
        finally
        {
            gate.Release();
        }
    }

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string AccessToken, [property: JsonPropertyName("expires_in")] long ExpiresIn);
}

/// <summary>Adds this app's service token (and the sidecar's API token) to every request it sends to another app.</summary>
public sealed class ServiceTokenHandler(ServiceTokens tokens, string daprApiToken) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization ??= new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(cancellationToken));
        if (daprApiToken.Length > 0) request.Headers.TryAddWithoutValidation("dapr-api-token", daprApiToken);
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>HttpClients that call another app through Dapr service invocation, as this app (its service token).</summary>
public sealed class ServiceInvoker(IConfiguration configuration, IServiceProvider services) : IDisposable
{
    private readonly Dictionary<string, HttpClient> clients = new(StringComparer.Ordinal);

    /// <summary>A client whose base address is the target app: <c>GetAsync("/v1/...")</c> reaches <paramref name="appId"/>.</summary>
    public HttpClient For(string appId)
    {
        lock (clients)
        {
            if (clients.TryGetValue(appId, out var known)) return known;
            var invocation = new InvocationHandler
            {
                InnerHandler = new SocketsHttpHandler(),
                DaprEndpoint = DaprEndpoints.HttpEndpoint(configuration),
            };
            var client = new HttpClient(new ServiceTokenHandler(services.GetRequiredService<ServiceTokens>(), DaprEndpoints.ApiToken(configuration)) { InnerHandler = invocation })
            {
                BaseAddress = new Uri($"http://{appId}"),
                Timeout = TimeSpan.FromSeconds(15),
            };
            clients[appId] = client;
            return client;
        }
    }

    public void Dispose()
    {
        lock (clients) foreach (var client in clients.Values) client.Dispose();
    }
}
