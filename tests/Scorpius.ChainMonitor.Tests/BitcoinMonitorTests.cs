using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using NBitcoin;
using NBitcoin.RPC;
using Scorpius.RiskEngine;
using Scorpius.RiskEngine.Intel;
using Scorpius.Testing.Sidecar;
using EngineVerdict = Scorpius.Contracts.Verdict;

namespace Scorpius.ChainMonitor.Tests;

/// <summary>
/// The Bitcoin monitor through NBitcoin's RPC client against <see cref="BitcoinCoreStandIn"/> — a stand-in for Bitcoin
/// Core's JSON-RPC, because no Bitcoin Core node can run on this machine — serving real regtest blocks and transactions
/// built and signed with NBitcoin; checkpoints in the fake sidecar's state store through the real Dapr client; what it
/// observes assessed by the real engine.
/// </summary>
public sealed class BitcoinMonitorTests : IAsyncLifetime
{
    private static readonly RiskAssessor Engine = new(BundledThreatIntel.Load());
    private static readonly Network Regtest = BitcoinCoreStandIn.Network;

    private readonly Key watchedKey = new();
    private readonly Key otherKey = new();
    private BitcoinCoreStandIn node = null!;
    private FakeDaprSidecar sidecar = null!;
    private Dapr.Client.DaprClient dapr = null!;
    private Coin funds = null!;

    private BitcoinAddress WatchedAddress => watchedKey.PubKey.GetAddress(ScriptPubKeyType.Segwit, Regtest);
    private BitcoinAddress OtherAddress => otherKey.PubKey.GetAddress(ScriptPubKeyType.Segwit, Regtest);
    private BitcoinAddress MinerAddress => node.Miner.PubKey.GetAddress(ScriptPubKeyType.Segwit, Regtest);

    public async Task InitializeAsync()
    {
        node = await BitcoinCoreStandIn.StartAsync();
        sidecar = await FakeDaprSidecar.StartAsync();
        dapr = sidecar.CreateClient();
        // The miner's first coinbase funds the tests (the stand-in does not enforce coinbase maturity).
        funds = new Coin(node.Mine().Transactions[0], 0u);
        node.Mine();
    }

    public async Task DisposeAsync()
    {
        dapr.Dispose();
        await sidecar.DisposeAsync();
        await node.DisposeAsync();
    }

