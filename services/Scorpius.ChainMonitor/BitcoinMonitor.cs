using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using NBitcoin;
using NBitcoin.RPC;
using Newtonsoft.Json.Linq;

namespace Scorpius.ChainMonitor;

/// <summary>
/// One pass over the Bitcoin blocks mined since the last checkpoint, through Bitcoin Core's JSON-RPC (NBitcoin's
/// <see cref="RPCClient"/>): <c>getblockcount</c>, <c>getblockhash &lt;height&gt;</c> and <c>getblock &lt;hash&gt; 3</c>. Every
/// transaction paying to a watched address (an output, reason <c>output:N</c>) or spending from one (an input whose
/// <c>prevout</c> pays a watched address, reason <c>input:N</c>) goes to the sink as an engine request
/// (<c>chain: bitcoin, kind: raw</c>, the transaction's hex, the block time as <c>context.now</c>); then the block is
/// checkpointed. A checkpointed block whose hash is no longer at its height means a reorg: the monitor rewinds to the
/// newest block both agree on (within <see cref="BitcoinMonitorOptions.ReorgDepth"/>) and processes the new branch.
/// </summary>
/// <remarks>
/// Inputs are matched through verbosity 3 (Bitcoin Core 23 and later), which gives each input's spent output from the
/// node's undo data, so no transaction index is needed. A node that rejects verbosity 3 is asked for verbosity 2 from then
/// on; without prevouts (that, an older node that quietly treats 3 as 2, or a block no longer in the best chain) only
/// outputs can be matched, and a warning says so. Watched wallets are those of <see cref="IWatchedWallets"/> with
/// <see cref="ChainId"/>; an address is compared by its scriptPubKey, so any valid spelling of it matches.
/// </remarks>
public sealed partial class BitcoinMonitor(RPCClient rpc, BitcoinMonitorOptions options, IWatchedWallets wallets, IObservedTransactionSink sink,
    IMonitorCheckpoints checkpoints, ILogger<BitcoinMonitor> logger)
{
    /// <summary>
    /// The chain id Bitcoin wallets carry in <see cref="WatchedWallet.ChainId"/> and that the monitor lists with
    /// <see cref="IWatchedWallets.ListAsync"/>: 0, which no EVM chain uses (EIP-155 ids are positive). It names Bitcoin on
    /// any network; which network is the monitor's <see cref="BitcoinMonitorOptions.Network"/>, and addresses of another
    /// network do not parse and are skipped with a warning.
    /// </summary>
    public const long ChainId = 0;

    /// <summary>Bitcoin Core's RPC error codes the monitor tells apart.</summary>
    private const int RpcInvalidParameter = -8, RpcTypeError = -3, RpcInvalidParams = -32602;

    private readonly Network network = options.ResolveNetwork();
    private readonly HashSet<string> unparsable = new(StringComparer.Ordinal);
    private int verbosity = 3;
    private bool warnedNoPrevouts;

    private CheckpointTrail? trail;

    public string CheckpointKey => $"monitor:bitcoin:{options.NetworkName}";

    /// <summary>The getblock verbosity in use: 3 (inputs with prevouts) unless the node rejected it, then 2.</summary>
    public int Verbosity => verbosity;

    /// <summary>An RPC client for <see cref="BitcoinMonitorOptions.RpcUrl"/> with the node's RPC user and password (from the caller's secrets).</summary>
    public static RPCClient CreateRpcClient(BitcoinMonitorOptions options, NetworkCredential credentials, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        var url = options.RpcUrl ?? throw new InvalidOperationException($"{BitcoinMonitorOptions.Section}:RpcUrl is not set.");
        if (!url.IsAbsoluteUri) throw new InvalidOperationException($"{BitcoinMonitorOptions.Section}:RpcUrl must be an absolute http(s) URL.");
        var client = new RPCClient(new RPCCredentialString { UserPassword = credentials }, url, options.ResolveNetwork());
        if (httpClient is not null) client.HttpClient = httpClient;
        return client;
    }

    /// <summary>Processes what is new (at most <see cref="BitcoinMonitorOptions.MaxBlocksPerPoll"/> blocks); returns how many blocks it processed.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        var head = (long)await rpc.GetBlockCountAsync(cancellationToken) - options.Confirmations;
        var checkpoint = await Trail.LoadAsync(head, options.StartHeight, cancellationToken);

        var watched = await WatchedAsync(cancellationToken);
        var processed = 0;
        for (var height = checkpoint.Number + 1; height <= head && processed < options.MaxBlocksPerPoll; height++)
        {
            if (await BlockHashAsync(height, cancellationToken) is not { } hash) break; // the tip moved down meanwhile
            // Nothing watched: the header fields of verbosity 1 are enough to keep the checkpoint moving.
            var block = await BlockAsync(hash, watched.Count > 0 ? verbosity : 1, cancellationToken);
            if (!Trail.Extends(checkpoint, height, block.Value<string>("previousblockhash"))) break; // a fork: the next poll rewinds
            if (watched.Count > 0) await ProcessAsync(block, height, hash, watched, cancellationToken);
            checkpoint = await Trail.AdvanceAsync(checkpoint, height, hash, cancellationToken);
            processed++;
        }
        return processed;
    }

    private CheckpointTrail Trail => trail ??= new CheckpointTrail(checkpoints, CheckpointKey, options.ReorgDepth, BlockHashAsync,
        $"Bitcoin {options.NetworkName}", logger);

    /// <summary>Watched wallets by the hex of their address's scriptPubKey on the monitor's network.</summary>
    private async Task<Dictionary<string, List<WatchedWallet>>> WatchedAsync(CancellationToken cancellationToken)
    {
        var byScript = new Dictionary<string, List<WatchedWallet>>(StringComparer.Ordinal);
        foreach (var wallet in await wallets.ListAsync(ChainId, cancellationToken))
        {
            if (ScriptOf(wallet.Address) is not { } script)
            {
                lock (unparsable)
                {
                    if (unparsable.Add(wallet.Address)) LogUnparsableAddress(logger, wallet.Address, wallet.TenantId, wallet.WalletId, options.NetworkName);
                }
                continue;
            }
            if (!byScript.TryGetValue(script, out var owners)) byScript[script] = owners = [];
            if (!owners.Contains(wallet)) owners.Add(wallet);
        }
        return byScript;
    }

    private string? ScriptOf(string address)
    {
        var text = address.Trim();
        // Bech32 may be written all upper case (QR codes); base58 is case-sensitive, so lower case is only a second try.
        foreach (var candidate in new[] { text, text.ToLowerInvariant() })
        {
            try
            {
                return BitcoinAddress.Create(candidate, network).ScriptPubKey.ToHex();
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or InvalidOperationException)
            {
                // not an address of this network; the lower-case spelling is tried next
            }
        }
        return null;
    }

    private async Task ProcessAsync(JObject block, long height, string hash, Dictionary<string, List<WatchedWallet>> watched, CancellationToken cancellationToken)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(block.Value<long>("time"));
        var transactions = block["tx"] as JArray ?? throw new InvalidOperationException($"Block {hash} has no transaction list.");
        var missingPrevouts = 0;
        for (var index = 0; index < transactions.Count; index++)
        {
            if (transactions[index] is not JObject tx) throw new InvalidOperationException($"Block {hash}: transaction {index} is not an object (verbosity {verbosity}).");
            var found = new Dictionary<WatchedWallet, List<string>>();
            void Add(string? script, string reason)
            {
                if (script is null || !watched.TryGetValue(script, out var owners)) return;
                foreach (var owner in owners)
                {
                    if (!found.TryGetValue(owner, out var reasons)) found[owner] = reasons = [];
                    if (!reasons.Contains(reason)) reasons.Add(reason);
                }
            }

            var inputs = tx["vin"] as JArray ?? [];
            for (var i = 0; i < inputs.Count; i++)
            {
                if (inputs[i] is not JObject input || input["coinbase"] is not null) continue;
                if (input["prevout"] is JObject prevout) Add(ScriptHex(prevout["scriptPubKey"]), $"input:{i}");
                else missingPrevouts++;
            }
            var outputs = tx["vout"] as JArray ?? [];
            for (var o = 0; o < outputs.Count; o++)
            {
                if (outputs[o] is not JObject output) continue;
                Add(ScriptHex(output["scriptPubKey"]), $"output:{output.Value<int?>("n") ?? o}");
            }
            if (found.Count == 0) continue;

            var txid = tx.Value<string>("txid") ?? throw new InvalidOperationException($"Block {hash}: transaction {index} has no txid.");
            var hex = tx.Value<string>("hex") ?? throw new InvalidOperationException($"Block {hash}: transaction {txid} has no hex.");
            foreach (var (wallet, reasons) in found)
            {
                await sink.HandleAsync(new ObservedTransaction(wallet, txid, height, hash, index, reasons, RequestOf(txid, hex, time)), cancellationToken);
            }
        }
        if (missingPrevouts > 0 && !warnedNoPrevouts)
        {
            warnedNoPrevouts = true;
            LogNoPrevouts(logger, hash, missingPrevouts, verbosity);
        }
    }

    /// <summary>
    /// The engine request for a mined Bitcoin transaction: <c>{"id": txid, "chain": "bitcoin", "kind": "raw", "raw": hex,
    /// "context": {"now": block time}}</c>; the id is the txid, so re-seeing it is recognisable.
    /// </summary>
    public static JsonObject RequestOf(string txid, string hex, DateTimeOffset blockTime) => new()
    {
        ["id"] = txid,
        ["chain"] = "bitcoin",
        ["kind"] = "raw",
        ["raw"] = hex,
        ["context"] = new JsonObject { ["now"] = blockTime.ToString("O", CultureInfo.InvariantCulture) },
    };

    /// <summary>The scriptPubKey's hex, or (a node that omits it) the hex of its address's script.</summary>
    private string? ScriptHex(JToken? scriptPubKey)
    {
        if (scriptPubKey is not JObject spk) return null;
        if (spk.Value<string>("hex") is { Length: > 0 } hex) return hex.ToLowerInvariant();
        return spk.Value<string>("address") is { Length: > 0 } address ? ScriptOf(address) : null;
    }

    private async Task<JObject> BlockAsync(string hash, int level, CancellationToken cancellationToken)
    {
        RPCResponse response;
        try
        {
            response = await rpc.SendCommandAsync("getblock", cancellationToken, hash, level);
        }
        catch (RPCException ex) when (level == 3 && (int)ex.RPCCode is RpcInvalidParameter or RpcTypeError or RpcInvalidParams)
        {
            // A node before verbosity 3: from now on verbosity 2, and spends from watched addresses go unseen.
            verbosity = 2;
            LogVerbosityRejected(logger, ex.Message);
            response = await rpc.SendCommandAsync("getblock", cancellationToken, hash, 2);
        }
        return response.Result as JObject ?? throw new InvalidOperationException($"getblock {hash} returned no block object.");
    }

    /// <summary>The hash of the best chain's block at a height, or null when the chain is not that high.</summary>
    private async Task<string?> BlockHashAsync(long height, CancellationToken cancellationToken)
    {
        try
        {
            return (await rpc.GetBlockHashAsync(checked((int)height), cancellationToken)).ToString();
        }
        catch (RPCException ex) when ((int)ex.RPCCode == RpcInvalidParameter)
        {
            return null; // "Block height out of range"
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The node rejects getblock verbosity 3 ({Reason}); using verbosity 2: payments to watched addresses are seen, spends from them are not")]
    private static partial void LogVerbosityRejected(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Block {Hash}: {Inputs} input(s) came without prevout (getblock verbosity {Verbosity}; a node before Bitcoin Core 23, or a block outside the best chain); spends from watched addresses cannot be matched there")]
    private static partial void LogNoPrevouts(ILogger logger, string hash, int inputs, int verbosity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watched address {Address} (tenant {TenantId}, wallet {WalletId}) is not a Bitcoin {Network} address; it is not watched")]
    private static partial void LogUnparsableAddress(ILogger logger, string address, string tenantId, string walletId, string network);
}
