using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Scorpius.Contracts;

namespace Scorpius.WalletGuard.Wallets;

/// <summary>A tenant's protected wallets: the per-tenant index document (the wallets themselves, they are small).</summary>
public sealed record TenantWallets(IReadOnlyList<Wallet> Wallets);

/// <summary>
/// Protected wallets in the Dapr state store, one index document per tenant (key <c>wallet-guard||wallets||{tenantId}</c>),
/// so listing and matching an assessment to its wallet are one read. Every change is a read-modify-write guarded by the
/// document's ETag and retried on a conflict; another tenant's document is never read.
/// </summary>
public sealed class WalletStore(DaprClient dapr, IOptions<WalletGuardOptions> options)
{
    private const int MaxConflicts = 32;
    private static readonly StateOptions CreateOnly = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public static string Key(string tenantId) => $"wallet-guard||wallets||{tenantId}";

    public int MaxWallets => options.Value.MaxWalletsPerTenant;

    public async Task<IReadOnlyList<Wallet>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        (await dapr.GetStateAsync<TenantWallets>(DaprNames.StateStore, Key(tenantId), cancellationToken: cancellationToken))?.Wallets ?? [];

    public async Task<Wallet?> GetAsync(string tenantId, string walletId, CancellationToken cancellationToken) =>
        (await ListAsync(tenantId, cancellationToken)).FirstOrDefault(w => w.Id == walletId);

    /// <summary>
    /// Applies <paramref name="change"/> to the tenant's wallets and saves the list it returns (null: save nothing); on a
    /// concurrent write, reads again and re-applies, so <paramref name="change"/> must be a pure function.
    /// </summary>
    public async Task<T> UpdateAsync<T>(string tenantId, Func<IReadOnlyList<Wallet>, (IReadOnlyList<Wallet>? Next, T Result)> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var i = 0; i < MaxConflicts; i++)
        {
            var (current, etag) = await dapr.GetStateAndETagAsync<TenantWallets>(DaprNames.StateStore, Key(tenantId), cancellationToken: cancellationToken);
            var (next, result) = change(current?.Wallets ?? []);
            if (next is null) return result;
            var saved = string.IsNullOrEmpty(etag)
                ? await TryCreateAsync(tenantId, new TenantWallets(next), cancellationToken)
                : await dapr.TrySaveStateAsync(DaprNames.StateStore, Key(tenantId), new TenantWallets(next), etag, cancellationToken: cancellationToken);
            if (saved) return result;
            // Another writer won: back off a little, with jitter, so concurrent writers spread out instead of colliding again.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + 5 * Math.Min(i, 10))), cancellationToken);
        }
        throw new InvalidOperationException($"The wallets of tenant '{tenantId}' kept changing concurrently; giving up after {MaxConflicts} tries.");
    }

    // The first document of a tenant: first-write-wins without an ETag may only create the key.
    private async Task<bool> TryCreateAsync(string tenantId, TenantWallets value, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.SaveStateAsync(DaprNames.StateStore, Key(tenantId), value, CreateOnly, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException ex) when (ex.InnerException is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Aborted })
        {
            return false;
        }
    }
}
