using BenchmarkDotNet.Attributes;
using Scorpius.AuditTrail.Ledger;
using Scorpius.AuditTrail.Storage;
using Scorpius.Ledger.Merkle;

namespace Scorpius.Ledger.Benchmarks;

/// <summary>Inclusion and consistency proofs generated from a stored ledger of 100,000 entries (one database read each).</summary>
public class StoredProofBenchmarks
{
    private const int Size = 100_000;
    private ILedgerStore store = null!;
    private AuditLedger ledger = null!;
    private readonly Random random = new(42);

    [Params("Postgres", "Sqlite")]
    public string Store { get; set; } = "";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        store = await Stores.CreateAsync(Store);
        ledger = new AuditLedger(store, TimeProvider.System);
        for (var i = 0; i < Size; i += 2000) await ledger.AppendAsync(Stores.NextBatch(2000), default);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await store.DisposeAsync();

    [Benchmark(Description = "inclusion proof from store")]
    public Task<byte[][]> InclusionAsync() => ledger.InclusionProofAsync(random.NextInt64(Size), Size, default);

    [Benchmark(Description = "consistency proof from store")]
    public Task<byte[][]> ConsistencyAsync() => ledger.ConsistencyProofAsync(1 + random.NextInt64(Size - 1), Size, default);
}

/// <summary>Proof generation from nodes in memory, and verification, for a tree of 2^17 + 12345 leaves (proofs of 17-18 hashes).</summary>
public class ProofBenchmarks
{
    private const long Size = (1 << 17) + 12345;
    private readonly Dictionary<NodeId, byte[]> nodes = [];
    private readonly Random random = new(7);
    private byte[] root = [];
    private (long Index, byte[] Leaf, byte[][] Proof)[] inclusion = [];
    private (long First, byte[] FirstRoot, byte[][] Proof)[] consistency = [];
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        var tree = new CompactRange(0, []);
        var roots = new Dictionary<long, byte[]>();
        var firsts = Enumerable.Range(0, 64).Select(_ => 1 + random.NextInt64(Size - 1)).ToHashSet();
        for (long i = 0; i < Size; i++)
        {
            foreach (var node in tree.Append(MerkleHash.Leaf(BitConverter.GetBytes(i)))) nodes[node.Id] = node.Hash;
            if (firsts.Contains(tree.Size)) roots[tree.Size] = tree.Root();
        }
        root = tree.Root();
        inclusion = Enumerable.Range(0, 64).Select(_ => random.NextInt64(Size))
            .Select(i => (i, nodes[new NodeId(0, i)], MerkleMath.Resolve(MerkleMath.InclusionRanges(i, Size), nodes))).ToArray();
        consistency = firsts.Select(f => (f, roots[f], MerkleMath.Resolve(MerkleMath.ConsistencyRanges(f, Size), nodes))).ToArray();
    }

    [Benchmark(Description = "inclusion proof from memory")]
    public byte[][] GenerateInclusion() => MerkleMath.Resolve(MerkleMath.InclusionRanges(random.NextInt64(Size), Size), nodes);

    [Benchmark(Description = "verify inclusion proof")]
    public void VerifyInclusion()
    {
        var (index, leaf, proof) = inclusion[next++ & 63];
        ProofVerifier.VerifyInclusion(index, Size, leaf, proof, root);
    }

    [Benchmark(Description = "verify consistency proof")]
    public void VerifyConsistency()
    {
        var (first, firstRoot, proof) = consistency[next++ % consistency.Length];
        ProofVerifier.VerifyConsistency(first, Size, firstRoot, root, proof);
    }
}
