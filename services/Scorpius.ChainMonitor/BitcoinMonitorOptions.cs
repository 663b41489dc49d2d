namespace Scorpius.ChainMonitor;

/// <summary>
/// The <c>Monitor:Bitcoin</c> configuration section. The node's RPC user and password are not configuration: the caller
/// passes them (from its secret store) to <see cref="BitcoinMonitor.CreateRpcClient"/>.
/// </summary>
public sealed class BitcoinMonitorOptions
{
    public const string Section = "Monitor:Bitcoin";

    /// <summary>Bitcoin Core's JSON-RPC endpoint (e.g. <c>http://bitcoind:8332/</c>); the monitor is off when unset.</summary>
    public Uri? RpcUrl { get; set; }

    /// <summary><c>main</c>, <c>test</c> (testnet3) or <c>regtest</c>: how watched addresses are parsed, and part of the checkpoint key.</summary>
    public string Network { get; set; } = "main";

    /// <summary>How many blocks back a reorg is followed; deeper ones are logged and the monitor resumes below them.</summary>
    public int ReorgDepth { get; set; } = 6;

    /// <summary>Blocks this far below the tip are processed (0: as soon as they are mined; a reorg is then rewound).</summary>
    public int Confirmations { get; set; }

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Where a monitor without a checkpoint starts; default: after the current tip (only what happens from now on).</summary>
    public long? StartHeight { get; set; }

    /// <summary>Blocks per poll; a verbose mainnet block is megabytes of JSON, so this stays small.</summary>
    public int MaxBlocksPerPoll { get; set; } = 20;

    /// <summary>The canonical network name (<c>main</c>, <c>test</c> or <c>regtest</c>) used in the checkpoint key.</summary>
    public string NetworkName => (Network ?? "").Trim().ToLowerInvariant() switch
    {
        "main" or "mainnet" or "bitcoin" => "main",
        "test" or "testnet" or "testnet3" => "test",
        "regtest" => "regtest",
        var other => throw new InvalidOperationException($"{Section}:Network '{other}' is not supported (use main, test or regtest)."),
    };

    /// <summary>The NBitcoin network for <see cref="Network"/>.</summary>
    public NBitcoin.Network ResolveNetwork() => NetworkName switch
    {
        "main" => NBitcoin.Network.Main,
        "test" => NBitcoin.Network.TestNet,
        _ => NBitcoin.Network.RegTest,
    };
}
