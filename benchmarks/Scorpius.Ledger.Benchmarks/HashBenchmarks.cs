using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Scorpius.AuditTrail.Api;
using Scorpius.Ledger.Entries;

namespace Scorpius.Ledger.Benchmarks;

/// <summary>
/// The ceiling: this machine's raw SHA-256 rate for the inputs an append hashes (a 65-byte interior node, a leaf of
/// about 330 bytes, a payload of about 300 bytes), and the per-entry CPU work of the service around the store.
/// </summary>
public class HashBenchmarks
{
    private readonly byte[] node = RandomNumberGenerator.GetBytes(65);
    private readonly byte[] leaf = Stores.NextEntry().Seal(DateTimeOffset.UtcNow).Entry;
    private readonly byte[] delivery = Encoding.UTF8.GetBytes($$"""
        {"specversion":"1.0","id":"evt-1","source":"wallet-guard","type":"io.scorpius.audit.v1","datacontenttype":"application/json",
         "time":"2026-01-02T03:04:05Z","topic":"audit","pubsubname":"scorpius-pubsub","data":{{Encoding.UTF8.GetString(Stores.Payload)}}}
        """);
    private readonly AuditIntake intake = new(1 << 20);
    private PendingEntry entry = null!;

    [GlobalSetup]
    public void Setup() => entry = Stores.NextEntry();

    [Benchmark(Baseline = true, Description = "SHA-256, 65 B (node)")]
    public byte[] Sha256Node() => SHA256.HashData(node);

    [Benchmark(Description = "SHA-256, leaf-sized input")]
    public byte[] Sha256Leaf() => SHA256.HashData(leaf);

    [Benchmark(Description = "seal entry (RFC 8785 header, salt, 2 hashes)")]
    public SealedEntry Seal() => entry.Seal(DateTimeOffset.UtcNow);

    [Benchmark(Description = "intake of one delivery (parse, schema, RFC 8785)")]
    public IntakeResult Intake() => intake.Read(delivery);
}
