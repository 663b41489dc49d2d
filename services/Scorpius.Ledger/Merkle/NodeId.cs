namespace Scorpius.Ledger.Merkle;

/// <summary>
/// A perfect subtree of the log: the 2^<see cref="Level"/> leaves starting at leaf <c>Index × 2^Level</c>.
/// Level 0 is a leaf hash. Once the log holds all its leaves, the hash of such a node never changes.
/// </summary>
public readonly record struct NodeId(int Level, long Index)
{
    public long FirstLeaf => Index << Level;
    public long LeafCount => 1L << Level;
    public override string ToString() => $"node({Level},{Index})";
}

/// <summary>A stored tree node: its position and hash.</summary>
public sealed record TreeNode(NodeId Id, byte[] Hash);
