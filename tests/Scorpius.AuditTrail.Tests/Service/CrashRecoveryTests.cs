using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using Scorpius.AuditTrail.Api;
using Scorpius.AuditTrail.Storage;
using Scorpius.AuditTrail.Tests.TestSupport;
using Scorpius.AuditTrail.Verification;
using Scorpius.Testing.Fixtures;

namespace Scorpius.AuditTrail.Tests.Service;

/// <summary>
/// Two audit-trail processes append to one store at once; one is killed (SIGKILL) while deliveries are in flight.
/// Every delivery it acknowledged must be in the ledger, once; redelivering everything adds nothing twice; and the
/// tree stays one gapless total order that verifies.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CrashRecoveryTests(PostgresFixture postgres)
{
    private const int Events = 2400;

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("Postgres")]
    public async Task Killing_an_instance_mid_batch_loses_no_acknowledged_event_and_redelivery_adds_no_duplicate(string storeKind)
    {
        var folder = Directory.CreateTempSubdirectory("scorpius-crash-").FullName;
        var sqlitePath = Path.Combine(folder, "audit-trail.db");
        var connectionString = storeKind == "Postgres" ? await postgres.Server.CreateDatabaseAsync("crash") : "";
        var environment = new Dictionary<string, string> { ["AuditTrail__Store"] = storeKind, ["AuditTrail__SqlitePath"] = sqlitePath };
        if (storeKind == "Postgres") environment["ConnectionStrings__Postgres"] = connectionString;

        try
        {
            await using var a = await AppProcess.StartAsync(environment);
            await using var b = await AppProcess.StartAsync(environment);
            var acknowledged = new ConcurrentBag<int>();
            var unacknowledged = new ConcurrentBag<int>();
            var killed = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, Events), new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (n, ct) =>
            {
                var target = n % 2 == 0 ? a : b;
                if (await DeliverAsync(target, n, ct)) acknowledged.Add(n);
                else unacknowledged.Add(n);
                if (acknowledged.Count >= Events / 4 && Interlocked.Exchange(ref killed, 1) == 0) a.Kill();
            });
            var output = a.Output;
            await a.DisposeAsync();

            Assert.Equal(1, killed);
            Assert.NotEmpty(unacknowledged); // the kill cut deliveries off: it happened mid-stream
            Assert.All(unacknowledged, n => Assert.Equal(0, n % 2)); // only the killed instance failed to acknowledge

            // Restart the killed instance on the same store: everything acknowledged is there, exactly once.
            await using var restarted = await AppProcess.StartAsync(environment);
            var stored = await ReadAllAsync(storeKind, sqlitePath, connectionString);
            var ids = stored.Select(e => e.EventId).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.Equal(Enumerable.Range(0, stored.Count).Select(i => (long)i), stored.Select(e => e.Index));
            var missing = acknowledged.Where(n => !ids.Contains($"evt-{n}")).ToList();
            Assert.True(missing.Count == 0, $"Acknowledged but lost: {string.Join(", ", missing.Take(20))}\n{output}");
            await AssertConsistentAsync(restarted, stored.Count);

            // daprd redelivers what was not acknowledged (here: everything, to both instances): no duplicates.
            await Parallel.ForEachAsync(Enumerable.Range(0, Events), new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (n, ct) =>
                Assert.True(await DeliverAsync(n % 2 == 0 ? restarted : b, n, ct), $"evt-{n} was not acknowledged on redelivery."));
            await AssertConsistentAsync(b, Events);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<bool> DeliverAsync(AppProcess app, int n, CancellationToken cancellationToken)
    {
        using var content = new StringContent(TestEvents.CloudEvent(n).ToJsonString(), Encoding.UTF8, "application/cloudevents+json");
        try
        {
            using var response = await app.Client.PostAsync(AuditSubscription.Route, content, cancellationToken);
            return response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<DeliveryAnswer>(cancellationToken))?.Status == "SUCCESS";
        }
        catch (HttpRequestException)
        {
            return false; // the process died: daprd sees no answer and will redeliver
        }
    }

    private static async Task AssertConsistentAsync(AppProcess app, long size)
    {
        // The cron binding's route runs the same verification as POST /v1/verification; the test calls it as the sidecar would.
        var response = await app.Client.PostAsync("/" + LedgerApi.VerifyCronBinding, null);
        var report = (await response.Content.ReadFromJsonAsync<VerificationReport>())!;
        Assert.True(report.Consistent, report.Problem);
        Assert.Equal(size, report.TreeSize);
    }

    private static async Task<IReadOnlyList<StoredEntry>> ReadAllAsync(string storeKind, string sqlitePath, string connectionString)
    {
        if (storeKind == "Sqlite")
        {
            await using var sqlite = new SqliteLedgerStore(sqlitePath);
            return await sqlite.GetEntriesAsync(0, Events * 2, default);
        }
        await using var source = NpgsqlDataSource.Create(connectionString);
        await using var store = new PostgresLedgerStore(source);
        return await store.GetEntriesAsync(0, Events * 2, default);
    }
}
