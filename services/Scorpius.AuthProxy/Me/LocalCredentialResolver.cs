using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using Scorpius.ServiceDefaults.Security;

namespace Scorpius.AuthProxy.Me;

/// <summary>
/// The token server resolves credentials itself (other apps ask it through Dapr): the shared <c>Scorpius</c> scheme of
/// ServiceDefaults lands here and is answered by <see cref="AuthSchemes.Api"/> (OpenIddict validation with token entry
/// checks, or the API key store), with the space-separated <c>scope</c> claim the shared scope policies read.
/// </summary>
public sealed class LocalCredentialResolver : ICredentialResolver
{
    public async Task<CredentialResult> ResolveAsync(HttpContext context, Credential credential, CancellationToken cancellationToken)
    {
        var result = await AuthSchemes.AuthenticateApiAsync(context);
        if (!result.Succeeded) return CredentialResult.Fail("The credential is not active.");
        var identity = new ClaimsIdentity(result.Principal.Claims.Where(c => c.Type is not (ScorpiusClaims.Scope or ScorpiusAuth.CredentialKindClaim)),
            ScorpiusAuth.CredentialScheme, ScorpiusClaims.Subject, ScorpiusClaims.Role);
        identity.AddClaim(new Claim(ScorpiusClaims.Scope, string.Join(' ', result.Principal.GetScopes())));
        identity.AddClaim(new Claim(ScorpiusAuth.CredentialKindClaim, result.Ticket.AuthenticationScheme == AuthSchemes.ApiKey ? MeEndpoints.ApiKey : MeEndpoints.AccessToken));
        return CredentialResult.Success(new ClaimsPrincipal(identity));
    }
}
