using Microsoft.Extensions.DependencyInjection;
using Scorpius.Contracts;
using Scorpius.Ledger.Notes;
using Scorpius.Testing;
using Scorpius.Testing.Identity;
using Scorpius.Testing.Sidecar;

namespace Scorpius.AuditTrail.Tests.TestSupport;

/// <summary>
/// The audit-trail app in process (WebApplicationFactory) against a fake Dapr sidecar that holds its signing key,
/// on its own SQLite file (or the PostgreSQL database given). daprd's side is driven through the sidecar.
/// </summary>
internal sealed class AuditTrailApp : IAsyncDisposable
{
    private readonly ScorpiusAppFactory<Program> factory;
    private readonly string folder;

    private AuditTrailApp(FakeDaprSidecar sidecar, ScorpiusAppFactory<Program> factory, string folder, string sqlitePath, NoteSigner? signer)
    {
        Sidecar = sidecar;
        this.factory = factory;
        this.folder = folder;
        SqlitePath = sqlitePath;
        Signer = signer;
        Identity = TestIdentity.On(sidecar);
        // The operator's client: the platform tenant sees every entry and may run whole-log operations.
        Client = TestIdentity.Authorize(factory.CreateClient(), Identity.AllScopes(ScorpiusTenants.Platform));
        SidecarClient = factory.CreateClient();
        SidecarClient.DefaultRequestHeaders.Add("dapr-api-token", sidecar.Options.AppApiToken);
        sidecar.AddApp(ScorpiusApps.AuditTrailId, factory.CreateClient());
    }

    /// <summary>Issues the tokens the app accepts.</summary>
    public TestIdentity Identity { get; }

    /// <summary>Calls the app as its sidecar does (app API token): bindings and subscriptions.</summary>
    public HttpClient SidecarClient { get; }

    /// <summary>A client of the app holding <paramref name="token"/>.</summary>
    public HttpClient ClientWith(string token) => TestIdentity.Authorize(factory.CreateClient(), token);

    public FakeDaprSidecar Sidecar { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => factory.Services;
    public string SqlitePath { get; }

    /// <summary>The key put in the secret store at start (null if started without one).</summary>
    public NoteSigner? Signer { get; }

    public static async Task<AuditTrailApp> StartAsync(bool withSigningKey = true, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var sidecar = await FakeDaprSidecar.StartAsync();
        var signer = withSigningKey ? SetSigningKey(sidecar) : null;
        var folder = Directory.CreateTempSubdirectory("scorpius-audit-app-").FullName;
        var sqlitePath = Path.Combine(folder, "audit-trail.db");
        var all = new Dictionary<string, string?>
        {
            ["AuditTrail:SqlitePath"] = sqlitePath,
            ["AuditTrail:Origin"] = LedgerHarness.Origin,
            ["AuditTrail:SigningKeyRefresh"] = "00:00:00",
            ["AuditTrail:CheckpointInterval"] = "01:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        return new AuditTrailApp(sidecar, new ScorpiusAppFactory<Program>(sidecar, all), folder, sqlitePath, signer);
    }

    /// <summary>Writes a new signing key into the sidecar's secret store, as an operator rotating the key would.</summary>
    public static NoteSigner SetSigningKey(FakeDaprSidecar sidecar) => LedgerHarness.SetSigningKey(sidecar);

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await factory.DisposeAsync();
        await Sidecar.DisposeAsync();
        Signer?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
