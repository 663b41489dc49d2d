using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;
using Scorpius.WalletGuard.Policies;

namespace Scorpius.WalletGuard.Wallets;

/// <summary>The caller tenant's protected wallets: <c>/v1/wallets</c>.</summary>
public static class WalletEndpoints
{
    public static IEndpointRouteBuilder MapWalletEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("v1/wallets").WithTags("Wallets");
        group.MapPost("", CreateAsync).WithName("CreateWallet").RequireScope(Permissions.WalletsWrite)
            .WithSummary("Protect a wallet")
            .WithDescription("chain \"ethereum\" (with chainId, default 1) or \"bitcoin\"; the address is validated and stored EIP-55 (ethereum) or canonical (bitcoin). The same address on the same chain twice is a 409.");
        group.MapGet("", ListAsync).WithName("ListWallets").RequireScope(Permissions.WalletsRead)
            .WithSummary("The tenant's protected wallets");
        group.MapGet("{walletId}", GetAsync).WithName("GetWallet").RequireScope(Permissions.WalletsRead)
            .WithSummary("A protected wallet");
        group.MapPut("{walletId}", UpdateAsync).WithName("UpdateWallet").RequireScope(Permissions.WalletsWrite)
            .WithSummary("Replace a protected wallet's chain, address and label");
        group.MapDelete("{walletId}", DeleteAsync).WithName("DeleteWallet").RequireScope(Permissions.WalletsWrite)
            .WithSummary("Stop protecting a wallet (its policy goes with it)");
        return app;
    }

    public sealed record Services(WalletStore Wallets, PolicyStore Policies, TimeProvider Time);

    internal static ProblemHttpResult NotFound(string walletId) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "No such wallet", detail: $"The tenant has no protected wallet '{walletId}'.");

    private static ProblemHttpResult Duplicate(Wallet existing) => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
        title: "The wallet is already protected",
        detail: $"{existing.Address} on {existing.Chain}{(existing.ChainId is { } id ? $" (chain {id})" : "")} is protected as wallet '{existing.Id}'.",
        extensions: new Dictionary<string, object?> { ["walletId"] = existing.Id });

    private enum Outcome { Done, Duplicate, TooMany, Missing }

    public static async Task<Results<Created<Wallet>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        WalletRequest request, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        var errors = WalletValidator.Validate(request, out var chain, out var chainId, out var address);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The wallet is not valid");
        var tenantId = user.TenantId();
        var wallet = new Wallet(Wallet.NewId(), chain, chainId, address, request.Label, s.Time.GetUtcNow());
        var max = s.Wallets.MaxWallets;
        var (outcome, existing) = await s.Wallets.UpdateAsync<(Outcome, Wallet?)>(tenantId, all =>
            all.FirstOrDefault(w => w.SameAs(wallet)) is { } dup ? (null, (Outcome.Duplicate, dup))
            : all.Count >= max ? (null, (Outcome.TooMany, null))
            : ([.. all, wallet], (Outcome.Done, wallet)), cancellationToken);
        return outcome switch
        {
            Outcome.Duplicate => Duplicate(existing!),
            Outcome.TooMany => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many wallets",
                detail: $"A tenant protects at most {max} wallets."),
            _ => TypedResults.Created($"/v1/wallets/{wallet.Id}", wallet),
        };
    }

    public static async Task<Ok<Wallet[]>> ListAsync(ClaimsPrincipal user, [AsParameters] Services s, CancellationToken cancellationToken) =>
        TypedResults.Ok((await s.Wallets.ListAsync(user.TenantId(), cancellationToken)).OrderBy(w => w.CreatedAt).ThenBy(w => w.Id, StringComparer.Ordinal).ToArray());

    public static async Task<Results<Ok<Wallet>, ProblemHttpResult>> GetAsync(
        string walletId, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken cancellationToken) =>
        await s.Wallets.GetAsync(user.TenantId(), walletId, cancellationToken) is { } wallet ? TypedResults.Ok(wallet) : NotFound(walletId);

    public static async Task<Results<Ok<Wallet>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string walletId, WalletRequest request, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        var errors = WalletValidator.Validate(request, out var chain, out var chainId, out var address);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The wallet is not valid");
        var (outcome, wallet) = await s.Wallets.UpdateAsync<(Outcome, Wallet?)>(user.TenantId(), all =>
        {
            if (all.FirstOrDefault(w => w.Id == walletId) is not { } current) return (null, (Outcome.Missing, null));
            var next = current with { Chain = chain, ChainId = chainId, Address = address, Label = request.Label };
            if (all.FirstOrDefault(w => w.Id != walletId && w.SameAs(next)) is { } dup) return (null, (Outcome.Duplicate, dup));
            return ([.. all.Select(w => w.Id == walletId ? next : w)], (Outcome.Done, next));
        }, cancellationToken);
        return outcome switch
        {
            Outcome.Missing => NotFound(walletId),
            Outcome.Duplicate => Duplicate(wallet!),
            _ => TypedResults.Ok(wallet!),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string walletId, ClaimsPrincipal user, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        var tenantId = user.TenantId();
        var removed = await s.Wallets.UpdateAsync<bool>(tenantId, all =>
            all.Any(w => w.Id == walletId) ? ([.. all.Where(w => w.Id != walletId)], true) : (null, false), cancellationToken);
        if (!removed) return NotFound(walletId);
        await s.Policies.DeleteWalletPolicyAsync(tenantId, walletId, cancellationToken);
        return TypedResults.NoContent();
    }
}
