using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Scorpius.AuthProxy.Identity;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.Tokens;

/// <summary>The token endpoint (passthrough): OpenIddict has already authenticated the client and checked grant and scopes.</summary>
public static class TokenEndpoints
{
    public const string Token = "/connect/token";
    public const string Introspection = "/connect/introspect";
    public const string Revocation = "/connect/revoke";

    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(Token, IssueAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> IssueAsync(HttpContext context, IOpenIddictApplicationManager applications,
        Microsoft.Extensions.Options.IOptions<AuthProxyOptions> options, CancellationToken cancellationToken)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (!request.IsClientCredentialsGrantType()) return Reject(Errors.UnsupportedGrantType, "Only the client credentials grant is enabled.");

        var application = await applications.FindByClientIdAsync(request.ClientId!, cancellationToken)
            ?? throw new InvalidOperationException("The client was authenticated but is unknown.");
        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        if (!properties.TryGetValue(ScorpiusClaims.TenantId, out var tenant) || tenant.GetString() is not { Length: > 0 } tenantId)
            return Reject(Errors.InvalidClient, "The client belongs to no tenant.");

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, request.ClientId);
        identity.SetClaim(Claims.Name, await applications.GetDisplayNameAsync(application, cancellationToken));
        identity.SetClaim(ScorpiusClaims.TenantId, tenantId);

        // No scope asked for: grant every scope the client is permitted (OpenIddict has rejected any scope it is not).
        var scopes = request.GetScopes();
        if (scopes.IsDefaultOrEmpty)
        {
            scopes = [.. (await applications.GetPermissionsAsync(application, cancellationToken))
                .Where(p => p.StartsWith(OpenIddictConstants.Permissions.Prefixes.Scope, StringComparison.Ordinal))
                .Select(p => p[OpenIddictConstants.Permissions.Prefixes.Scope.Length..])];
        }
        identity.SetScopes(scopes);
        // The client presents the token; the platform's resource servers receive it (and may introspect it with full claims).
        identity.SetPresenters(request.ClientId!);
        identity.SetAudiences([.. options.Value.Audiences]);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult Reject(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
