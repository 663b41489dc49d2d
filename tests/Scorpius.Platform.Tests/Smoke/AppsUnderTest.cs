extern alias walletguard;
extern alias authproxy;
extern alias usagemeter;
extern alias audittrail;
extern alias notifications;
extern alias reporting;
extern alias dashboard;
extern alias workflows;

using Microsoft.AspNetCore.Mvc.Testing;
using Scorpius.Contracts;
using Scorpius.Testing;
using Scorpius.Testing.Sidecar;

namespace Scorpius.Platform.Tests.Smoke;

/// <summary>One Scorpius app started in process, whatever its Program type.</summary>
public sealed class AppUnderTest(HttpClient client, IServiceProvider services, IAsyncDisposable factory) : IAsyncDisposable
{
    public HttpClient Client { get; } = client;
    public IServiceProvider Services { get; } = services;

    public static IEnumerable<object[]> AllAppIds => ScorpiusApps.All.Select(a => new object[] { a.AppId });

    /// <summary>The app API token of an app started without a sidecar; its client sends it, as a sidecar would.</summary>
    public const string StandAloneAppToken = "stand-alone-app-api-token";

    public static AppUnderTest Start(string appId, FakeDaprSidecar? sidecar = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>();
        if (sidecar is null) all["APP_API_TOKEN"] = StandAloneAppToken;
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        var app = Create(appId, sidecar, all);
        // The client plays the sidecar for the Dapr-callback endpoints (metrics, deep health, subscriptions).
        app.Client.DefaultRequestHeaders.Add("dapr-api-token", sidecar?.Options.AppApiToken ?? StandAloneAppToken);
        return app;
    }

    private static AppUnderTest Create(string appId, FakeDaprSidecar? sidecar, IReadOnlyDictionary<string, string?> settings) => appId switch
    {
        ScorpiusApps.WalletGuardId => Create(new ScorpiusAppFactory<walletguard::Program>(sidecar, settings)),
        ScorpiusApps.AuthProxyId => Create(new ScorpiusAppFactory<authproxy::Program>(sidecar, settings)),
        ScorpiusApps.UsageMeterId => Create(new ScorpiusAppFactory<usagemeter::Program>(sidecar, settings)),
        ScorpiusApps.AuditTrailId => Create(new ScorpiusAppFactory<audittrail::Program>(sidecar, settings)),
        ScorpiusApps.NotificationsId => Create(new ScorpiusAppFactory<notifications::Program>(sidecar, settings)),
        ScorpiusApps.ReportingId => Create(new ScorpiusAppFactory<reporting::Program>(sidecar, settings)),
        ScorpiusApps.DashboardId => Create(new ScorpiusAppFactory<dashboard::Program>(sidecar, settings)),
        ScorpiusApps.WorkflowsId => Create(new ScorpiusAppFactory<workflows::Program>(sidecar, settings)),
        _ => throw new ArgumentException($"No test host for app-id '{appId}'. Add it here when you add an app.", nameof(appId)),
    };

    private static AppUnderTest Create<T>(WebApplicationFactory<T> factory) where T : class =>
        new(factory.CreateClient(), factory.Services, factory);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await factory.DisposeAsync();
    }
}
