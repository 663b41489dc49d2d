using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;

namespace Scorpius.AuthProxy;

/// <summary>The authentication schemes of auth-proxy's own API.</summary>
public static class AuthSchemes
{
    /// <summary>The cookie session a completed login sets; used by the authorization endpoint and MFA enrolment.</summary>
    public const string Session = "Scorpius.Session";

    /// <summary>An API key in <c>X-Api-Key</c> or as <c>Authorization: Bearer scp_…</c>.</summary>
    public const string ApiKey = "ApiKey";

    /// <summary>Forwards to <see cref="ApiKey"/> when an API key is presented, otherwise to OpenIddict's access token validation.</summary>
    public const string Api = "Scorpius.Api";

    public const string Bearer = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;

    public const string ApiKeyHeader = "X-Api-Key";
    public const string ApiKeyPrefix = "scp_";

    public static string? PresentedApiKey(HttpRequest request)
    {
        if (request.Headers[ApiKeyHeader].ToString() is { Length: > 0 } header) return header.Trim();
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer " + ApiKeyPrefix, StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    /// <summary>How far a token's <c>nbf</c> may lie in the future (clock differences between replicas).</summary>
    public static readonly TimeSpan NotBeforeSkew = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Authenticates the presented access token or API key (<see cref="Api"/>), and refuses what OpenIddict's validation
    /// lets through: an access token that is not yet valid (OpenIddict checks <c>exp</c> only) or that has no entry in the
    /// token store (every token this server issues has one; a token without one was not issued here).
    /// </summary>
    public static async Task<AuthenticateResult> AuthenticateApiAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(Api);
        if (!result.Succeeded || result.Ticket.AuthenticationScheme == ApiKey) return result;
        if (string.IsNullOrEmpty(result.Principal.GetTokenId())) return AuthenticateResult.Fail("The access token has no entry in the token store.");
        var raw = context.Request.Headers.Authorization.ToString();
        if (!raw.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("No bearer token.");
        try
        {
            var jwt = new JsonWebTokenHandler().ReadJsonWebToken(raw["Bearer ".Length..].Trim());
            var clock = context.RequestServices.GetRequiredService<TimeProvider>();
            if (jwt.ValidFrom > clock.GetUtcNow().UtcDateTime + NotBeforeSkew) return AuthenticateResult.Fail("The access token is not valid yet.");
        }
        catch (ArgumentException)
        {
            return AuthenticateResult.Fail("The access token is not a JWT.");
        }
        return result;
    }
}
