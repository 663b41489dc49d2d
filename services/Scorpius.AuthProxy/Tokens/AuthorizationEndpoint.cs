using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using Scorpius.AuthProxy.Identity;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.Tokens;

/// <summary>
/// <c>/connect/authorize</c> (passthrough; OpenIddict has checked client, redirect URI, PKCE and scopes). The user must already
/// hold a cookie session from <c>POST /v1/login</c>: without one the answer is a 401 problem (or <c>login_required</c> to the
/// redirect URI when <c>prompt=none</c>). The code carries the requested scopes cut down to what the user's roles grant.
/// </summary>
public static class AuthorizationEndpoint
{
    internal static async Task<IResult> AuthorizeAsync(HttpContext context, AuthDbContext db, CancellationToken cancellationToken)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var session = await context.AuthenticateAsync(AuthSchemes.Session);
        var userId = session.Succeeded ? session.Principal.GetClaim(Claims.Subject) : null;
        var user = userId is null ? null : await db.Users.FindAsync([userId], cancellationToken);
        if (user is null || user.Disabled)
        {
            if (request.HasPromptValue(PromptValues.None)) return TokenEndpoints.Reject(Errors.LoginRequired, "The user is not logged in.");
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Login required",
                detail: "Log in with POST /v1/login (and /v1/login/mfa) first; the cookie session it sets authorizes this request.");
        }
        var catalog = await TenantRoles.CatalogAsync(db, user.TenantId, cancellationToken);
        var identity = TokenClaims.ForUser(user, catalog, request.GetScopes(), session.Principal!.GetClaims(Claims.AuthenticationMethodReference), request.ClientId!);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
