extern alias audittrail;
extern alias notifications;
extern alias walletguard;
extern alias workflows;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Actors.Client;
using Dapr.Workflow;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Scorpius.ChainMonitor;
using Scorpius.Contracts;
using Scorpius.Ledger.Notes;
using Scorpius.ServiceDefaults.Security;
using Scorpius.Testing;
using Scorpius.Testing.Fixtures;
using Scorpius.Testing.Identity;
using Scorpius.Testing.Sidecar;
using Scorpius.Testing.Workflows;
using Scorpius.WalletGuard.Tests.Support;
using Scorpius.Notifications.Tests.Support;
using AuditTrailProgram = audittrail::Program;
using EndpointCreated = notifications::Scorpius.Notifications.Endpoints.EndpointCreated;
using EndpointRequest = notifications::Scorpius.Notifications.Endpoints.EndpointRequest;
using NotificationsProgram = notifications::Program;
using PayloadFormat = notifications::Scorpius.Notifications.Endpoints.PayloadFormat;
using SecretProtector = notifications::Scorpius.Notifications.Endpoints.SecretProtector;
using Wallet = walletguard::Scorpius.WalletGuard.Wallets.Wallet;
using WalletGuardProgram = walletguard::Program;
using WorkflowsProgram = workflows::Program;

namespace Scorpius.EndToEnd.Tests.Support;

/// <summary>
/// The platform in one process, every part a real app except daprd and auth-proxy: a real anvil node with the test
/// ERC-20 deployed; ONE fake Dapr sidecar (state, pub/sub delivering to every registered app's subscriptions, secrets,
/// invocation) shared by wallet-guard (its chain monitor polling anvil), workflows and notifications (each with the real
/// Dapr workflow worker on its own in-process engine), audit-trail (SQLite in a temp folder, a checkpoint signing key in
/// the secret store) and the auth-proxy stand-in (<see cref="TestIdentity"/>); notifications' egress through the
/// invocation stand-in to a loopback <see cref="SignedWebhookReceiver"/> registered through its API. Test doubles: the
/// sidecar (one for all apps, where each app has its own daprd), the workflow engines (durabletask in memory, not daprd's),
/// wallet-guard's actors (in process, turn-based, state in memory, <see cref="InProcessActorProxyFactory"/>), auth-proxy.
/// </summary>
public sealed class Platform : IAsyncLifetime
{
    public const string Tenant = "tenant-e2e";
    public const long ChainId = 31337;
    public const string LedgerOrigin = "e2e.scorpius.dev/audit";
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly List<IAsyncDisposable> owned = [];
    private readonly SwitchableApp walletGuardSwitch = new();
    private InProcessActorProxyFactory actors = null!;
    private string auditFolder = "";

    public AnvilNode Anvil { get; private set; } = null!;
    public Chain Chain { get; private set; } = null!;
    public FakeDaprSidecar Sidecar { get; private set; } = null!;
    public TestIdentity Identity { get; private set; } = null!;
    public NoteSigner LedgerSigner { get; private set; } = null!;
    public SignedWebhookReceiver Receiver { get; private set; } = null!;
    public string WebhookSecret { get; private set; } = "";
    public Wallet Wallet { get; private set; } = null!;
    public long StartBlock { get; private set; }

    public ScorpiusAppFactory<AuditTrailProgram> AuditTrail { get; private set; } = null!;
    public ScorpiusAppFactory<WorkflowsProgram> Workflows { get; private set; } = null!;
    public ScorpiusAppFactory<NotificationsProgram> Notifications { get; private set; } = null!;

    /// <summary>The running wallet-guard (null while it is stopped).</summary>
    public ScorpiusAppFactory<WalletGuardProgram>? WalletGuard { get; private set; }

    public DaprWorkflowClient WorkflowClient => Workflows.Services.GetRequiredService<DaprWorkflowClient>();