    [Fact]
    public async Task A_payment_to_a_watched_address_is_seen_and_the_engine_assesses_the_request()
    {
        var sink = new RecordingSink();
        var monitor = Monitor(sink, startHeight: node.Height + 1);

        var payment = Pay(node.Miner, ref funds, WatchedAddress, Money.Coins(1.5m));
        var block = node.Mine(payment);
        Assert.Equal(1, await monitor.PollOnceAsync(default));

        var seen = Assert.Single(sink.Seen);
        Assert.Equal((payment.GetHash().ToString(), "tenant-a", "w-1", BitcoinMonitor.ChainId), (seen.TxHash, seen.Wallet.TenantId, seen.Wallet.WalletId, seen.Wallet.ChainId));
        Assert.Equal(((long)node.Height, block.GetHash().ToString(), 1L), (seen.BlockNumber, seen.BlockHash, seen.TransactionIndex));
        Assert.Equal([$"output:{OutputTo(payment, WatchedAddress)}"], seen.Reasons);
        Assert.Equal("bitcoin", seen.Request["chain"]!.GetValue<string>());
        Assert.Equal("raw", seen.Request["kind"]!.GetValue<string>());
        Assert.Equal(payment.GetHash().ToString(), seen.Request["id"]!.GetValue<string>());
        Assert.Equal(payment.ToHex(), seen.Request["raw"]!.GetValue<string>());
        Assert.Equal(block.Header.BlockTime, DateTimeOffset.Parse(seen.Request["context"]!["now"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));

        var result = Engine.AssessJson(seen.Request.ToJsonString());
        Assert.NotEqual(EngineVerdict.Error, result.Verdict);
        Assert.Null(result.Error);
        Assert.Equal(payment.GetHash().ToString(), result.Id);

        // The monitor asked Bitcoin Core for exactly what it documents.
        Assert.Contains(node.Calls, c => c.StartsWith("getblock \"" + block.GetHash() + "\",3", StringComparison.Ordinal));
        Assert.Equal(3, monitor.Verbosity);
    }

    [Fact]
    public async Task A_spend_from_a_watched_address_is_seen_through_the_inputs_prevout()
    {
        var received = Pay(node.Miner, ref funds, WatchedAddress, Money.Coins(2));
        node.Mine(received);
        var sink = new RecordingSink();
        var monitor = Monitor(sink, startHeight: node.Height + 1); // the payment is before the monitor: only the spend can match

        var watchedCoin = new Coin(received, (uint)OutputTo(received, WatchedAddress));
        var spend = Pay(watchedKey, ref watchedCoin, OtherAddress, Money.Coins(1), change: OtherAddress);
        node.Mine(spend);
        Assert.Equal(1, await monitor.PollOnceAsync(default));

        var seen = Assert.Single(sink.Seen);
        Assert.Equal(spend.GetHash().ToString(), seen.TxHash);
        Assert.Equal(["input:0"], seen.Reasons);
        Assert.NotEqual(EngineVerdict.Error, Engine.AssessJson(seen.Request.ToJsonString()).Verdict);
    }

    [Fact]
    public async Task Unrelated_transactions_are_ignored_but_their_blocks_are_checkpointed()
    {
        var sink = new RecordingSink();
        var monitor = Monitor(sink, startHeight: node.Height + 1);

        node.Mine(Pay(node.Miner, ref funds, OtherAddress, Money.Coins(3)));
        node.Mine();
        Assert.Equal(2, await monitor.PollOnceAsync(default));

        Assert.Empty(sink.Seen);
        var checkpoint = await new DaprMonitorCheckpoints(dapr).LoadAsync(monitor.CheckpointKey, default);
        Assert.Equal(((long)node.Height, node.Tip.GetHash().ToString()), (checkpoint!.Number, checkpoint.Hash));
        Assert.Equal("monitor:bitcoin:regtest", monitor.CheckpointKey);
    }

    [Fact]
    public async Task A_coinbase_paying_a_watched_address_is_seen()
    {
        var sink = new RecordingSink();
        var monitor = Monitor(sink, startHeight: node.Height + 1);

        var block = node.Mine(WatchedAddress.ScriptPubKey);
        Assert.Equal(1, await monitor.PollOnceAsync(default));

        var seen = Assert.Single(sink.Seen);
        Assert.Equal((block.Transactions[0].GetHash().ToString(), 0L), (seen.TxHash, seen.TransactionIndex));
        Assert.Equal(["output:0"], seen.Reasons);
        Assert.NotEqual(EngineVerdict.Error, Engine.AssessJson(seen.Request.ToJsonString()).Verdict);
    }

    [Fact]
    public async Task A_restarted_monitor_recovers_exactly_the_blocks_it_missed()
    {
        var first = new RecordingSink();
        var start = node.Height + 1;
        node.Mine(Pay(node.Miner, ref funds, WatchedAddress, Money.Coins(1)));
        Assert.Equal(1, await Monitor(first, start).PollOnceAsync(default));
        Assert.Single(first.Seen);

        // Stopped: three more blocks pay the wallet meanwhile.
        var missed = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var payment = Pay(node.Miner, ref funds, WatchedAddress, Money.Coins(0.1m + i));
            node.Mine(payment);
            missed.Add(payment.GetHash().ToString());
        }

        var second = new RecordingSink();
        var restarted = Monitor(second, start); // same checkpoint store: StartHeight is ignored
        Assert.Equal(3, await restarted.PollOnceAsync(default));
        Assert.Equal(missed, second.Seen.Select(s => s.TxHash));
        Assert.Equal(0, await restarted.PollOnceAsync(default));
    }

