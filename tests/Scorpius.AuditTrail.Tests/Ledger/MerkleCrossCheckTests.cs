using Scorpius.Ledger.Merkle;

namespace Scorpius.AuditTrail.Tests.Ledger;

/// <summary>The ledger's tree code against <see cref="ReferenceMerkle"/>, an independent naive implementation of RFC 9162.</summary>
public sealed class MerkleCrossCheckTests
{
    private static readonly List<byte[]> Leaves = Enumerable.Range(0, 70).Select(i => new byte[] { (byte)i, (byte)(i * 7), 0x5a }).ToList();

    [Fact]
    public void Roots_stored_nodes_and_proofs_equal_the_independent_implementation_for_every_size_up_to_70()
    {
        var range = new CompactRange(0, []);
        var nodes = new Dictionary<NodeId, byte[]>();
        for (var size = 1; size <= Leaves.Count; size++)
        {
            foreach (var node in range.Append(MerkleHash.Leaf(Leaves[size - 1]))) nodes.Add(node.Id, node.Hash);
            var prefix = Leaves.Take(size).ToList();
            var root = ReferenceMerkle.Mth(prefix);
            Assert.Equal(root, range.Root());
            Assert.Equal(root, MerkleMath.Resolve([new LeafRange(0, size)], nodes)[0]);

            for (var m = 0; m < size; m++)
            {
                var proof = MerkleMath.Resolve(MerkleMath.InclusionRanges(m, size), nodes);
                Assert.Equal(ReferenceMerkle.Path(m, prefix), proof);
                ProofVerifier.VerifyInclusion(m, size, MerkleHash.Leaf(Leaves[m]), proof, root);
            }
            for (var m = 1; m <= size; m++)
            {
                var proof = MerkleMath.Resolve(MerkleMath.ConsistencyRanges(m, size), nodes);
                Assert.Equal(ReferenceMerkle.Proof(m, prefix), proof);
                ProofVerifier.VerifyConsistency(m, size, ReferenceMerkle.Mth(Leaves.Take(m).ToList()), root, proof);
            }
        }
    }

    [Fact]
    public void Every_stored_node_is_the_root_of_the_leaves_it_covers()
    {
        var range = new CompactRange(0, []);
        var nodes = Leaves.SelectMany(l => range.Append(MerkleHash.Leaf(l))).ToList();
        Assert.Equal(2 * Leaves.Count - 3, nodes.Count); // 70 leaves + 35 + 17 + 8 + 4 + 2 + 1 perfect nodes above them
        foreach (var node in nodes)
        {
            Assert.Equal(ReferenceMerkle.Mth(Leaves.Skip((int)node.Id.FirstLeaf).Take((int)node.Id.LeafCount).ToList()), node.Hash);
        }
    }

    [Fact]
    public void A_compact_range_resumed_from_stored_edge_nodes_continues_the_same_tree()
    {
        var full = new CompactRange(0, []);
        var nodes = new Dictionary<NodeId, byte[]>();
        foreach (var leaf in Leaves.Take(45)) foreach (var n in full.Append(MerkleHash.Leaf(leaf))) nodes[n.Id] = n.Hash;

        var edge = MerkleMath.Decompose(new LeafRange(0, 45)).Select(id => nodes[id]).ToList();
        var resumed = new CompactRange(45, edge);
        foreach (var leaf in Leaves.Skip(45)) resumed.Append(MerkleHash.Leaf(leaf));
        Assert.Equal(ReferenceMerkle.Mth(Leaves), resumed.Root());
    }

    [Fact]
    public void Every_single_bit_flip_in_a_proof_is_rejected()
    {
        var range = new CompactRange(0, []);
        var nodes = Leaves.Take(13).SelectMany(l => range.Append(MerkleHash.Leaf(l))).ToDictionary(n => n.Id, n => n.Hash);
        var root = range.Root();
        var inclusion = MerkleMath.Resolve(MerkleMath.InclusionRanges(5, 13), nodes);
        var consistency = MerkleMath.Resolve(MerkleMath.ConsistencyRanges(6, 13), nodes);
        var root6 = ReferenceMerkle.Mth(Leaves.Take(6).ToList());
        for (var p = 0; p < inclusion.Length; p++)
        {
            for (var bit = 0; bit < 256; bit++)
            {
                var bad = inclusion.Select(h => h.ToArray()).ToArray();
                bad[p][bit / 8] ^= (byte)(1 << (bit % 8));
                Assert.Throws<LedgerVerificationException>(() => ProofVerifier.VerifyInclusion(5, 13, MerkleHash.Leaf(Leaves[5]), bad, root));
            }
        }
        for (var p = 0; p < consistency.Length; p++)
        {
            var bad = consistency.Select(h => h.ToArray()).ToArray();
            bad[p][p] ^= 0x01;
            Assert.Throws<LedgerVerificationException>(() => ProofVerifier.VerifyConsistency(6, 13, root6, root, bad));
        }
    }
}
