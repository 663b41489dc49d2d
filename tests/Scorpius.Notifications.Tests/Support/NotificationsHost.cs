using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Scorpius.Contracts;
using Scorpius.Notifications.Endpoints;
using Scorpius.Notifications.Signing;
using Scorpius.Testing;
using Scorpius.Testing.Identity;
using Scorpius.Testing.Sidecar;
using Scorpius.Testing.Workflows;

namespace Scorpius.Notifications.Tests.Support;

/// <summary>
/// The notifications app in process (WebApplicationFactory), its Dapr client on the shared fake sidecar (state,
/// pub/sub, secrets, bindings), its egress on <see cref="DaprInvocationStandIn"/>, and optionally its workflow worker
/// on the in-process workflow engine. Loopback is allowlisted for the SSRF guard, and http:// is accepted.
/// </summary>
public sealed class NotificationsHost : IAsyncDisposable
{
    public const string Tenant = "tenant-a";

    /// <summary>The value of secret notifications/webhookSecretsKey in the fake secret store.</summary>
    public const string SecretsKey = "test-only-not-a-secret-webhook-secrets-key";

    private readonly bool ownsSidecar;

    private NotificationsHost(FakeDaprSidecar sidecar, bool ownsSidecar, DaprInvocationStandIn dapr, InProcessWorkflowEngine? engine, Factory factory, TestIdentity identity)
    {
        Identity = identity;
        Sidecar = sidecar;
        this.ownsSidecar = ownsSidecar;
        Dapr = dapr;
        Engine = engine;
        App = factory;
        // The management API's own client: a principal of the test tenant allowed to manage webhooks.
        Client = TestIdentity.Authorize(factory.CreateClient(), identity.Token(Tenant, Permissions.WebhooksManage));
    }

    /// <summary>Issues the tokens this app accepts (the stand-in for auth-proxy behind the sidecar).</summary>
    public TestIdentity Identity { get; }

    /// <summary>A client of the app holding <paramref name="token"/>.</summary>
    public HttpClient ClientWith(string token) => TestIdentity.Authorize(App.CreateClient(), token);

    public FakeDaprSidecar Sidecar { get; }
    public DaprInvocationStandIn Dapr { get; }
    public InProcessWorkflowEngine? Engine { get; private set; }
    public ScorpiusAppFactory<Program> App { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => App.Services;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <param name="workflows">Run the real Dapr workflow worker on an in-process engine (otherwise it is removed).</param>
    /// <param name="sidecar">An existing sidecar (its state survives this host: a restart); by default a new one, with <paramref name="sidecarOptions"/>.</param>
    public static async Task<NotificationsHost> StartAsync(
        bool workflows = false, Action<IServiceCollection>? services = null, IReadOnlyDictionary<string, string?>? settings = null,
        FakeDaprSidecar? sidecar = null, FakeSidecarOptions? sidecarOptions = null)
    {
        var owns = sidecar is null;
        sidecar ??= await FakeDaprSidecar.StartAsync(sidecarOptions);
        sidecar.SetSecret(DaprNames.SecretStore, SecretProtector.SecretName, new Dictionary<string, string> { [SecretProtector.SecretKey] = SecretsKey });
        sidecar.AddBinding(DaprNames.Email);
        sidecar.AddBinding(DaprNames.Sms);
        var dapr = await DaprInvocationStandIn.StartAsync(sidecar.ApiToken, sidecar.HttpEndpoint);
        var identity = TestIdentity.On(sidecar);
        var engine = workflows ? await InProcessWorkflowEngine.StartAsync() : null;

        var all = new Dictionary<string, string?>
        {
            ["DAPR_HTTP_ENDPOINT"] = dapr.Endpoint,
            ["Notifications:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Notifications:AllowedNetworks:1"] = "::1/128",
            ["Notifications:AllowInsecureHttp"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        var factory = new Factory(sidecar, all, s =>
        {
            if (engine is not null) s.UseInProcessWorkflowEngine(engine);
            services?.Invoke(s);
        }) { KeepWorkflowWorker = workflows };

        var host = new NotificationsHost(sidecar, owns, dapr, engine, factory, identity);
        // daprd delivers pub/sub messages to the app; a shared sidecar already knows the first host's client.
        if (owns) sidecar.AddApp(ScorpiusApps.NotificationsId, factory.CreateClient());
        return host;
    }

    /// <summary>Creates an endpoint through the API and returns it with its signing secret.</summary>
    public async Task<EndpointCreated> CreateEndpointAsync(string url, string[]? eventTypes = null, PayloadFormat format = PayloadFormat.Standard, string tenant = Tenant)
    {
        var response = await Client.PostAsJsonAsync($"/v1/tenants/{tenant}/endpoints",
            new EndpointRequest(url, eventTypes ?? [DaprNames.Topics.AlertRaised], format), Json);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<EndpointCreated>(Json))!;
    }

    /// <summary>Creates a webhook endpoint for <paramref name="receiver"/> and makes the receiver trust its secret.</summary>
    public async Task<EndpointCreated> CreateEndpointAsync(WebhookReceiver receiver, string[]? eventTypes = null, PayloadFormat format = PayloadFormat.Standard)
    {
        var created = await CreateEndpointAsync(receiver.HookUrl, eventTypes, format);
        Assert.StartsWith(WebhookVerifier.SecretPrefix, created.SigningSecret, StringComparison.Ordinal);
        receiver.Keys.Add(created.SigningSecret!);
        return created;
    }

    public static AlertRaised Alert(string alertId, string tenant = Tenant, DateTimeOffset? at = null) => new(
        alertId, tenant, Severity.Critical, "approval", "Unlimited approval to a flagged address", $"{tenant}:0xf39f:UNLIMITED_APPROVAL", "asm-1",
        new WalletRef("ethereum", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 1), new Dictionary<string, string> { ["chain"] = "ethereum" },
        at ?? new DateTimeOffset(2026, 11, 26, 4, 47, 44, TimeSpan.Zero));

    /// <summary>Stops the workflow engine under the running app, as if the sidecar's workflow runtime went away.</summary>
    public async Task StopWorkflowEngineAsync()
    {
        if (Engine is not { } engine) return;
        Engine = null;
        await engine.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        if (Engine is not null) await Engine.DisposeAsync();
        await Dapr.DisposeAsync();
        if (ownsSidecar) await Sidecar.DisposeAsync();
    }

    private sealed class Factory(FakeDaprSidecar sidecar, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection> configure)
        : ScorpiusAppFactory<Program>(sidecar, settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(configure);
        }
    }
}
