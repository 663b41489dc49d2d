using System.Text.Json;
using Scorpius.Ledger.Merkle;

namespace Scorpius.AuditTrail.Tests.Ledger;

/// <summary>The proof verifier against every inclusion and consistency vector of transparency-dev/merkle (TestData/merkle).</summary>
public sealed class MerkleVectorTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "TestData", "merkle");

    public static IEnumerable<object[]> InclusionVectors => Files("inclusion");
    public static IEnumerable<object[]> ConsistencyVectors => Files("consistency");

    [Fact]
    public void All_vectors_are_present()
    {
        var inclusion = InclusionVectors.Select(v => Load((string)v[0])).ToList();
        var consistency = ConsistencyVectors.Select(v => Load((string)v[0])).ToList();
        Assert.Equal(98, inclusion.Count);
        Assert.Equal(98, consistency.Count);
        Assert.Equal(6, inclusion.Count(v => !v.GetProperty("wantErr").GetBoolean()));
        Assert.Equal(6, consistency.Count(v => !v.GetProperty("wantErr").GetBoolean()));
    }

    [Theory]
    [MemberData(nameof(InclusionVectors))]
    public void Inclusion_vector(string file)
    {
        var v = Load(file);
        var verify = () => ProofVerifier.VerifyInclusion(
            Uint64(v, "leafIdx"), Uint64(v, "treeSize"),
            Hash(v, "leafHash"), Hashes(v), Hash(v, "root"));
        if (v.GetProperty("wantErr").GetBoolean()) Assert.Throws<LedgerVerificationException>(verify);
        else verify();
    }

    [Theory]
    [MemberData(nameof(ConsistencyVectors))]
    public void Consistency_vector(string file)
    {
        var v = Load(file);
        var verify = () => ProofVerifier.VerifyConsistency(
            Uint64(v, "size1"), Uint64(v, "size2"),
            Hash(v, "root1"), Hash(v, "root2"), Hashes(v));
        if (v.GetProperty("wantErr").GetBoolean()) Assert.Throws<LedgerVerificationException>(verify);
        else verify();
    }

    [Fact]
    public void The_reference_tree_roots_are_reproduced_by_the_ledger_and_by_the_independent_implementation()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, "reference-tree.json")));
        var leaves = doc.RootElement.GetProperty("leafInputsHex").EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToList();
        foreach (var root in doc.RootElement.GetProperty("rootHashesBySize").EnumerateObject())
        {
            var size = int.Parse(root.Name, System.Globalization.CultureInfo.InvariantCulture);
            var expected = root.Value.GetString()!;
            var range = new CompactRange(0, []);
            foreach (var leaf in leaves.Take(size)) range.Append(MerkleHash.Leaf(leaf));
            Assert.Equal(expected, Convert.ToHexStringLower(range.Root()));
            Assert.Equal(expected, Convert.ToHexStringLower(ReferenceMerkle.Mth(leaves.Take(size).ToList())));
        }
    }

    private static IEnumerable<object[]> Files(string kind) =>
        Directory.EnumerateFiles(Path.Combine(Root, kind), "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal).Select(f => new object[] { f });

    private static JsonElement Load(string file) => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Root, file))).RootElement;

    // The vectors are Go uint64s; "index - 1" of index 0 is 2^64 - 1, which wraps to -1 here and is equally out of range.
    private static long Uint64(JsonElement v, string name) => unchecked((long)v.GetProperty(name).GetUInt64());

    private static byte[] Hash(JsonElement v, string name) => Convert.FromBase64String(v.GetProperty(name).GetString()!);

    // Go writes an empty proof (a nil slice) as null.
    private static byte[][] Hashes(JsonElement v) => v.GetProperty("proof") is { ValueKind: JsonValueKind.Array } proof
        ? proof.EnumerateArray().Select(p => Convert.FromBase64String(p.GetString()!)).ToArray()
        : [];
}
