using System.Numerics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.Web3;
using Scorpius.Contracts;
using Scorpius.RiskEngine;
using Scorpius.RiskEngine.Intel;
using Scorpius.Testing;
using Scorpius.Testing.Fixtures;
using Scorpius.Testing.Sidecar;
using EngineVerdict = Scorpius.Contracts.Verdict;

namespace Scorpius.ChainMonitor.Tests;

/// <summary>
/// The Ethereum monitor against a real node (anvil) with a real ERC-20 deployed from its committed bytecode, its checkpoints
/// in the fake sidecar's state store through the real Dapr client, and what it observes assessed by the real engine.
/// </summary>
public sealed class EthereumMonitorTests : IAsyncLifetime
{
    private const string Wallet = AnvilNode.DevAccount0Address;
    // A fresh externally owned account (no code, never used): the drainer's spender.
    private const string FreshEoa = "0x1111111111111111111111111111111111111111";
    private const string Counterparty = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // anvil dev account 1
    private static readonly RiskAssessor Engine = new(BundledThreatIntel.Load());

    private AnvilNode node = null!;
    private FakeDaprSidecar sidecar = null!;
    private Dapr.Client.DaprClient dapr = null!;
    private string token = "";

    public async Task InitializeAsync()
    {
        node = await AnvilNode.StartAsync();
        sidecar = await FakeDaprSidecar.StartAsync();
        dapr = sidecar.CreateClient();
        token = await DeployTokenAsync();
    }

    public async Task DisposeAsync()
    {
        dapr.Dispose();
        await sidecar.DisposeAsync();
        await node.DisposeAsync();
    }

    [Fact]
    public async Task An_unlimited_approval_to_a_fresh_account_is_seen_with_its_log_and_the_engine_calls_it_critical()
    {
        var sink = new RecordingSink();
        var monitor = Monitor(sink, startBlock: await HeadAsync() + 1);

        var approval = await SendAsync(Wallet, token, Approve(FreshEoa, BigInteger.Pow(2, 256) - 1));
        Assert.Equal(1, await monitor.PollOnceAsync(default));

        var seen = Assert.Single(sink.Seen);
        Assert.Equal((approval, "tenant-a", "w-1"), (seen.TxHash, seen.Wallet.TenantId, seen.Wallet.WalletId));
        Assert.Contains("from", seen.Reasons);
        Assert.Contains($"Approval:topic1:{token.ToLowerInvariant()}", seen.Reasons);
        Assert.Equal([FreshEoa.ToLowerInvariant()], seen.Request["context"]!["eoas"]!.AsArray().Select(a => a!.GetValue<string>()));
        var result = Engine.AssessJson(seen.Request.ToJsonString());
        Assert.Equal(EngineVerdict.Malicious, result.Verdict);
        Assert.Contains(result.Findings, f => f.Code == "APPROVAL_TO_EOA");
    }

    [Fact]
    public async Task A_transfer_to_a_known_counterparty_is_seen_and_benign_while_a_look_alike_recipient_is_poisoning()
    {
        var sink = new RecordingSink();
        var monitor = Monitor(sink, startBlock: await HeadAsync() + 1);
        var lookAlike = "0x7099" + new string('0', 32) + "79C8";

        await SendAsync(Wallet, token, Transfer(Counterparty, 1000));
        await SendAsync(Wallet, token, Transfer(lookAlike, 1000));
        Assert.Equal(2, await monitor.PollOnceAsync(default));

        Assert.Equal(2, sink.Seen.Count);
        var verdicts = sink.Seen.Select(s =>
        {
            // wallet-guard adds the wallet's known counterparties from its actor; here the test does.
            s.Request["context"]!["knownCounterparties"] = new JsonArray(Counterparty);
            return Engine.AssessJson(s.Request.ToJsonString());
        }).ToList();
        Assert.Equal(EngineVerdict.Benign, verdicts[0].Verdict);
        Assert.Contains(verdicts[1].Findings, f => f.Code == "ADDRESS_POISONING");
    }

    [Fact]
    public async Task Incoming_transfers_and_every_tenant_watching_the_wallet_are_reported()
    {
        var sink = new RecordingSink();
        var monitor = Monitor(sink, startBlock: await HeadAsync() + 1,
            wallets: [new WatchedWallet("tenant-a", "w-1", Counterparty, 31337), new WatchedWallet("tenant-b", "w-9", Counterparty.ToLowerInvariant(), 31337)]);

        var incoming = await SendAsync(Wallet, token, Transfer(Counterparty, 5));
        await SendAsync(Wallet, token, Transfer(FreshEoa, 5)); // touches no watched wallet

        Assert.Equal(2, await monitor.PollOnceAsync(default));
        Assert.Equal(["tenant-a", "tenant-b"], sink.Seen.Select(s => s.Wallet.TenantId).Order(StringComparer.Ordinal));
        Assert.All(sink.Seen, s =>
        {
            Assert.Equal(incoming, s.TxHash);
            Assert.Equal([$"Transfer:topic2:{token.ToLowerInvariant()}"], s.Reasons);
        });
    }

    [Fact]
    public async Task A_restarted_monitor_recovers_exactly_the_blocks_it_missed()
    {
        var first = new RecordingSink();
        var start = await HeadAsync() + 1;
        await SendAsync(Wallet, token, Transfer(Counterparty, 1));
        Assert.Equal(1, await Monitor(first, start).PollOnceAsync(default));

        // Stopped: three more transactions are mined meanwhile.
        var missed = new List<string>();
        for (var i = 0; i < 3; i++) missed.Add(await SendAsync(Wallet, token, Transfer(Counterparty, 10 + i)));

        var second = new RecordingSink();
        var restarted = Monitor(second, start); // same checkpoint store: StartBlock is ignored
        Assert.Equal(3, await restarted.PollOnceAsync(default));
        Assert.Equal(missed, second.Seen.Select(s => s.TxHash));
        Assert.Equal(0, await restarted.PollOnceAsync(default));
    }

