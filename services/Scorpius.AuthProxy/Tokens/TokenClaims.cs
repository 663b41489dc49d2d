using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using Scorpius.AuthProxy.Identity;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.Tokens;

/// <summary>
/// The claims of the principals auth-proxy signs in. Every access token carries <c>sub</c>, <c>tenant_id</c>, the scopes and
/// every platform app as audience; a user's tokens also carry <c>role</c> (one claim per role), <c>amr</c>, <c>name</c> and <c>email</c>.
/// </summary>
public static class TokenClaims
{
    /// <summary>Standard OpenID Connect scopes a user may always ask for, beside the permissions their roles grant.</summary>
    public static IReadOnlyList<string> StandardScopes { get; } = [Scopes.OpenId, Scopes.OfflineAccess, Scopes.Profile, Scopes.Email];

    public static ClaimsIdentity ForClient(string clientId, string? displayName, string tenantId, IEnumerable<string> scopes)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, clientId);
        identity.SetClaim(Claims.Name, displayName);
        identity.SetClaim(ScorpiusClaims.TenantId, tenantId);
        identity.SetScopes(scopes);
        identity.SetPresenters(clientId);
        Finish(identity);
        return identity;
    }

    /// <summary>A user's identity with the requested scopes cut down to what their roles grant now.</summary>
    public static ClaimsIdentity ForUser(User user, RoleCatalog catalog, IEnumerable<string> requestedScopes, IEnumerable<string> amr, string clientId)
    {
        var allowed = TenantRoles.ScopesOf(catalog, user.RoleList);
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, user.Id);
        identity.SetClaim(Claims.Name, user.DisplayName.Length > 0 ? user.DisplayName : user.Email);
        identity.SetClaim(Claims.Email, user.Email);
        identity.SetClaim(ScorpiusClaims.TenantId, user.TenantId);
        identity.SetClaims(Claims.Role, [.. user.RoleList]);
        identity.SetClaims(Claims.AuthenticationMethodReference, [.. amr.Distinct(StringComparer.Ordinal)]);
        identity.SetScopes(requestedScopes.Where(s => allowed.Contains(s) || StandardScopes.Contains(s)).Distinct(StringComparer.Ordinal));
        identity.SetPresenters(clientId);
        Finish(identity);
        return identity;
    }

    private static ClaimsIdentity NewIdentity() => new(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);

    private static void Finish(ClaimsIdentity identity)
    {
        identity.SetAudiences([.. AuthDefaults.Audiences]);
        identity.SetDestinations(claim => claim.Type switch
        {
            // The identity token (dashboard only) describes the user; the access token carries everything resource servers need.
            Claims.Subject or Claims.Name or Claims.Email or ScorpiusClaims.TenantId or Claims.Role or Claims.AuthenticationMethodReference
                => [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
    }
}
