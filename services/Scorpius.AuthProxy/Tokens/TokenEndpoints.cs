using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Scorpius.AuthProxy.Identity;
using Scorpius.AuthProxy.RateLimiting;
using Scorpius.ServiceDefaults.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.Tokens;

/// <summary>
/// The token endpoint (passthrough): OpenIddict has already authenticated the client and checked grant, scopes, PKCE and the
/// code or refresh token (a reused refresh token has already revoked its whole family). This adds the claims.
/// </summary>
public static class TokenEndpoints
{
    public const string Token = "/connect/token";
    public const string Introspection = "/connect/introspect";
    public const string Revocation = "/connect/revoke";
    public const string Authorization = "/connect/authorize";

    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(Token, IssueAsync).ExcludeFromDescription().RequireRateLimiting(RateLimits.Token)
            .AllowPublic("OAuth 2.0 token endpoint: OpenIddict authenticates the client or the code/refresh token itself.");
        app.MapMethods(Authorization, [HttpMethods.Get, HttpMethods.Post], AuthorizationEndpoint.AuthorizeAsync).ExcludeFromDescription()
            .AllowPublic("OAuth 2.0 authorization endpoint: authenticates the cookie session of a completed login itself.");
        return app;
    }

    private static async Task<IResult> IssueAsync(HttpContext context, IOpenIddictApplicationManager applications, AuthDbContext db, CancellationToken cancellationToken)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (request.IsClientCredentialsGrantType()) return await ClientCredentialsAsync(request, applications, cancellationToken);
        if (!request.IsAuthorizationCodeGrantType() && !request.IsRefreshTokenGrantType())
            return Reject(Errors.UnsupportedGrantType, "The grant type is not supported.");

        // The principal stored in the code or refresh token; the user is read again so a disabled user or a removed role stops here.
        var stored = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var userId = stored?.GetClaim(Claims.Subject);
        var user = userId is null ? null : await db.Users.FindAsync([userId], cancellationToken);
        if (stored is null || user is null || user.Disabled) return Reject(Errors.InvalidGrant, "The user may no longer sign in.");
        var catalog = await TenantRoles.CatalogAsync(db, user.TenantId, cancellationToken);
        var identity = TokenClaims.ForUser(user, catalog, stored.GetScopes(), stored.GetClaims(Claims.AuthenticationMethodReference), request.ClientId!);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> ClientCredentialsAsync(OpenIddictRequest request, IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(request.ClientId!, cancellationToken)
            ?? throw new InvalidOperationException("The client was authenticated but is unknown.");
        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        if (!properties.TryGetValue(ScorpiusClaims.TenantId, out var tenant) || tenant.GetString() is not { Length: > 0 } tenantId)
            return Reject(Errors.InvalidClient, "The client belongs to no tenant.");

        // No scope asked for: grant every scope the client is permitted (OpenIddict has rejected any scope it is not).
        var scopes = request.GetScopes();
        if (scopes.IsDefaultOrEmpty)
        {
            scopes = [.. (await applications.GetPermissionsAsync(application, cancellationToken))
                .Where(p => p.StartsWith(OpenIddictConstants.Permissions.Prefixes.Scope, StringComparison.Ordinal))
                .Select(p => p[OpenIddictConstants.Permissions.Prefixes.Scope.Length..])];
        }
        var identity = TokenClaims.ForClient(request.ClientId!, await applications.GetDisplayNameAsync(application, cancellationToken), tenantId, scopes);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    internal static IResult Reject(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