    [Fact]
    public async Task A_reorg_rewinds_to_the_common_block_and_reports_the_new_branch()
    {
        var sink = new RecordingSink();
        var monitor = Monitor(sink, await HeadAsync() + 1);
        var snapshot = (await node.RpcAsync("evm_snapshot", []))!.GetValue<string>();
        var orphaned = await SendAsync(Wallet, token, Transfer(Counterparty, 1));
        await SendAsync(Wallet, token, Transfer(Counterparty, 2));
        Assert.Equal(2, await monitor.PollOnceAsync(default));

        // The two blocks are replaced by a branch of three with other transactions.
        Assert.True((await node.RpcAsync("evm_revert", [snapshot]))!.GetValue<bool>());
        await node.RpcAsync("evm_mine", []);
        var replacement = new List<string> { await SendAsync(Wallet, token, Transfer(Counterparty, 7)), await SendAsync(Wallet, token, Transfer(FreshEoa, 8)) };

        Assert.Equal(3, await monitor.PollOnceAsync(default));
        Assert.Equal([orphaned], sink.Seen.Take(1).Select(s => s.TxHash));
        Assert.Equal(replacement, sink.Seen.Skip(2).Select(s => s.TxHash));
        var checkpoint = await new DaprMonitorCheckpoints(dapr).LoadAsync(monitor.CheckpointKey, default);
        Assert.Equal(await HeadAsync(), checkpoint!.Number);
    }

    [Fact]
    public async Task Without_a_checkpoint_the_monitor_starts_after_the_current_head()
    {
        var sink = new RecordingSink();
        await SendAsync(Wallet, token, Transfer(Counterparty, 1)); // before the monitor existed
        var monitor = Monitor(sink, startBlock: null);

        Assert.Equal(0, await monitor.PollOnceAsync(default));
        var after = await SendAsync(Wallet, token, Transfer(Counterparty, 2));
        Assert.Equal(1, await monitor.PollOnceAsync(default));
        Assert.Equal([after], sink.Seen.Select(s => s.TxHash));
    }

    private EthereumMonitor Monitor(RecordingSink sink, long? startBlock, IReadOnlyList<WatchedWallet>? wallets = null) =>
        new(new Web3(node.RpcUrl), new EthereumMonitorOptions { RpcUrl = new Uri(node.RpcUrl), ChainId = 31337, StartBlock = startBlock, ReorgDepth = 6 },
            new FixedWallets(wallets ?? [new WatchedWallet("tenant-a", "w-1", Wallet, 31337)]), sink, new DaprMonitorCheckpoints(dapr),
            NullLogger<EthereumMonitor>.Instance);

    private async Task<long> HeadAsync() => Convert.ToInt64((await node.RpcAsync("eth_blockNumber", []))!.GetValue<string>(), 16);

    private async Task<string> DeployTokenAsync()
    {
        var bytecode = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Contracts", "ScorpiusTestToken.bin")).Trim();
        var hash = await SendAsync(Wallet, null, "0x" + bytecode + Word(BigInteger.Parse("1000000000000000000000000")));
        var receipt = await ReceiptAsync(hash);
        Assert.Equal("0x1", receipt["status"]!.GetValue<string>());
        return receipt["contractAddress"]!.GetValue<string>();
    }

    /// <summary>eth_sendTransaction from an unlocked dev account; anvil mines it in a block of its own, awaited here.</summary>
    private async Task<string> SendAsync(string from, string? to, string data)
    {
        var tx = new JsonObject { ["from"] = from, ["data"] = data, ["gas"] = "0x1e8480" };
        if (to is not null) tx["to"] = to;
        var hash = (await node.RpcAsync("eth_sendTransaction", [tx]))!.GetValue<string>();
        await ReceiptAsync(hash);
        return hash;
    }

    private async Task<JsonNode> ReceiptAsync(string hash)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await node.RpcAsync("eth_getTransactionReceipt", [hash], deadline.Token) is { } receipt) return receipt;
            await Task.Delay(20, deadline.Token);
        }
    }

    private static string Approve(string spender, BigInteger amount) => "0x095ea7b3" + Word(spender) + Word(amount);

    private static string Transfer(string to, BigInteger amount) => "0xa9059cbb" + Word(to) + Word(amount);

    private static string Word(string address) => address[2..].ToLowerInvariant().PadLeft(64, '0');

    private static string Word(BigInteger value) => value.ToString("x64", System.Globalization.CultureInfo.InvariantCulture)[^64..];

    private sealed class FixedWallets(IReadOnlyList<WatchedWallet> wallets) : IWatchedWallets
    {
        public Task<IReadOnlyList<WatchedWallet>> ListAsync(long chainId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<WatchedWallet>>([.. wallets.Where(w => w.ChainId == chainId)]);
    }

    private sealed class RecordingSink : IObservedTransactionSink
    {
        public List<ObservedTransaction> Seen { get; } = [];

        public Task HandleAsync(ObservedTransaction transaction, CancellationToken cancellationToken)
        {
            lock (Seen) Seen.Add(transaction);
            return Task.CompletedTask;
        }
    }
}
