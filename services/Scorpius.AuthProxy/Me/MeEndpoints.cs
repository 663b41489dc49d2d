using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using Scorpius.ServiceDefaults.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.Me;

/// <summary>What a credential is: <c>kind</c> is <c>access_token</c> or <c>api_key</c>; <c>exp</c> in Unix seconds.</summary>
public sealed record MeResponse(
    bool Active,
    string Kind,
    string Sub,
    [property: JsonPropertyName("tenant_id")] string TenantId,
    string Scope,
    IReadOnlyList<string> Roles,
    long Exp);

/// <summary>
/// <c>GET /v1/me</c>: how every app learns (through Dapr service invocation) whether a credential is still active. Accepts an
/// access token of this server (revoked tokens and tokens of a revoked family are refused) or an API key. Any failure is the
/// same 401 problem.
/// </summary>
public static class MeEndpoints
{
    public const string AccessToken = "access_token", ApiKey = "api_key";

    public static IEndpointRouteBuilder MapMeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/me", DescribeAsync).WithTags("Credentials").Produces<MeResponse>()
            .AllowPublic("Credential self-description: authenticates the presented token or API key itself and answers 401 problems.").ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static async Task<IResult> DescribeAsync(HttpContext context, TimeProvider clock)
    {
        var result = await AuthSchemes.AuthenticateApiAsync(context);
        var principal = result.Succeeded ? result.Principal : null;
        var sub = principal?.GetClaim(Claims.Subject);
        var tenant = principal?.GetClaim(ScorpiusClaims.TenantId);
        var expires = principal?.GetExpirationDate();
        if (principal is null || sub is null || tenant is null || expires is null || expires <= clock.GetUtcNow())
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "The credential is not active.");
        var kind = result.Ticket!.AuthenticationScheme == AuthSchemes.ApiKey ? ApiKey : AccessToken;
        return Results.Ok(new MeResponse(true, kind, sub, tenant, string.Join(' ', principal.GetScopes()), [.. principal.GetClaims(Claims.Role)],
            expires.Value.ToUnixTimeSeconds()));
    }
}
