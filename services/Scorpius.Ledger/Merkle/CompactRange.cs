namespace Scorpius.Ledger.Merkle;

/// <summary>
/// The right edge of a growing tree: the roots of its perfect subtrees, largest first. Appending a leaf merges equal
/// subtrees and reports every perfect node it completes, which is what the log stores.
/// </summary>
public sealed class CompactRange
{
    private readonly List<(int Level, byte[] Hash)> stack = [];

    /// <param name="size">The tree's current size.</param>
    /// <param name="edge">The hashes of <c>MerkleMath.Decompose(new LeafRange(0, size))</c>, in that order.</param>
    public CompactRange(long size, IReadOnlyList<byte[]> edge)
    {
        var ids = MerkleMath.Decompose(new LeafRange(0, size));
        if (ids.Count != edge.Count) throw new ArgumentException($"A tree of size {size} has {ids.Count} edge nodes, not {edge.Count}.", nameof(edge));
        for (var i = 0; i < ids.Count; i++) stack.Add((ids[i].Level, edge[i]));
        Size = size;
    }

    public long Size { get; private set; }

    /// <summary>Appends a leaf hash; returns the nodes it completes (the leaf itself first, at level 0).</summary>
    public IReadOnlyList<TreeNode> Append(byte[] leafHash)
    {
        var index = Size++;
        var completed = new List<TreeNode> { new(new NodeId(0, index), leafHash) };
        var level = 0;
        var hash = leafHash;
        while (stack.Count > 0 && stack[^1].Level == level)
        {
            hash = MerkleHash.Node(stack[^1].Hash, hash);
            stack.RemoveAt(stack.Count - 1);
            level++;
            completed.Add(new TreeNode(new NodeId(level, index >> level), hash));
        }
        stack.Add((level, hash));
        return completed;
    }

    public byte[] Root() => MerkleMath.Fold(stack.Select(s => s.Hash).ToArray());
}