    [Fact]
    public async Task A_reorg_rewinds_to_the_common_block_and_reports_the_new_branch()
    {
        var sink = new RecordingSink();
        var monitor = Monitor(sink, node.Height + 1);
        var fork = funds; // the replacement branch spends the same coin differently
        var orphaned = Pay(node.Miner, ref funds, WatchedAddress, Money.Coins(1));
        node.Mine(orphaned);
        node.Mine(Pay(node.Miner, ref funds, WatchedAddress, Money.Coins(2)));
        Assert.Equal(2, await monitor.PollOnceAsync(default));

        // The two blocks are replaced by a branch of three with other transactions.
        node.Disconnect(2);
        node.Mine();
        var replacement = new List<string>
        {
            node.Mine(Pay(node.Miner, ref fork, WatchedAddress, Money.Coins(7))).Transactions[1].GetHash().ToString(),
            node.Mine(Pay(node.Miner, ref fork, WatchedAddress, Money.Coins(8))).Transactions[1].GetHash().ToString(),
        };

        Assert.Equal(3, await monitor.PollOnceAsync(default));
        Assert.Equal([orphaned.GetHash().ToString()], sink.Seen.Take(1).Select(s => s.TxHash));
        Assert.Equal(replacement, sink.Seen.Skip(2).Select(s => s.TxHash));
        var checkpoint = await new DaprMonitorCheckpoints(dapr).LoadAsync(monitor.CheckpointKey, default);
        Assert.Equal(((long)node.Height, node.Tip.GetHash().ToString()), (checkpoint!.Number, checkpoint.Hash));
        Assert.Equal(0, await monitor.PollOnceAsync(default));
    }

