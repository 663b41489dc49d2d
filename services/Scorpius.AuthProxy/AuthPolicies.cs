using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using Scorpius.AuthProxy.Identity;

namespace Scorpius.AuthProxy;

/// <summary>Authorization policies of auth-proxy's own API: a valid access token of this server, with a scope.</summary>
public static class AuthPolicies
{
    public const string Authenticated = "authenticated";
    public const string UsersManage = Permissions.UsersManage;
    public const string PoliciesWrite = Permissions.PoliciesWrite;

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(Authenticated, Bearer().Build());
        options.AddPolicy(UsersManage, Bearer().RequireAssertion(c => c.User.HasScope(Permissions.UsersManage)).Build());
        options.AddPolicy(PoliciesWrite, Bearer().RequireAssertion(c => c.User.HasScope(Permissions.PoliciesWrite)).Build());
    }

    private static AuthorizationPolicyBuilder Bearer() => new AuthorizationPolicyBuilder(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
        .RequireAuthenticatedUser()
        .RequireClaim(ScorpiusClaims.TenantId);
}
