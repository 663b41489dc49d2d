using Scorpius.ServiceDefaults.Security;
using System.Security.Claims;
using OpenIddict.Abstractions;
using Scorpius.AuthProxy.ApiKeys;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.Policy;

public static partial class AuthorizeEndpoints
{
    public static IEndpointRouteBuilder MapAuthorizeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/authorize", AuthorizeAsync).WithTags("Policy").RequirePrincipal("Every service and integration asks the decision point; the answer concerns the request's subject, and is audited.");
        app.MapGet("/v1/policies", (PolicyDecisionPoint pdp) => new { version = pdp.Version, settings = pdp.Settings })
            .WithTags("Policy").RequirePrincipal("The policy settings are not secret to principals of the platform; changing them needs policies:write.");
        // The decision point serves the whole platform: only the platform operator changes its policy.
        app.MapPut("/v1/policies", ReplacePolicyAsync).WithTags("Policy").RequireScope(Scorpius.Contracts.Permissions.PoliciesWrite).RequirePlatformTenant();
        return app;
    }

    /// <summary>Every decision is audited; if the audit event cannot be published the answer is a deny (fail closed).</summary>
    private static async Task<AuthorizeResponse> AuthorizeAsync(AuthorizeRequest request, ClaimsPrincipal caller, PolicyDecisionPoint pdp,
        AuditPublisher audit, ILoggerFactory loggers, CancellationToken ct)
    {
        var decision = pdp.Decide(request);
        try
        {
            await audit.PublishAsync(request.Resource.TenantId, request.Subject.Id, "authorize:" + request.Action,
                $"{request.Resource.Type}/{request.Resource.Id}", decision.Decision == Decision.Permit ? "permit" : "deny", decision.Rule,
                new Dictionary<string, string>
                {
                    ["caller"] = caller.GetClaim(Claims.Subject) ?? "",
                    ["cached"] = decision.Cached ? "true" : "false",
                    ["policyVersion"] = decision.PolicyVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                }, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAuditFailed(loggers.CreateLogger(typeof(AuthorizeEndpoints)), ex);
            return decision with { Decision = Decision.Deny, Rule = "audit-unavailable" };
        }
        return decision;
    }

    private static async Task<IResult> ReplacePolicyAsync(PolicySettings settings, ClaimsPrincipal caller, PolicyDecisionPoint pdp, PolicySettingsStore store,
        AuditPublisher audit, CancellationToken ct)
    {
        await store.SaveAsync(settings, caller.GetClaim(Claims.Subject) ?? "unknown", ct);
        await audit.PublishAsync(ApiKeyEndpoints.TenantOf(caller), caller.GetClaim(Claims.Subject)!, "policy.replace", "policy/abac", "success", null,
            new Dictionary<string, string> { ["version"] = pdp.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) }, ct);
        return Results.Ok(new { version = pdp.Version, settings = pdp.Settings });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not publish a policy decision on the audit topic; answering deny")]
    private static partial void LogAuditFailed(ILogger logger, Exception exception);
}
