using Npgsql;
using Scorpius.AuditTrail.Storage;
using Scorpius.Ledger.Canonical;
using Scorpius.Ledger.Entries;

namespace Scorpius.Ledger.Benchmarks;

/// <summary>Fresh stores and realistic entries for the benchmarks.</summary>
internal static class Stores
{
    /// <summary>An audit event's canonical payload, about the size services publish.</summary>
    public static readonly byte[] Payload = JsonCanonicalizer.Canonicalize("""
        {"tenantId":"tenant-a","actor":"user:alice@example.com","action":"policy.update","resource":"policy/p-2f9c1e",
         "outcome":"success","reason":"quarterly review","details":{"rule":"r7","previous":"block","next":"warn","ticket":"SEC-1234"},
         "occurredAt":"2026-01-02T03:04:05.678Z"}
        """u8);

    private static long counter;

    public static async Task<ILedgerStore> CreateAsync(string kind) => kind switch
    {
        "Postgres" => new PostgresLedgerStore(NpgsqlDataSource.Create(await BenchmarkPostgres.CreateDatabaseAsync("bench"))),
        "Sqlite" => new SqliteLedgerStore(Path.Combine(Directory.CreateTempSubdirectory("scorpius-bench-sqlite-").FullName, "audit-trail.db")),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A new, unique audit event entry, as the intake makes it from a delivery.</summary>
    public static PendingEntry NextEntry()
    {
        var n = Interlocked.Increment(ref counter);
        return new PendingEntry(EntryKinds.Event, "wallet-guard", $"bench-{n}", "io.scorpius.audit.v1", "2026-01-02T03:04:05Z", Payload, PayloadFormats.Rfc8785);
    }

    public static List<PendingEntry> NextBatch(int size) => Enumerable.Range(0, size).Select(_ => NextEntry()).ToList();
}
