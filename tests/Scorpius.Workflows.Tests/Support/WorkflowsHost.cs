using Grpc.Net.ClientFactory;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;
using Scorpius.Testing;
using Scorpius.Testing.Identity;
using Scorpius.Testing.Sidecar;
using Scorpius.Testing.Workflows;

namespace Scorpius.Workflows.Tests.Support;

/// <summary>
/// The workflows app in process (WebApplicationFactory) behind a fake sidecar (state, pub/sub with delivery, secrets,
/// invocation), with the stand-in for auth-proxy (tokens, and this app's service token) and the stand-in for
/// audit-trail registered on it; optionally the real Dapr workflow worker on an in-process engine. Test doubles all.
/// </summary>
public sealed class WorkflowsHost : IAsyncDisposable
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private WorkflowsHost(FakeDaprSidecar sidecar, TestIdentity identity, AuditTrailStandIn auditTrail, InProcessWorkflowEngine? engine, ScorpiusAppFactory<Program> app)
    {
        Sidecar = sidecar;
        Identity = identity;
        AuditTrail = auditTrail;
        Engine = engine;
        App = app;
    }

    public FakeDaprSidecar Sidecar { get; }
    public TestIdentity Identity { get; }
    public AuditTrailStandIn AuditTrail { get; }
    public InProcessWorkflowEngine? Engine { get; }
    public ScorpiusAppFactory<Program> App { get; }
    public IServiceProvider Services => App.Services;
    public Dapr.Workflow.DaprWorkflowClient Workflows => Services.GetRequiredService<Dapr.Workflow.DaprWorkflowClient>();

    /// <param name="workflows">Run the real workflow worker on an in-process engine.</param>
    /// <param name="unreachableEngine">Aim the workflow client at a closed port (the engine is down).</param>
    public static async Task<WorkflowsHost> StartAsync(bool workflows = true, bool unreachableEngine = false,
        IReadOnlyDictionary<string, string?>? settings = null, bool auditTrailSubscribes = true)
    {
        var sidecar = await FakeDaprSidecar.StartAsync();
        var identity = TestIdentity.On(sidecar);
        sidecar.SetSecret(DaprNames.SecretStore, ServiceTokens.SecretName, new Dictionary<string, string> { [ScorpiusApps.WorkflowsId] = "workflows-test-secret" });
        var auditTrail = new AuditTrailStandIn(auditTrailSubscribes);
        sidecar.AddApp(ScorpiusApps.AuditTrailId, auditTrail.CreateClient());
        var engine = workflows ? await InProcessWorkflowEngine.StartAsync() : null;
        var app = new Factory(sidecar, settings, services =>
        {
            if (engine is not null) services.UseInProcessWorkflowEngine(engine);
            if (unreachableEngine) services.PostConfigureAll<GrpcClientFactoryOptions>(o => o.Address = new Uri(ScorpiusAppFactory<Program>.NoSidecar));
        }) { KeepWorkflowWorker = workflows };
        var client = app.CreateClient();
        client.Timeout = WaitLimit;
        sidecar.AddApp(ScorpiusApps.WorkflowsId, client);
        return new WorkflowsHost(sidecar, identity, auditTrail, engine, app);
    }

    /// <summary>A client of the app with <paramref name="token"/> as bearer credential.</summary>
    public HttpClient ClientWith(string token)
    {
        var client = TestIdentity.Authorize(App.CreateClient(), token);
        client.Timeout = WaitLimit;
        return client;
    }

    public string Token(string tenant, string subject, params string[] scopes) => Identity.Token(new TokenSpec(tenant, scopes) { Subject = subject });

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        if (Engine is not null) await Engine.DisposeAsync();
        await Sidecar.DisposeAsync();
    }

    private sealed class Factory(FakeDaprSidecar sidecar, IReadOnlyDictionary<string, string?>? settings, Action<IServiceCollection> configure)
        : ScorpiusAppFactory<Program>(sidecar, settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(configure);
        }
    }
}

/// <summary>One host with the real worker on an in-process engine, shared by a test class.</summary>
public sealed class WorkflowsHostFixture : IAsyncLifetime
{
    private WorkflowsHost? host;

    public WorkflowsHost Host => host ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => host = await WorkflowsHost.StartAsync();

    public async Task DisposeAsync()
    {
        if (host is not null) await host.DisposeAsync();
    }
}
