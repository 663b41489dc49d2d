using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Scorpius.ChainMonitor;

/// <summary>
/// One pass over the blocks mined since the last checkpoint: every transaction from or to a watched wallet, and every
/// transaction whose ERC-20/721 <c>Transfer</c>, <c>Approval</c> or <c>ApprovalForAll</c> log names the wallet as an indexed
/// party, goes to the sink; then the block is checkpointed. A checkpointed block whose hash the chain no longer has means a
/// reorg: the monitor rewinds to the newest block both agree on (within <see cref="EthereumMonitorOptions.ReorgDepth"/>) and
/// processes the new branch.
/// </summary>
public sealed partial class EthereumMonitor(IWeb3 web3, EthereumMonitorOptions options, IWatchedWallets wallets, IObservedTransactionSink sink,
    IMonitorCheckpoints checkpoints, ILogger<EthereumMonitor> logger)
{
    public const string TransferTopic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
    public const string ApprovalTopic = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925";
    public const string ApprovalForAllTopic = "0x17307eab39ab6107e8899845ad3d59bd9653f200f220920489ca2b5937696c31";
    private static readonly string[] WatchedTopics = [TransferTopic, ApprovalTopic, ApprovalForAllTopic];

    private CheckpointTrail? trail;

    public string CheckpointKey => $"monitor:ethereum:{options.ChainId}";

    /// <summary>Processes what is new (at most <see cref="EthereumMonitorOptions.MaxBlocksPerPoll"/> blocks); returns how many blocks it processed.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        var head = (long)(await web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value - options.Confirmations;
        var checkpoint = await Trail.LoadAsync(head, options.StartBlock, cancellationToken);

        var watched = (await wallets.ListAsync(options.ChainId, cancellationToken))
            .GroupBy(w => w.Address.ToLowerInvariant())
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var processed = 0;
        for (var number = checkpoint.Number + 1; number <= head && processed < options.MaxBlocksPerPoll; number++)
        {
            var block = await web3.Eth.Blocks.GetBlockWithTransactionsByNumber.SendRequestAsync(new HexBigInteger(number));
            if (block is null || !Trail.Extends(checkpoint, number, block.ParentHash)) break; // a fork: the next poll rewinds
            if (watched.Count > 0) await ProcessAsync(block, watched, cancellationToken);
            checkpoint = await Trail.AdvanceAsync(checkpoint, number, block.BlockHash, cancellationToken);
            processed++;
        }
        return processed;
    }

    private CheckpointTrail Trail => trail ??= new CheckpointTrail(checkpoints, CheckpointKey, options.ReorgDepth,
        async (number, _) => (await web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new HexBigInteger(number)))?.BlockHash,
        $"Ethereum chain {options.ChainId}", logger);

    private async Task ProcessAsync(BlockWithTransactions block, Dictionary<string, List<WatchedWallet>> watched, CancellationToken cancellationToken)
    {
        var found = new SortedDictionary<long, (Transaction Tx, Dictionary<WatchedWallet, List<string>> Wallets)>();
        var parties = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal); // tx hash → counterparties seen in its logs
        void Add(Transaction tx, string address, string reason)
        {
            if (!watched.TryGetValue(address.ToLowerInvariant(), out var owners)) return;
            var index = (long)tx.TransactionIndex.Value;
            if (!found.TryGetValue(index, out var entry)) found[index] = entry = (tx, new Dictionary<WatchedWallet, List<string>>());
            foreach (var owner in owners)
            {
                if (!entry.Wallets.TryGetValue(owner, out var reasons)) entry.Wallets[owner] = reasons = [];
                if (!reasons.Contains(reason)) reasons.Add(reason);
            }
        }

        foreach (var tx in block.Transactions)
        {
            if (tx.From is { } from) Add(tx, from, "from");
            if (tx.To is { } to) Add(tx, to, "to");
        }
        var byHash = block.Transactions.ToDictionary(t => t.TransactionHash.ToLowerInvariant(), StringComparer.Ordinal);
        var padded = watched.Keys.Select(a => "0x" + a[2..].PadLeft(64, '0')).ToArray();
        var blockParameter = new BlockParameter(new HexBigInteger(block.Number.Value));
        // Indexed owner/sender (topic 1) or spender/recipient/operator (topic 2) is a watched wallet.
        foreach (var position in new[] { 1, 2 })
        {
            var topics = new object?[position + 1];
            topics[0] = WatchedTopics;
            topics[position] = padded;
            var logs = await web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput { FromBlock = blockParameter, ToBlock = blockParameter, Topics = topics });
            foreach (var log in logs)
            {
                if (log.Topics is not { Length: > 2 } t || !byHash.TryGetValue(log.TransactionHash.ToLowerInvariant(), out var tx)) continue;
                var party = "0x" + t[position].ToString()![^40..];
                Add(tx, party, $"{EventName(t[0].ToString()!)}:{(position == 1 ? "topic1" : "topic2")}:{log.Address.ToLowerInvariant()}");
                var other = "0x" + t[position == 1 ? 2 : 1].ToString()![^40..];
                if (!parties.TryGetValue(tx.TransactionHash.ToLowerInvariant(), out var set)) parties[tx.TransactionHash.ToLowerInvariant()] = set = new(StringComparer.Ordinal);
                set.Add(other.ToLowerInvariant());
            }
        }

        var time = DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp.Value);
        foreach (var (_, (tx, owners)) in found)
        {
            // The node knows what the offline engine cannot: which counterparties are plain accounts (no code at this block).
            var candidates = new HashSet<string>(StringComparer.Ordinal);
            if (tx.To is { } to) candidates.Add(to.ToLowerInvariant());
            if (parties.TryGetValue(tx.TransactionHash.ToLowerInvariant(), out var logged)) candidates.UnionWith(logged);
            candidates.ExceptWith(watched.Keys);
            candidates.Remove("0x0000000000000000000000000000000000000000");
            var eoas = new List<string>();
            foreach (var candidate in candidates.Order(StringComparer.Ordinal))
            {
                var code = await web3.Eth.GetCode.SendRequestAsync(candidate, blockParameter);
                if (code is null or "0x" or "0x0") eoas.Add(candidate);
            }
            foreach (var (wallet, reasons) in owners)
            {
                await sink.HandleAsync(new ObservedTransaction(wallet, tx.TransactionHash, (long)block.Number.Value, block.BlockHash,
                    (long)tx.TransactionIndex.Value, reasons, RequestOf(tx, options.ChainId, time, eoas)), cancellationToken);
            }
        }
    }

    /// <summary>The engine request for a mined transaction: its id is the transaction hash, its clock the block time.</summary>
    public static JsonObject RequestOf(Transaction tx, long chainId, DateTimeOffset blockTime, IReadOnlyCollection<string>? eoas = null)
    {
        var transaction = new JsonObject
        {
            ["from"] = tx.From,
            ["value"] = (tx.Value?.Value ?? BigInteger.Zero).ToString(CultureInfo.InvariantCulture),
            ["data"] = string.IsNullOrEmpty(tx.Input) ? "0x" : tx.Input,
            ["chainId"] = chainId,
        };
        if (tx.To is { } to) transaction["to"] = to;
        return new JsonObject
        {
            ["id"] = tx.TransactionHash,
            ["chain"] = "ethereum",
            ["chainId"] = chainId,
            ["kind"] = "transaction",
            ["transaction"] = transaction,
            ["context"] = new JsonObject
            {
                ["now"] = blockTime.ToString("O", CultureInfo.InvariantCulture),
                ["eoas"] = new JsonArray([.. (eoas ?? []).Select(a => (JsonNode)JsonValue.Create(a))]),
            },
        };
    }

    private static string EventName(string topic0) => topic0.ToLowerInvariant() switch
    {
        TransferTopic => "Transfer",
        ApprovalTopic => "Approval",
        ApprovalForAllTopic => "ApprovalForAll",
        _ => "Log",
    };
}
