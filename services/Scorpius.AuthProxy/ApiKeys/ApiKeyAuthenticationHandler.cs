using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.ApiKeys;

/// <summary>
/// Authenticates an API key (<see cref="AuthSchemes.PresentedApiKey"/>) into the same claims an access token carries:
/// <c>sub</c> = <c>api-key:{id}</c>, <c>tenant_id</c>, the scopes, and the expiry.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (AuthSchemes.PresentedApiKey(Request) is not { } presented) return AuthenticateResult.NoResult();
        var key = await Context.RequestServices.GetRequiredService<ApiKeyService>().ValidateAsync(presented, Context.RequestAborted);
        if (key is null) return AuthenticateResult.Fail("The API key is not valid.");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(PrincipalOf(key)), Scheme.Name));
    }

    internal static ClaimsIdentity PrincipalOf(Identity.ApiKey key)
    {
        var identity = new ClaimsIdentity(AuthSchemes.ApiKey, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, $"api-key:{key.Id}");
        identity.SetClaim(ScorpiusClaims.TenantId, key.TenantId);
        identity.SetClaim(ScorpiusClaims.Scope, key.Scopes);
        identity.SetScopes(key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        identity.SetExpirationDate(key.ExpiresAt);
        return identity;
    }
}