    [Fact]
    public async Task Every_tenant_watching_the_address_gets_the_transaction_whatever_the_spelling()
    {
        var sink = new RecordingSink();
        var monitor = Monitor(sink, startHeight: node.Height + 1, wallets:
        [
            new WatchedWallet("tenant-a", "w-1", WatchedAddress.ToString(), BitcoinMonitor.ChainId),
            new WatchedWallet("tenant-b", "w-9", WatchedAddress.ToString().ToUpperInvariant(), BitcoinMonitor.ChainId),
            new WatchedWallet("tenant-c", "w-3", WatchedAddress.ToString(), 1), // an Ethereum chain id: not listed for Bitcoin
            new WatchedWallet("tenant-d", "w-4", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", BitcoinMonitor.ChainId), // not a Bitcoin address
        ]);

        var payment = Pay(node.Miner, ref funds, WatchedAddress, Money.Coins(1));
        node.Mine(payment, Pay(node.Miner, ref funds, OtherAddress, Money.Coins(1)));
        Assert.Equal(1, await monitor.PollOnceAsync(default));

        Assert.Equal(["tenant-a", "tenant-b"], sink.Seen.Select(s => s.Wallet.TenantId).Order(StringComparer.Ordinal));
        Assert.All(sink.Seen, s => Assert.Equal((payment.GetHash().ToString(), 1L), (s.TxHash, s.TransactionIndex)));
    }

    [Fact]
    public async Task A_node_that_rejects_verbosity_3_is_read_at_verbosity_2_and_only_outputs_match()
    {
        node.MaxVerbosity = 2;
        var sink = new RecordingSink();
        var monitor = Monitor(sink, startHeight: node.Height + 1);

        var received = Pay(node.Miner, ref funds, WatchedAddress, Money.Coins(2));
        node.Mine(received);
        var watchedCoin = new Coin(received, (uint)OutputTo(received, WatchedAddress));
        node.Mine(Pay(watchedKey, ref watchedCoin, OtherAddress, Money.Coins(1), change: OtherAddress));
        Assert.Equal(2, await monitor.PollOnceAsync(default));

        Assert.Equal(2, monitor.Verbosity);
        Assert.Equal([received.GetHash().ToString()], sink.Seen.Select(s => s.TxHash));
        Assert.Single(node.Calls, c => c.StartsWith("getblock ", StringComparison.Ordinal) && c.EndsWith(",3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrong_rpc_credentials_fail_the_poll_and_save_no_checkpoint()
    {
        var options = Options(startHeight: node.Height + 1);
        var rpc = BitcoinMonitor.CreateRpcClient(options, new NetworkCredential(BitcoinCoreStandIn.User, "wrong"));
        var monitor = new BitcoinMonitor(rpc, options, new FixedWallets([]), new RecordingSink(), new DaprMonitorCheckpoints(dapr), NullLogger<BitcoinMonitor>.Instance);

        await Assert.ThrowsAsync<HttpRequestException>(() => monitor.PollOnceAsync(default));
        Assert.Null(await new DaprMonitorCheckpoints(dapr).LoadAsync(monitor.CheckpointKey, default));
    }

    [Fact]
    public async Task Without_a_checkpoint_the_monitor_starts_after_the_current_tip()
    {
        var sink = new RecordingSink();
        node.Mine(Pay(node.Miner, ref funds, WatchedAddress, Money.Coins(1))); // before the monitor existed
        var monitor = Monitor(sink, startHeight: null);

        Assert.Equal(0, await monitor.PollOnceAsync(default));
        var after = Pay(node.Miner, ref funds, WatchedAddress, Money.Coins(2));
        node.Mine(after);
        Assert.Equal(1, await monitor.PollOnceAsync(default));
        Assert.Equal([after.GetHash().ToString()], sink.Seen.Select(s => s.TxHash));
    }

    [Fact]
    public async Task The_background_service_polls_until_stopped()
    {
        var sink = new RecordingSink();
        var options = Options(startHeight: node.Height + 1);
        options.PollInterval = TimeSpan.FromMilliseconds(50);
        var monitor = Monitor(sink, options);
        using var service = new BitcoinMonitorService(monitor, options, TimeProvider.System, NullLogger<BitcoinMonitorService>.Instance);

        var payment = Pay(node.Miner, ref funds, WatchedAddress, Money.Coins(1));
        node.Mine(payment);
        await service.StartAsync(default);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (sink.Seen.Count == 0) await Task.Delay(20, deadline.Token);
        await service.StopAsync(default);

        Assert.Equal([payment.GetHash().ToString()], sink.Seen.Select(s => s.TxHash));
    }

    private BitcoinMonitorOptions Options(long? startHeight) =>
        new() { RpcUrl = node.RpcUrl, Network = "regtest", StartHeight = startHeight, ReorgDepth = 6 };

    private BitcoinMonitor Monitor(RecordingSink sink, long? startHeight, IReadOnlyList<WatchedWallet>? wallets = null) =>
        Monitor(sink, Options(startHeight), wallets);

    private BitcoinMonitor Monitor(RecordingSink sink, BitcoinMonitorOptions options, IReadOnlyList<WatchedWallet>? wallets = null) =>
        new(BitcoinMonitor.CreateRpcClient(options, new NetworkCredential(BitcoinCoreStandIn.User, BitcoinCoreStandIn.Password)), options,
            new FixedWallets(wallets ?? [new WatchedWallet("tenant-a", "w-1", WatchedAddress.ToString(), BitcoinMonitor.ChainId)]), sink,
            new DaprMonitorCheckpoints(dapr), NullLogger<BitcoinMonitor>.Instance);

    /// <summary>A signed P2WPKH transaction spending <paramref name="coin"/>; the change (to the signer unless said otherwise) becomes the next coin.</summary>
    private static Transaction Pay(Key signer, ref Coin coin, BitcoinAddress to, Money amount, BitcoinAddress? change = null)
    {
        var changeScript = (change ?? signer.PubKey.GetAddress(ScriptPubKeyType.Segwit, Regtest)).ScriptPubKey;
        var builder = Regtest.CreateTransactionBuilder();
        var tx = builder.AddCoins(coin).AddKeys(signer).Send(to, amount).SetChange(changeScript).SendFees(Money.Satoshis(2_000)).BuildTransaction(sign: true);
        Assert.True(builder.Verify(tx, out var errors), string.Join("; ", errors.Select(e => e.ToString())));
        if (change is null) coin = new Coin(tx, (uint)tx.Outputs.FindIndex(o => o.ScriptPubKey == changeScript));
        return tx;
    }

    private static int OutputTo(Transaction tx, BitcoinAddress address) => tx.Outputs.FindIndex(o => o.ScriptPubKey == address.ScriptPubKey);

    private sealed class FixedWallets(IReadOnlyList<WatchedWallet> wallets) : IWatchedWallets
    {
        public Task<IReadOnlyList<WatchedWallet>> ListAsync(long chainId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<WatchedWallet>>([.. wallets.Where(w => w.ChainId == chainId)]);
    }

    private sealed class RecordingSink : IObservedTransactionSink
    {
        private readonly List<ObservedTransaction> seen = [];

        public IReadOnlyList<ObservedTransaction> Seen
        {
            get { lock (seen) return [.. seen]; }
        }

        public Task HandleAsync(ObservedTransaction transaction, CancellationToken cancellationToken)
        {
            lock (seen) seen.Add(transaction);
            return Task.CompletedTask;
        }
    }
}
