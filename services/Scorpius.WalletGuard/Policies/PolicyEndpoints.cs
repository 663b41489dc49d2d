using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;
using Scorpius.WalletGuard.Wallets;

namespace Scorpius.WalletGuard.Policies;

/// <summary>The caller tenant's policy (<c>/v1/policies</c>) and each protected wallet's (<c>/v1/wallets/{walletId}/policy</c>).</summary>
public static class PolicyEndpoints
{
    public static IEndpointRouteBuilder MapPolicyEndpoints(this IEndpointRouteBuilder app)
    {
        var tenant = app.MapGroup("v1/policies").WithTags("Policies");
        tenant.MapGet("", GetTenantPolicyAsync).WithName("GetTenantPolicy").RequireScope(Permissions.WalletsRead)
            .WithSummary("The tenant's policy")
            .WithDescription("Ordered rules applied after the detectors to every assessment of the tenant, after the rules of the wallet concerned.");
        tenant.MapPut("", PutTenantPolicyAsync).WithName("PutTenantPolicy").RequireScope(Permissions.PoliciesWrite)
            .WithSummary("Replace the tenant's policy")
            .WithDescription("Replaces every rule; an empty rules array clears the policy. Invalid rules are a validation problem keyed by field path.");

        var wallet = app.MapGroup("v1/wallets/{walletId}/policy").WithTags("Policies");
        wallet.MapGet("", GetWalletPolicyAsync).WithName("GetWalletPolicy").RequireScope(Permissions.WalletsRead)
            .WithSummary("A protected wallet's policy")
            .WithDescription("Rules evaluated before the tenant's for the assessments of this wallet.");
        wallet.MapPut("", PutWalletPolicyAsync).WithName("PutWalletPolicy").RequireScope(Permissions.PoliciesWrite)
            .WithSummary("Replace a protected wallet's policy")
            .WithDescription("Replaces every rule of the wallet's policy; an empty rules array clears it.");
        return app;
    }

    public sealed record Services(PolicyStore Policies, WalletStore Wallets, TimeProvider Time);

    public static async Task<Ok<PolicyDocument>> GetTenantPolicyAsync(ClaimsPrincipal user, [AsParameters] Services s, CancellationToken cancellationToken) =>
        TypedResults.Ok(await s.Policies.GetTenantPolicyAsync(user.TenantId(), cancellationToken));

    public static async Task<Results<Ok<PolicyDocument>, ValidationProblem>> PutTenantPolicyAsync(
        PolicyBody body, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        var rules = PolicyValidator.Validate(body, out var errors);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The policy is not valid");
        var policy = new PolicyDocument(rules, s.Time.GetUtcNow());
        await s.Policies.SaveTenantPolicyAsync(user.TenantId(), policy, cancellationToken);
        return TypedResults.Ok(policy);
    }

    public static async Task<Results<Ok<PolicyDocument>, ProblemHttpResult>> GetWalletPolicyAsync(
        string walletId, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        var tenantId = user.TenantId();
        if (await s.Wallets.GetAsync(tenantId, walletId, cancellationToken) is null) return WalletEndpoints.NotFound(walletId);
        return TypedResults.Ok(await s.Policies.GetWalletPolicyAsync(tenantId, walletId, cancellationToken));
    }

    public static async Task<Results<Ok<PolicyDocument>, ValidationProblem, ProblemHttpResult>> PutWalletPolicyAsync(
        string walletId, PolicyBody body, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        var tenantId = user.TenantId();
        if (await s.Wallets.GetAsync(tenantId, walletId, cancellationToken) is null) return WalletEndpoints.NotFound(walletId);
        var rules = PolicyValidator.Validate(body, out var errors);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The policy is not valid");
        var policy = new PolicyDocument(rules, s.Time.GetUtcNow());
        await s.Policies.SaveWalletPolicyAsync(tenantId, walletId, policy, cancellationToken);
        return TypedResults.Ok(policy);
    }
}
