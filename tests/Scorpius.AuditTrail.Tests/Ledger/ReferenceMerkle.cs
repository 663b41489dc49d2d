using System.Security.Cryptography;

namespace Scorpius.AuditTrail.Tests.Ledger;

/// <summary>
/// A second, deliberately naive implementation of RFC 9162 §2.1, written from the RFC's recursive definitions over
/// lists of leaves and sharing no code with Scorpius.Ledger, to cross-check roots and proofs.
/// </summary>
internal static class ReferenceMerkle
{
    public static byte[] Mth(IReadOnlyList<byte[]> leaves) => leaves.Count switch
    {
        0 => SHA256.HashData([]),
        1 => SHA256.HashData([0x00, .. leaves[0]]),
        var n => SHA256.HashData([0x01, .. Mth(leaves.Take(K(n)).ToList()), .. Mth(leaves.Skip(K(n)).ToList())]),
    };

    public static List<byte[]> Path(int m, IReadOnlyList<byte[]> leaves)
    {
        var n = leaves.Count;
        if (n == 1) return [];
        var k = K(n);
        var left = leaves.Take(k).ToList();
        var right = leaves.Skip(k).ToList();
        return m < k ? [.. Path(m, left), Mth(right)] : [.. Path(m - k, right), Mth(left)];
    }

    public static List<byte[]> Proof(int m, IReadOnlyList<byte[]> leaves) => SubProof(m, leaves, true);

    private static List<byte[]> SubProof(int m, IReadOnlyList<byte[]> leaves, bool b)
    {
        var n = leaves.Count;
        if (m == n) return b ? [] : [Mth(leaves)];
        var k = K(n);
        var left = leaves.Take(k).ToList();
        var right = leaves.Skip(k).ToList();
        return m <= k ? [.. SubProof(m, left, b), Mth(right)] : [.. SubProof(m - k, right, false), Mth(left)];
    }

    /// <summary>The largest power of two smaller than n, by counting up.</summary>
    private static int K(int n)
    {
        var k = 1;
        while (k * 2 < n) k *= 2;
        return k;
    }
}
