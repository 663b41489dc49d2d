using System.Numerics;

namespace Scorpius.Ledger.Merkle;

/// <summary>A leaf range [<see cref="Start"/>, <see cref="End"/>) of the log, whose Merkle tree hash (MTH) a proof carries.</summary>
public readonly record struct LeafRange(long Start, long End)
{
    public long Count => End - Start;
}

/// <summary>
/// The recursive definitions of RFC 9162 §2.1.3.1 (PATH) and §2.1.4.1 (PROOF/SUBPROOF), expressed as the leaf ranges
/// whose hashes make up each proof, and how any range decomposes into perfect subtrees (<see cref="NodeId"/>s).
/// </summary>
public static class MerkleMath
{
    /// <summary>The largest power of two strictly less than <paramref name="n"/> (n ≥ 2): the split point k of RFC 9162.</summary>
    public static long Split(long n) => n < 2 ? throw new ArgumentOutOfRangeException(nameof(n)) : 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    /// <summary>The ranges of the audit path for leaf <paramref name="index"/> in a tree of <paramref name="size"/> leaves, leaf to root.</summary>
    public static IReadOnlyList<LeafRange> InclusionRanges(long index, long size)
    {
        if (index < 0 || index >= size) throw new ArgumentOutOfRangeException(nameof(index), $"Leaf {index} is not in a tree of size {size}.");
        var ranges = new List<LeafRange>();
        Path(index, 0, size, ranges);
        return ranges;
    }

    private static void Path(long m, long start, long end, List<LeafRange> into)
    {
        var n = end - start;
        if (n == 1) return;
        var k = Split(n);
        if (m < k)
        {
            Path(m, start, start + k, into);
            into.Add(new LeafRange(start + k, end));
        }
        else
        {
            Path(m - k, start + k, end, into);
            into.Add(new LeafRange(start, start + k));
        }
    }

    /// <summary>The ranges of the consistency proof from tree size <paramref name="first"/> to <paramref name="second"/> (0 &lt; first ≤ second).</summary>
    public static IReadOnlyList<LeafRange> ConsistencyRanges(long first, long second)
    {
        if (first <= 0 || first > second) throw new ArgumentOutOfRangeException(nameof(first), $"No consistency proof from size {first} to size {second}.");
        var ranges = new List<LeafRange>();
        SubProof(first, 0, second, true, ranges);
        return ranges;
    }

    private static void SubProof(long m, long start, long end, bool complete, List<LeafRange> into)
    {
        var n = end - start;
        if (m == n)
        {
            if (!complete) into.Add(new LeafRange(start, end));
            return;
        }
        var k = Split(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, complete, into);
            into.Add(new LeafRange(start + k, end));
        }
        else
        {
            SubProof(m - k, start + k, end, false, into);
            into.Add(new LeafRange(start, start + k));
        }
    }

    /// <summary>
    /// The perfect subtrees that make up <paramref name="range"/>, left to right and largest first, as RFC 9162 splits
    /// it (k = largest power of two below n). Every range that appears in a proof starts at a multiple of its first
    /// subtree's size, so the result names stored nodes. <c>Decompose(0, size)</c> is the right edge of the tree.
    /// </summary>
    public static IReadOnlyList<NodeId> Decompose(LeafRange range)
    {
        var nodes = new List<NodeId>();
        var start = range.Start;
        var remaining = range.Count;
        while (remaining > 0)
        {
            var level = 63 - BitOperations.LeadingZeroCount((ulong)remaining);
            if ((start & ((1L << level) - 1)) != 0) throw new ArgumentException($"Range [{range.Start},{range.End}) is not aligned to perfect subtrees.", nameof(range));
            nodes.Add(new NodeId(level, start >> level));
            start += 1L << level;
            remaining -= 1L << level;
        }
        return nodes;
    }

    /// <summary>The Merkle tree hash of a range from the hashes of its <see cref="Decompose"/> subtrees, folded right to left.</summary>
    public static byte[] Fold(IReadOnlyList<byte[]> subtreeHashes)
    {
        if (subtreeHashes.Count == 0) return MerkleHash.EmptyRoot;
        var hash = subtreeHashes[^1];
        for (var i = subtreeHashes.Count - 2; i >= 0; i--) hash = MerkleHash.Node(subtreeHashes[i], hash);
        return hash;
    }

    /// <summary>Resolves proof ranges to hashes, given the hashes of every node the ranges decompose into.</summary>
    public static byte[][] Resolve(IEnumerable<LeafRange> ranges, IReadOnlyDictionary<NodeId, byte[]> nodes) =>
        ranges.Select(r => Fold(Decompose(r).Select(id => nodes.TryGetValue(id, out var h) ? h
            : throw new KeyNotFoundException($"The hash of {id} is missing.")).ToArray())).ToArray();
}
