using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Nethereum.Web3;
using Scorpius.ChainMonitor;
using Scorpius.Contracts;
using Scorpius.WalletGuard.Assessments;
using Scorpius.WalletGuard.Monitoring;
using Scorpius.WalletGuard.Tests.Support;
using Scorpius.WalletGuard.Wallets;

namespace Scorpius.WalletGuard.Tests;

/// <summary>
/// wallet-guard's side of the chain monitor against the fake sidecar: the wallets it watches across tenants, the sink
/// that runs the assessment pipeline for a mined transaction, the RPC API key from the secret store, and the
/// registration switched by <c>Monitor:Ethereum:RpcUrl</c>. The monitor itself runs against anvil in
/// Scorpius.ChainMonitor.Tests and end to end in Scorpius.EndToEnd.Tests.
/// </summary>
public sealed class MonitorTests : IAsyncLifetime
{
    private const long ChainId = 31337;
    private const string Eoa = "0x1111111111111111111111111111111111111111";
    private WalletGuardHost host = null!;

    public async Task InitializeAsync() => host = await WalletGuardHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    private WatchedWalletDirectory Directory => new(host.Services.GetRequiredService<WalletStore>());

    private MonitorAssessmentSink Sink => new(host.Services.GetRequiredService<AssessmentService>(), NullLogger<MonitorAssessmentSink>.Instance);