    public async Task InitializeAsync()
    {
        Anvil = await AnvilNode.StartAsync();
        owned.Add(Anvil);
        Chain = new Chain(Anvil);
        await Chain.DeployTokenAsync();
        StartBlock = await Chain.HeadAsync() + 1; // the monitor starts after the deployment

        Sidecar = await FakeDaprSidecar.StartAsync();
        owned.Add(Sidecar);
        Identity = TestIdentity.On(Sidecar);
        Sidecar.SetSecret(DaprNames.SecretStore, ServiceTokens.SecretName, new Dictionary<string, string>
        {
            [ScorpiusApps.WorkflowsId] = "workflows-e2e-secret",
            [ScorpiusApps.WalletGuardId] = "wallet-guard-e2e-secret",
            [ScorpiusApps.NotificationsId] = "notifications-e2e-secret",
            [ScorpiusApps.AuditTrailId] = "audit-trail-e2e-secret",
        });
        LedgerSigner = NoteSigner.Generate(LedgerOrigin);
        Sidecar.SetSecret(DaprNames.SecretStore, "audit-trail", new Dictionary<string, string> { ["checkpointSigningKey"] = LedgerSigner.ExportSeed() });
        Sidecar.SetSecret(DaprNames.SecretStore, SecretProtector.SecretName,
            new Dictionary<string, string> { [SecretProtector.SecretKey] = "e2e-only-not-a-secret-webhook-secrets-key" });
        Sidecar.AddBinding(DaprNames.Email);
        Sidecar.AddBinding(DaprNames.Sms);

        auditFolder = Directory.CreateTempSubdirectory("scorpius-e2e-audit-").FullName;
        AuditTrail = Own(new AppFactory<AuditTrailProgram>(Sidecar, new Dictionary<string, string?>
        {
            ["AuditTrail:SqlitePath"] = Path.Combine(auditFolder, "audit-trail.db"),
            ["AuditTrail:Origin"] = LedgerOrigin,
            ["AuditTrail:SigningKeyRefresh"] = "00:00:00",
            ["AuditTrail:CheckpointInterval"] = "01:00:00",
        }, _ => { }));
        Sidecar.AddApp(ScorpiusApps.AuditTrailId, AuditTrail.CreateClient());

        // Disposal runs in reverse: each app before its engine, every app before the sidecar.
        var workflowsEngine = await InProcessWorkflowEngine.StartAsync();
        owned.Add(workflowsEngine);
        Workflows = Own(new AppFactory<WorkflowsProgram>(Sidecar, null, s => s.UseInProcessWorkflowEngine(workflowsEngine)) { KeepWorkflowWorker = true });
        Sidecar.AddApp(ScorpiusApps.WorkflowsId, Client(Workflows));

        var egress = await DaprInvocationStandIn.StartAsync(Sidecar.ApiToken, Sidecar.HttpEndpoint);
        owned.Add(egress);
        var notificationsEngine = await InProcessWorkflowEngine.StartAsync();
        owned.Add(notificationsEngine);
        Notifications = Own(new AppFactory<NotificationsProgram>(Sidecar, new Dictionary<string, string?>
        {
            ["DAPR_HTTP_ENDPOINT"] = egress.Endpoint,
            ["Notifications:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Notifications:AllowInsecureHttp"] = "true",
        }, s => s.UseInProcessWorkflowEngine(notificationsEngine)) { KeepWorkflowWorker = true });
        Sidecar.AddApp(ScorpiusApps.NotificationsId, Client(Notifications));

        Receiver = await SignedWebhookReceiver.StartAsync();
        owned.Add(Receiver);
        WebhookSecret = await RegisterWebhookAsync();

        // wallet-guard's actors keep their state across its restart, as actor state in the state store would.
        actors = new InProcessActorProxyFactory(TimeProvider.System);
        Sidecar.AddApp(ScorpiusApps.WalletGuardId, new HttpClient(walletGuardSwitch) { BaseAddress = new Uri("http://localhost"), Timeout = WaitLimit });
        await StartWalletGuardAsync();
        Wallet = await ProtectWalletAsync(AnvilNode.DevAccount0Address);
    }

