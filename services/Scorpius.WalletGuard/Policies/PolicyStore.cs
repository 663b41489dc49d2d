using Dapr.Client;
using Scorpius.Contracts;

namespace Scorpius.WalletGuard.Policies;

/// <summary>
/// Policies in the Dapr state store: one document per tenant and one per protected wallet, keyed by tenant. A PUT
/// replaces the whole document (last write wins).
/// </summary>
public sealed class PolicyStore(DaprClient dapr, ReadCache cache)
{
    public static string TenantKey(string tenantId) => $"wallet-guard||policy||{tenantId}";

    public static string WalletKey(string tenantId, string walletId) => $"wallet-guard||policy||{tenantId}||wallet||{walletId}";

    public async Task<PolicyDocument> GetTenantPolicyAsync(string tenantId, CancellationToken cancellationToken) =>
        await dapr.GetStateAsync<PolicyDocument>(DaprNames.StateStore, TenantKey(tenantId), cancellationToken: cancellationToken) ?? PolicyDocument.Empty;

    public async Task<PolicyDocument> GetWalletPolicyAsync(string tenantId, string walletId, CancellationToken cancellationToken) =>
        await dapr.GetStateAsync<PolicyDocument>(DaprNames.StateStore, WalletKey(tenantId, walletId), cancellationToken: cancellationToken) ?? PolicyDocument.Empty;

    /// <summary>The tenant's policy for the assessment hot path, through the <see cref="ReadCache"/>.</summary>
    public Task<PolicyDocument> GetTenantPolicyCachedAsync(string tenantId, CancellationToken cancellationToken) =>
        cache.GetAsync(TenantKey(tenantId), () => GetTenantPolicyAsync(tenantId, cancellationToken));

    /// <summary>A wallet's policy for the assessment hot path, through the <see cref="ReadCache"/>.</summary>
    public Task<PolicyDocument> GetWalletPolicyCachedAsync(string tenantId, string walletId, CancellationToken cancellationToken) =>
        cache.GetAsync(WalletKey(tenantId, walletId), () => GetWalletPolicyAsync(tenantId, walletId, cancellationToken));

    public async Task SaveTenantPolicyAsync(string tenantId, PolicyDocument policy, CancellationToken cancellationToken)
    {
        await dapr.SaveStateAsync(DaprNames.StateStore, TenantKey(tenantId), policy, cancellationToken: cancellationToken);
        cache.Forget(TenantKey(tenantId));
    }

    public async Task SaveWalletPolicyAsync(string tenantId, string walletId, PolicyDocument policy, CancellationToken cancellationToken)
    {
        await dapr.SaveStateAsync(DaprNames.StateStore, WalletKey(tenantId, walletId), policy, cancellationToken: cancellationToken);
        cache.Forget(WalletKey(tenantId, walletId));
    }

    public async Task DeleteWalletPolicyAsync(string tenantId, string walletId, CancellationToken cancellationToken)
    {
        await dapr.DeleteStateAsync(DaprNames.StateStore, WalletKey(tenantId, walletId), cancellationToken: cancellationToken);
        cache.Forget(WalletKey(tenantId, walletId));
    }
}