    [Fact]
    public async Task Every_tenants_ethereum_wallets_on_the_chain_are_watched_and_nothing_else()
    {
        var a = await host.CreateWalletAsync("ethereum", Requests.Wallet, ChainId);
        await host.CreateWalletAsync("ethereum", Requests.Wallet, 1); // same address, another chain
        await host.CreateWalletAsync("bitcoin", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
        using var other = host.ClientFor(WalletGuardHost.OtherTenant);
        var b = await host.CreateWalletAsync("ethereum", Requests.Friend, ChainId, other);

        var watched = await Directory.ListAsync(ChainId, default);

        Assert.Equal(
            [new WatchedWallet(WalletGuardHost.Tenant, a.Id, a.Address, ChainId), new WatchedWallet(WalletGuardHost.OtherTenant, b.Id, b.Address, ChainId)],
            watched.OrderBy(w => w.TenantId, StringComparer.Ordinal));
        Assert.Empty(await Directory.ListAsync(5, default));
    }

    [Fact]
    public async Task Tenants_creating_their_first_wallets_concurrently_all_get_into_the_tenant_index()
    {
        var tenants = Enumerable.Range(0, 12).Select(i => $"tenant-{i:00}").ToArray();
        await Task.WhenAll(tenants.Select(async t =>
        {
            using var client = host.ClientFor(t);
            await host.CreateWalletAsync("ethereum", Requests.Wallet, ChainId, client);
        }));

        Assert.Equal(tenants, (await host.Services.GetRequiredService<WalletStore>().ListTenantsAsync(default)).Order(StringComparer.Ordinal));
        Assert.Equal(tenants, (await Directory.ListAsync(ChainId, default)).Select(w => w.TenantId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_tenant_whose_wallets_are_deleted_stays_indexed_but_has_nothing_watched()
    {
        var wallet = await host.CreateWalletAsync("ethereum", Requests.Wallet, ChainId);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/v1/wallets/{wallet.Id}")).StatusCode);

        Assert.Equal([WalletGuardHost.Tenant], await host.Services.GetRequiredService<WalletStore>().ListTenantsAsync(default));
        Assert.Empty(await Directory.ListAsync(ChainId, default));
    }

    [Fact]
    public async Task A_mined_transaction_runs_the_assessment_pipeline_and_is_published_from_the_monitor()
    {
        var wallet = await host.CreateWalletAsync("ethereum", Requests.Wallet, ChainId);
        var observed = Observed(wallet, "0xAB01", Requests.Approve("ignored", Eoa), eoas: [Eoa]);

        await Sink.HandleAsync(observed, default);

        var published = Assert.Single(host.Published());
        Assert.Equal(ProtectionRequested.FromMonitor, published.Source);
        Assert.Equal(AssessmentService.MonitorAssessmentId(ChainId, "0xab01", wallet.Id), published.AssessmentId);
        Assert.Equal($"tx-31337-0xab01-{wallet.Id}", published.AssessmentId);
        Assert.Equal((WalletGuardHost.Tenant, wallet.Id), (published.TenantId, published.WalletId));
        Assert.Equal("0xAB01", published.Request.GetProperty("id").GetString()); // the request as mined: its id is the transaction hash
        Assert.Equal(Verdict.Malicious, published.Verdict!.Verdict);
        Assert.Contains(published.Verdict.Findings, f => f.Code == "APPROVAL_TO_EOA");
        Assert.Equal(PolicyAction.Block, published.Verdict.Action);
        // The wallet's actor decided and recorded it, as for the API.
        var decision = Assert.Single((await host.Actors.Actor($"{WalletGuardHost.Tenant}:{wallet.Id}").GetActivityAsync()).Decisions);
        Assert.Equal(published.AssessmentId, decision.AssessmentId);
    }

    [Fact]
    public async Task The_wallets_known_counterparties_reach_the_engine_so_a_look_alike_recipient_is_poisoning()
    {
        var wallet = await host.CreateWalletAsync("ethereum", Requests.Wallet, ChainId);
        await Sink.HandleAsync(Observed(wallet, "0x01", Requests.TokenTransfer("x", Requests.Friend), eoas: [Requests.Friend]), default);
        await Sink.HandleAsync(Observed(wallet, "0x02", Requests.TokenTransfer("x", Requests.Friend), eoas: [Requests.Friend]), default);
        await Sink.HandleAsync(Observed(wallet, "0x03", Requests.TokenTransfer("x", Requests.LookAlike), eoas: [Requests.LookAlike]), default);

        var published = host.Published();
        Assert.Equal([Verdict.Benign, Verdict.Benign, Verdict.Malicious], published.Select(p => p.Verdict!.Verdict));
        Assert.Equal([PolicyAction.Allow, PolicyAction.Allow, PolicyAction.Block], published.Select(p => p.Verdict!.Action));
        Assert.Contains(published[2].Verdict!.Findings, f => f.Code == "ADDRESS_POISONING");
    }

    [Fact]
    public async Task A_transaction_seen_again_maps_to_the_same_assessment_and_so_the_same_workflow_instance()
    {
        var wallet = await host.CreateWalletAsync("ethereum", Requests.Wallet, ChainId);
        var observed = Observed(wallet, "0xAB02", Requests.NativeTransfer("x", Requests.Friend, "1"));

        await Sink.HandleAsync(observed, default);
        await Sink.HandleAsync(observed, default);

        var published = host.Published();
        Assert.Equal(2, published.Count);
        Assert.Equal(published[0].InstanceId, published[1].InstanceId);
        // The wallet's actor keeps the first decision: the transfer is counted once towards velocity.
        var activity = await host.Actors.Actor($"{WalletGuardHost.Tenant}:{wallet.Id}").GetActivityAsync();
        Assert.Single(activity.Decisions);
        Assert.Equal(1, activity.Buckets.Sum(b => b.Count));
    }

    [Fact]
    public async Task Every_tenant_watching_the_address_gets_its_own_assessment()
    {
        var a = await host.CreateWalletAsync("ethereum", Requests.Wallet, ChainId);
        using var other = host.ClientFor(WalletGuardHost.OtherTenant);
        var b = await host.CreateWalletAsync("ethereum", Requests.Wallet, ChainId, other);
        var request = Requests.NativeTransfer("x", Requests.Friend, "1");

        await Sink.HandleAsync(Observed(a, "0xAB03", request), default);
        await Sink.HandleAsync(Observed(b, "0xAB03", request, WalletGuardHost.OtherTenant), default);

        Assert.Equal([(WalletGuardHost.Tenant, a.Id), (WalletGuardHost.OtherTenant, b.Id)], host.Published().Select(p => (p.TenantId, p.WalletId!)));
        Assert.NotEqual(host.Published()[0].AssessmentId, host.Published()[1].AssessmentId);
    }

    [Fact]
    public async Task A_wallet_deleted_or_moved_since_the_poll_is_not_assessed()
    {
        var wallet = await host.CreateWalletAsync("ethereum", Requests.Wallet, ChainId);
        var observed = Observed(wallet, "0xAB04", Requests.NativeTransfer("x", Requests.Friend, "1"));
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/v1/wallets/{wallet.Id}")).StatusCode);

        await Sink.HandleAsync(observed, default);
        await Sink.HandleAsync(observed with { Wallet = observed.Wallet with { TenantId = WalletGuardHost.OtherTenant } }, default);

        Assert.Empty(host.Published());
        Assert.Equal(0, host.Actors.Created);
    }

    [Fact]
    public async Task The_api_key_placeholder_in_the_rpc_url_is_filled_from_the_secret_store()
    {
        host.Sidecar.SetSecret(DaprNames.SecretStore, RpcApiKeyHandler.SecretName,
            new Dictionary<string, string> { [RpcApiKeyHandler.SecretKey] = "k3y/with+chars" });
        var inner = new RecordingHandler();
        using var dapr = host.Sidecar.CreateClient();
        using var client = new HttpClient(new RpcApiKeyHandler(new WalletGuardSecrets(dapr)) { InnerHandler = inner });

        await client.PostAsync(new Uri("https://rpc.example/v2/{apiKey}"), new StringContent("{}"));
        await client.PostAsync(new Uri("https://rpc.example/v2/{apiKey}"), new StringContent("{}"));
        await client.PostAsync(new Uri("http://127.0.0.1:8545/"), new StringContent("{}"));

        Assert.Equal(["https://rpc.example/v2/k3y%2Fwith%2Bchars", "https://rpc.example/v2/k3y%2Fwith%2Bchars", "http://127.0.0.1:8545/"], inner.Urls);
        Assert.Single(host.Sidecar.Calls, c => c.Method == "GetSecret"); // read once
    }

    [Fact]
    public async Task Without_the_api_key_in_the_secret_store_a_placeholder_url_fails_and_sends_nothing()
    {
        var inner = new RecordingHandler();
        using var dapr = host.Sidecar.CreateClient();
        using var client = new HttpClient(new RpcApiKeyHandler(new WalletGuardSecrets(dapr)) { InnerHandler = inner });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.PostAsync(new Uri("https://rpc.example/v2/{apiKey}"), new StringContent("{}")));
        Assert.Empty(inner.Urls);
        Assert.Contains($"the secret '{RpcApiKeyHandler.SecretName}'", error.Message, StringComparison.Ordinal);

        host.Sidecar.SetSecret(DaprNames.SecretStore, RpcApiKeyHandler.SecretName, new Dictionary<string, string> { ["other"] = "x" });
        using var again = new HttpClient(new RpcApiKeyHandler(new WalletGuardSecrets(dapr)) { InnerHandler = inner });
        error = await Assert.ThrowsAsync<InvalidOperationException>(() => again.PostAsync(new Uri("https://rpc.example/v2/{apiKey}"), new StringContent("{}")));
        Assert.Contains($"has no entry '{RpcApiKeyHandler.SecretKey}'", error.Message, StringComparison.Ordinal);
        Assert.Empty(inner.Urls);
    }

    [Fact]
    public async Task The_monitor_is_hosted_only_when_an_rpc_url_is_configured()
    {
        Assert.Null(host.Services.GetService<EthereumMonitor>());
        Assert.DoesNotContain(host.Services.GetServices<IHostedService>(), s => s is EthereumMonitorService);

        await using var monitored = await WalletGuardHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Monitor:Ethereum:RpcUrl"] = "http://127.0.0.1:9/{apiKey}", // nothing listens: its polls fail and back off
            ["Monitor:Ethereum:ChainId"] = "31337",
            ["Monitor:Ethereum:PollInterval"] = "00:00:05",
        });
        Assert.NotNull(monitored.Services.GetRequiredService<EthereumMonitor>());
        Assert.Contains(monitored.Services.GetServices<IHostedService>(), s => s is EthereumMonitorService);
        Assert.IsType<WatchedWalletDirectory>(monitored.Services.GetRequiredService<IWatchedWallets>());
        Assert.IsType<MonitorAssessmentSink>(monitored.Services.GetRequiredService<IObservedTransactionSink>());
        Assert.IsType<DaprMonitorCheckpoints>(monitored.Services.GetRequiredService<IMonitorCheckpoints>());
        Assert.IsType<Web3>(monitored.Services.GetRequiredService<IWeb3>());
        Assert.Equal((31337L, TimeSpan.FromSeconds(5)), (monitored.Services.GetRequiredService<EthereumMonitorOptions>().ChainId,
            monitored.Services.GetRequiredService<EthereumMonitorOptions>().PollInterval));
    }

    [Fact]
    public async Task Bitcoin_wallets_are_watched_by_the_bitcoin_monitor_with_rpc_credentials_from_the_secret_store()
    {
        var btc = await host.CreateWalletAsync("bitcoin", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
        await host.CreateWalletAsync("ethereum", Requests.Wallet, ChainId);
        Assert.Equal([new WatchedWallet(WalletGuardHost.Tenant, btc.Id, btc.Address, BitcoinMonitor.ChainId)], await Directory.ListAsync(BitcoinMonitor.ChainId, default));

        host.Sidecar.SetSecret(DaprNames.SecretStore, ScorpiusApps.WalletGuardId, new Dictionary<string, string>
        {
            [BitcoinRpcCredentialsHandler.UserKey] = "rpcuser", [BitcoinRpcCredentialsHandler.PasswordKey] = "rpc-pa:ss",
        });
        var inner = new RecordingHandler();
        using var dapr = host.Sidecar.CreateClient();
        using var client = new HttpClient(new BitcoinRpcCredentialsHandler(new WalletGuardSecrets(dapr)) { InnerHandler = inner });
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:18443/") { Content = new StringContent("{}") };
        request.Headers.Authorization = new("Basic", "cGxhY2Vob2xkZXI="); // what NBitcoin's client puts there
        await client.SendAsync(request);
        Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("rpcuser:rpc-pa:ss")), inner.Authorizations.Single());

        Assert.Null(host.Services.GetService<BitcoinMonitor>());
        await using var monitored = await WalletGuardHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Monitor:Bitcoin:RpcUrl"] = "http://127.0.0.1:9/", // nothing listens: its polls fail and back off
            ["Monitor:Bitcoin:Network"] = "main",
            ["Monitor:Bitcoin:PollInterval"] = "00:00:05",
        });
        Assert.NotNull(monitored.Services.GetRequiredService<BitcoinMonitor>());
        Assert.Contains(monitored.Services.GetServices<IHostedService>(), s => s is BitcoinMonitorService);
        Assert.DoesNotContain(monitored.Services.GetServices<IHostedService>(), s => s is EthereumMonitorService);
        Assert.IsType<WatchedWalletDirectory>(monitored.Services.GetRequiredService<IWatchedWallets>());
    }

    private static ObservedTransaction Observed(Wallet wallet, string txHash, JsonObject request, string tenant = WalletGuardHost.Tenant, string[]? eoas = null)
    {
        request["id"] = txHash;
        request["chainId"] = ChainId;
        request["transaction"]!["chainId"] = ChainId;
        request["context"] = new JsonObject { ["eoas"] = new JsonArray([.. (eoas ?? []).Select(e => (JsonNode)JsonValue.Create(e))]) };
        return new ObservedTransaction(new WatchedWallet(tenant, wallet.Id, wallet.Address, ChainId), txHash, 7, "0xb7", 0, ["from"], request);
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<string> Urls { get; } = [];
        public List<string> Authorizations { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Urls.Add(request.RequestUri!.AbsoluteUri);
            Authorizations.Add(request.Headers.Authorization?.ToString() ?? "");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
