using System.Text.Json.Nodes;

namespace Scorpius.ChainMonitor;

/// <summary>A protected wallet the monitor watches on one EVM chain.</summary>
public sealed record WatchedWallet(string TenantId, string WalletId, string Address, long ChainId);

/// <summary>
/// A transaction that touched a watched wallet, with why it was picked (<c>from</c>, <c>to</c>, or a log such as
/// <c>Approval</c> whose indexed owner or recipient is the wallet) and the request to assess, in the engine's request
/// contract (<c>kind: transaction</c>; the request id is the transaction hash, so re-seeing it is recognisable).
/// </summary>
public sealed record ObservedTransaction(
    WatchedWallet Wallet,
    string TxHash,
    long BlockNumber,
    string BlockHash,
    long TransactionIndex,
    IReadOnlyList<string> Reasons,
    JsonObject Request);

/// <summary>Which wallets to watch on a chain (read at every poll, so new wallets are picked up without a restart).</summary>
public interface IWatchedWallets
{
    Task<IReadOnlyList<WatchedWallet>> ListAsync(long chainId, CancellationToken cancellationToken);
}

/// <summary>Where observed transactions go. Called before the block is checkpointed: at least once, so it must be idempotent.</summary>
public interface IObservedTransactionSink
{
    Task HandleAsync(ObservedTransaction transaction, CancellationToken cancellationToken);
}

/// <summary>A processed block.</summary>
public sealed record BlockRef(long Number, string Hash);

/// <summary>The last processed block and the ones before it (as many as the reorg depth), to find where a reorg forked.</summary>
public sealed record MonitorCheckpoint(long Number, string Hash, IReadOnlyList<BlockRef> Recent);

public interface IMonitorCheckpoints
{
    Task<MonitorCheckpoint?> LoadAsync(string key, CancellationToken cancellationToken);
    Task SaveAsync(string key, MonitorCheckpoint checkpoint, CancellationToken cancellationToken);
}

/// <summary>The <c>Monitor:Ethereum</c> configuration section.</summary>
public sealed class EthereumMonitorOptions
{
    public const string Section = "Monitor:Ethereum";

    /// <summary>The node's JSON-RPC endpoint; the monitor is off when unset. An API key, if the provider needs one, comes from the secret store.</summary>
    public Uri? RpcUrl { get; set; }

    public long ChainId { get; set; } = 1;

    /// <summary>How many blocks back a reorg is followed; deeper ones are logged and the monitor resumes below them.</summary>
    public int ReorgDepth { get; set; } = 12;

    /// <summary>Blocks this far below the head are processed (0: as soon as they are mined).</summary>
    public int Confirmations { get; set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Where a monitor without a checkpoint starts; default: the current head (only what happens from now on).</summary>
    public long? StartBlock { get; set; }

    public int MaxBlocksPerPoll { get; set; } = 200;
}