    /// <summary>Starts wallet-guard with its monitor on anvil (polling every 100 ms); a restart resumes from its checkpoint.</summary>
    public async Task StartWalletGuardAsync()
    {
        if (WalletGuard is not null) throw new InvalidOperationException("wallet-guard is running.");
        var app = new AppFactory<WalletGuardProgram>(Sidecar, new Dictionary<string, string?>
        {
            ["Monitor:Ethereum:RpcUrl"] = Anvil.RpcUrl,
            ["Monitor:Ethereum:ChainId"] = ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Monitor:Ethereum:PollInterval"] = "00:00:00.100",
            ["Monitor:Ethereum:StartBlock"] = StartBlock.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, s => s.AddSingleton<IActorProxyFactory>(actors));
        walletGuardSwitch.Target = app.Server.CreateHandler(); // starts the host, and with it the monitor
        WalletGuard = app;
        await Task.CompletedTask;
    }

    /// <summary>Stops wallet-guard (host, monitor and all); meanwhile its sidecar declares no subscriptions.</summary>
    public async Task StopWalletGuardAsync()
    {
        if (WalletGuard is not { } app) return;
        walletGuardSwitch.Target = null;
        WalletGuard = null;
        await app.DisposeAsync();
    }

    /// <summary>A client of <paramref name="app"/> holding a token of the tenant with every permission.</summary>
    public HttpClient TenantClient<TProgram>(ScorpiusAppFactory<TProgram> app) where TProgram : class
    {
        var client = TestIdentity.Authorize(app.CreateClient(), Identity.Token(new TokenSpec(Tenant, [.. Permissions.All]) { ExpiresIn = TimeSpan.FromHours(1) }));
        client.Timeout = WaitLimit;
        return client;
    }

    /// <summary>The checkpoint of wallet-guard's monitor in the state store.</summary>
    public async Task<MonitorCheckpoint?> MonitorCheckpointAsync()
    {
        using var dapr = Sidecar.CreateClient();
        return await new DaprMonitorCheckpoints(dapr).LoadAsync($"monitor:ethereum:{ChainId}", CancellationToken.None);
    }

    private async Task<Wallet> ProtectWalletAsync(string address)
    {
        using var client = TenantClient(WalletGuard!);
        using var response = await client.PostAsJsonAsync("/v1/wallets", new { chain = "ethereum", chainId = ChainId, address, label = "treasury" }, Json);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Wallet>(Json))!;
    }

    private async Task<string> RegisterWebhookAsync()
    {
        // A principal of the tenant allowed only to manage webhooks, as a customer's integration would be.
        using var client = TestIdentity.Authorize(Notifications.CreateClient(), Identity.Token(Tenant, Permissions.WebhooksManage));
        using var response = await client.PostAsJsonAsync($"/v1/tenants/{Tenant}/endpoints",
            new EndpointRequest(Receiver.HookUrl, [DaprNames.Topics.AlertRaised], PayloadFormat.Standard), Json);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var created = (await response.Content.ReadFromJsonAsync<EndpointCreated>(Json))!;
        return created.SigningSecret ?? throw new InvalidOperationException("The endpoint was created without a signing secret.");
    }

    private static HttpClient Client<TProgram>(ScorpiusAppFactory<TProgram> app) where TProgram : class
    {
        var client = app.CreateClient();
        client.Timeout = WaitLimit;
        return client;
    }

    private T Own<T>(T disposable) where T : IAsyncDisposable
    {
        owned.Add(disposable);
        return disposable;
    }

    public async Task DisposeAsync()
    {
        await StopWalletGuardAsync();
        for (var i = owned.Count - 1; i >= 0; i--) await owned[i].DisposeAsync();
        LedgerSigner?.Dispose();
        Identity?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { if (auditFolder.Length > 0) Directory.Delete(auditFolder, recursive: true); } catch (IOException) { }
    }

    private sealed class AppFactory<TProgram>(FakeDaprSidecar sidecar, IReadOnlyDictionary<string, string?>? settings, Action<IServiceCollection> configure)
        : ScorpiusAppFactory<TProgram>(sidecar, settings) where TProgram : class
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(configure);
        }
    }

    /// <summary>
    /// What the sidecar reaches as wallet-guard: the running instance, or, while it is stopped, an app that declares no
    /// subscriptions (404 on /dapr/subscribe) and answers 503 to everything else, so pub/sub delivery to the other apps
    /// goes on as it would with wallet-guard's own daprd gone.
    /// </summary>
    private sealed class SwitchableApp : HttpMessageHandler
    {
        public HttpMessageHandler? Target { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Target is { } target)
            {
                using var invoker = new HttpMessageInvoker(target, disposeHandler: false);
                return await invoker.SendAsync(request, cancellationToken);
            }
            return new HttpResponseMessage(request.RequestUri?.AbsolutePath == "/dapr/subscribe"
                ? System.Net.HttpStatusCode.NotFound : System.Net.HttpStatusCode.ServiceUnavailable);
        }
    }
}
