using Scorpius.ChainMonitor;
using Scorpius.WalletGuard.Wallets;

namespace Scorpius.WalletGuard.Monitoring;

/// <summary>
/// Every tenant's protected wallets on a chain, read from the wallet store at each poll (new wallets need no restart):
/// ethereum wallets by chain id, bitcoin wallets for <see cref="BitcoinMonitor.ChainId"/>.
/// </summary>
public sealed class WatchedWalletDirectory(WalletStore wallets) : IWatchedWallets
{
    public async Task<IReadOnlyList<WatchedWallet>> ListAsync(long chainId, CancellationToken cancellationToken) =>
        [.. (await wallets.ListAllAsync(w => chainId == BitcoinMonitor.ChainId ? w.Chain == Wallet.Bitcoin : w.Chain == Wallet.Ethereum && w.ChainId == chainId, cancellationToken))
            .Select(x => new WatchedWallet(x.TenantId, x.Wallet.Id, x.Wallet.Address, chainId))];
}
