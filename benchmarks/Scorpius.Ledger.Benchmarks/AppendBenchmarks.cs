using BenchmarkDotNet.Attributes;
using Scorpius.AuditTrail.Ledger;
using Scorpius.AuditTrail.Storage;

namespace Scorpius.Ledger.Benchmarks;

/// <summary>
/// Batched, transactional appends through <see cref="AuditLedger"/> (dedup lookup, sealing, leaf and node hashing,
/// writes, commit). One operation is one appended entry: appends/s = 1 / mean.
/// </summary>
public class AppendBenchmarks
{
    private ILedgerStore store = null!;
    private AuditLedger ledger = null!;

    [Params("Postgres", "Sqlite")]
    public string Store { get; set; } = "";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        store = await Stores.CreateAsync(Store);
        ledger = new AuditLedger(store, TimeProvider.System);
        await ledger.AppendAsync(Stores.NextBatch(10), default);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await store.DisposeAsync();

    [Benchmark(OperationsPerInvoke = 100, Description = "append, batches of 100")]
    public Task Append100Async() => ledger.AppendAsync(Stores.NextBatch(100), default);

    [Benchmark(OperationsPerInvoke = 1000, Description = "append, batches of 1000")]
    public Task Append1000Async() => ledger.AppendAsync(Stores.NextBatch(1000), default);
}
