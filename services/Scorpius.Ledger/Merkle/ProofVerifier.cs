namespace Scorpius.Ledger.Merkle;

/// <summary>A proof, checkpoint, entry or bundle does not verify. The message says what failed.</summary>
public sealed class LedgerVerificationException(string message) : Exception(message);

/// <summary>
/// Verification of inclusion and consistency proofs, as RFC 9162 §2.1.3.2 and §2.1.4.2 specify, with the edge-case
/// rules of transparency-dev/merkle (whose vectors the tests run): every hash is 32 bytes, proofs have exactly the
/// expected length, and a consistency proof from size 0 is refused.
/// </summary>
public static class ProofVerifier
{
    public static void VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size) throw new LedgerVerificationException($"leaf index {index} is outside a tree of size {size}");
        RequireHash(leafHash, "leaf hash");
        RequireHash(root, "root hash");
        foreach (var p in proof) RequireHash(p, "proof hash");

        var expectedLength = MerkleMath.InclusionRanges(index, size).Count;
        if (proof.Count != expectedLength) throw new LedgerVerificationException($"inclusion proof has {proof.Count} hashes, expected {expectedLength}");

        long fn = index, sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0) throw new LedgerVerificationException("inclusion proof is too long");
            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.Node(p, r);
                if ((fn & 1) == 0)
                {
                    do { fn >>= 1; sn >>= 1; } while ((fn & 1) == 0 && fn != 0);
                }
            }
            else
            {
                r = MerkleHash.Node(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) throw new LedgerVerificationException("inclusion proof is too short");
        if (!r.AsSpan().SequenceEqual(root)) throw new LedgerVerificationException($"inclusion proof of leaf {index} does not lead to the root of tree size {size}");
    }

    public static void VerifyConsistency(long size1, long size2, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2, IReadOnlyList<byte[]> proof)
    {
        if (size1 <= 0) throw new LedgerVerificationException($"no consistency proof exists from tree size {size1}");
        if (size1 > size2) throw new LedgerVerificationException($"tree size {size1} is larger than tree size {size2}");
        if (size1 == size2)
        {
            if (proof.Count != 0) throw new LedgerVerificationException("consistency proof between equal sizes must be empty");
            if (!root1.SequenceEqual(root2)) throw new LedgerVerificationException($"two different roots for tree size {size1}");
            return;
        }
        RequireHash(root1, "first root hash");
        RequireHash(root2, "second root hash");
        foreach (var p in proof) RequireHash(p, "proof hash");
        var expectedLength = MerkleMath.ConsistencyRanges(size1, size2).Count;
        if (proof.Count != expectedLength) throw new LedgerVerificationException($"consistency proof has {proof.Count} hashes, expected {expectedLength}");

        // If size1 is a power of two, the first tree is a complete subtree and its root starts the path.
        var path = (size1 & (size1 - 1)) == 0 ? [root1.ToArray(), .. proof] : proof.ToArray();
        long fn = size1 - 1, sn = size2 - 1;
        while ((fn & 1) == 1) { fn >>= 1; sn >>= 1; }
        var fr = path[0];
        var sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0) throw new LedgerVerificationException("consistency proof is too long");
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.Node(c, fr);
                sr = MerkleHash.Node(c, sr);
                if ((fn & 1) == 0)
                {
                    do { fn >>= 1; sn >>= 1; } while ((fn & 1) == 0 && fn != 0);
                }
            }
            else
            {
                sr = MerkleHash.Node(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        if (sn != 0) throw new LedgerVerificationException("consistency proof is too short");
        if (!fr.AsSpan().SequenceEqual(root1)) throw new LedgerVerificationException($"consistency proof does not lead to the root of tree size {size1}");
        if (!sr.AsSpan().SequenceEqual(root2)) throw new LedgerVerificationException($"consistency proof does not lead to the root of tree size {size2}");
    }

    private static void RequireHash(ReadOnlySpan<byte> hash, string what)
    {
        if (hash.Length != MerkleHash.Size) throw new LedgerVerificationException($"{what} has {hash.Length} bytes, expected {MerkleHash.Size}");
    }
}
