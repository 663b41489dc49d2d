using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Scorpius.Contracts;

namespace Scorpius.WalletGuard.Wallets;

/// <summary>A tenant's protected wallets: the per-tenant index document (the wallets themselves, they are small).</summary>
public sealed record TenantWallets(IReadOnlyList<Wallet> Wallets);

/// <summary>The tenants that have (or once had) protected wallets: the cross-tenant index the chain monitor reads.</summary>
public sealed record WalletTenants(IReadOnlyList<string> Tenants);

/// <summary>
/// Protected wallets in the Dapr state store, one index document per tenant (key <c>wallet-guard||wallets||{tenantId}</c>),
/// so listing and matching an assessment to its wallet are one read. Every change is a read-modify-write guarded by the
/// document's ETag and retried on a conflict; a tenant's request never reads another tenant's document. The chain
/// monitor, which watches every tenant's wallets, finds the tenants in <see cref="TenantsKey"/>: a tenant is added to it
/// (ETag-guarded, idempotent) before its first wallet is saved and never removed, so every tenant with a wallet is in
/// it even after a crash between the two writes; a tenant whose wallets were all deleted costs one read per poll.
/// </summary>
public sealed class WalletStore(DaprClient dapr, IOptions<WalletGuardOptions> options, ReadCache cache)
{
    private const int MaxConflicts = 32;
    private static readonly StateOptions CreateOnly = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public const string TenantsKey = "wallet-guard||tenants";

    // Tenants this process has seen in the index: a known tenant's wallet changes skip the index read.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> indexed = new(StringComparer.Ordinal);

    public static string Key(string tenantId) => $"wallet-guard||wallets||{tenantId}";

    public int MaxWallets => options.Value.MaxWalletsPerTenant;

    public async Task<IReadOnlyList<Wallet>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        (await dapr.GetStateAsync<TenantWallets>(DaprNames.StateStore, Key(tenantId), cancellationToken: cancellationToken))?.Wallets ?? [];

    /// <summary>The tenant's wallets for the assessment hot path, through the <see cref="ReadCache"/>.</summary>
    public Task<IReadOnlyList<Wallet>> ListCachedAsync(string tenantId, CancellationToken cancellationToken) =>
        cache.GetAsync(Key(tenantId), () => ListAsync(tenantId, cancellationToken));

    public async Task<Wallet?> GetAsync(string tenantId, string walletId, CancellationToken cancellationToken) =>
        (await ListAsync(tenantId, cancellationToken)).FirstOrDefault(w => w.Id == walletId);

    /// <summary>Every tenant in the cross-tenant index (for the chain monitor; never for a tenant's request).</summary>
    public async Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken) =>
        (await dapr.GetStateAsync<WalletTenants>(DaprNames.StateStore, TenantsKey, cancellationToken: cancellationToken))?.Tenants ?? [];

    /// <summary>Every tenant's wallets that <paramref name="select"/> keeps (one read of the index, one per tenant).</summary>
    public async Task<IReadOnlyList<(string TenantId, Wallet Wallet)>> ListAllAsync(Func<Wallet, bool> select, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(select);
        var tenants = await ListTenantsAsync(cancellationToken);
        var lists = await Task.WhenAll(tenants.Select(async t => (Tenant: t, Wallets: await ListAsync(t, cancellationToken))));
        return [.. lists.SelectMany(l => l.Wallets.Where(select).Select(w => (l.Tenant, w)))];
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the tenant's wallets and saves the list it returns (null: save nothing); on a
    /// concurrent write, reads again and re-applies, so <paramref name="change"/> must be a pure function.
    /// </summary>
    public async Task<T> UpdateAsync<T>(string tenantId, Func<IReadOnlyList<Wallet>, (IReadOnlyList<Wallet>? Next, T Result)> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        try
        {
            return await ReadModifyWriteAsync<TenantWallets, T>(Key(tenantId), async current =>
            {
                var (next, result) = change(current?.Wallets ?? []);
                if (next is null) return (null, result);
                // Indexed before the wallets are saved: a crash in between leaves an indexed tenant, never an unwatched wallet.
                if (next.Count > 0) await EnsureIndexedAsync(tenantId, cancellationToken);
                return (new TenantWallets(next), result);
            }, $"The wallets of tenant '{tenantId}'", cancellationToken);
        }
        finally
        {
            cache.Forget(Key(tenantId));
        }
    }

    private async Task EnsureIndexedAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (indexed.ContainsKey(tenantId)) return;
        await ReadModifyWriteAsync<WalletTenants, bool>(TenantsKey, current =>
        {
            var tenants = current?.Tenants ?? [];
            return Task.FromResult<(WalletTenants?, bool)>(tenants.Contains(tenantId, StringComparer.Ordinal)
                ? (null, true)
                : (new WalletTenants([.. tenants, tenantId]), true));
        }, "The tenant index of wallets", cancellationToken);
        indexed[tenantId] = 0;
    }

    private async Task<T> ReadModifyWriteAsync<TDocument, T>(
        string key, Func<TDocument?, Task<(TDocument? Next, T Result)>> change, string what, CancellationToken cancellationToken) where TDocument : class
    {
        for (var i = 0; i < MaxConflicts; i++)
        {
            var (current, etag) = await dapr.GetStateAndETagAsync<TDocument>(DaprNames.StateStore, key, cancellationToken: cancellationToken);
            var (next, result) = await change(current);
            if (next is null) return result;
            var saved = string.IsNullOrEmpty(etag)
                ? await TryCreateAsync(key, next, cancellationToken)
                : await dapr.TrySaveStateAsync(DaprNames.StateStore, key, next, etag, cancellationToken: cancellationToken);
            if (saved) return result;
            // Another writer won: back off a little, with jitter, so concurrent writers spread out instead of colliding again.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + 5 * Math.Min(i, 10))), cancellationToken);
        }
        throw new InvalidOperationException($"{what} kept changing concurrently; giving up after {MaxConflicts} tries.");
    }

    // The first version of a document: first-write-wins without an ETag may only create the key.
    private async Task<bool> TryCreateAsync<TDocument>(string key, TDocument value, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.SaveStateAsync(DaprNames.StateStore, key, value, CreateOnly, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException ex) when (ex.InnerException is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Aborted })
        {
            return false;
        }
    }
}
