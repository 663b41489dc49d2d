using System.Security.Cryptography;

namespace Scorpius.Ledger.Merkle;

/// <summary>
/// RFC 9162 §2.1.1 (= RFC 6962 §2.1) hashing with SHA-256: a leaf is hashed as SHA-256(0x00 ‖ entry), an interior
/// node as SHA-256(0x01 ‖ left ‖ right), and the empty tree's root is SHA-256 of nothing.
/// </summary>
public static class MerkleHash
{
    public const int Size = 32;
    private const byte LeafPrefix = 0x00, NodePrefix = 0x01;

    public static byte[] EmptyRoot { get; } = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    public static byte[] Leaf(ReadOnlySpan<byte> entry)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData([LeafPrefix]);
        sha.AppendData(entry);
        return sha.GetHashAndReset();
    }

    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * Size];
        buffer[0] = NodePrefix;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + left.Length)..]);
        return SHA256.HashData(buffer[..(1 + left.Length + right.Length)]);
    }
}
