using NBitcoin.Secp256k1;

namespace Scorpius.RiskEngine.Decoding.Evm;

/// <summary>
/// secp256k1 public-key recovery for Ethereum signatures and EIP-55 addresses. Recovery uses NBitcoin.Secp256k1 (a
/// managed port of libsecp256k1): measured about 6x faster than Nethereum's BouncyCastle-based EthECKey recovery.
/// </summary>
internal static class EthSignature
{
    /// <summary>secp256k1 group order n, big-endian.</summary>
    private static ReadOnlySpan<byte> CurveOrder =>
    [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
        0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
    ];

    /// <summary>floor(n / 2), big-endian: the largest s EIP-2 allows.</summary>
    private static ReadOnlySpan<byte> HalfCurveOrder =>
    [
        0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
    ];

    /// <summary>Why (r, s) is unusable, or null when 0 &lt; r &lt; n and 0 &lt; s &lt; n (and s ≤ n/2 when <paramref name="lowS"/>).</summary>
    /// <param name="r">Minimal big-endian r (no leading zeros, at most 32 bytes).</param>
    /// <param name="s">Minimal big-endian s (no leading zeros, at most 32 bytes).</param>
    public static string? CheckRange(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, bool lowS)
    {
        if (r.IsEmpty)
        {
            return "r is zero";
        }

        if (s.IsEmpty)
        {
            return "s is zero";
        }

        if (CompareToConstant(r, CurveOrder) >= 0)
        {
            return "r is not below the secp256k1 order n";
        }

        if (CompareToConstant(s, CurveOrder) >= 0)
        {
            return "s is not below the secp256k1 order n";
        }

        if (lowS && CompareToConstant(s, HalfCurveOrder) > 0)
        {
            return "s is above n/2 (EIP-2 requires low-s signatures)";
        }

        return null;
    }

    /// <summary>Compares a minimal big-endian integer with a 32-byte big-endian constant.</summary>
    private static int CompareToConstant(ReadOnlySpan<byte> value, ReadOnlySpan<byte> constant)
    {
        if (value.Length != 32)
        {
            return value.Length < 32 ? -1 : 1;
        }

        return value.SequenceCompareTo(constant);
    }

    /// <summary>
    /// Recovers the 20-byte address that signed <paramref name="hash"/>; false when no public key matches (for
    /// example the recovered point is at infinity or r is not the x-coordinate of a curve point).
    /// </summary>
    public static bool TryRecoverAddress(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, int recoveryId, Span<byte> address20)
    {
        Span<byte> compact = stackalloc byte[64];
        compact.Clear();
        r.CopyTo(compact[(32 - r.Length)..32]);
        s.CopyTo(compact[(64 - s.Length)..]);
        if (!SecpRecoverableECDSASignature.TryCreateFromCompact(compact, recoveryId, out var signature) || signature is null)
        {
            return false;
        }

        if (!ECPubKey.TryRecover(Context.Instance, signature, hash, out var publicKey) || publicKey is null)
        {
            return false;
        }

        Span<byte> uncompressed = stackalloc byte[65];
        publicKey.WriteToSpan(false, uncompressed, out _);
        Span<byte> digest = stackalloc byte[32];
        Keccak256.Hash(uncompressed[1..], digest);
        digest[12..].CopyTo(address20);
        return true;
    }

    /// <summary>The EIP-55 mixed-case checksum form of a 20-byte address, with 0x.</summary>
    public static string ToChecksumAddress(ReadOnlySpan<byte> address20)
    {
        Span<byte> lowerHex = stackalloc byte[40];
        const string Digits = "0123456789abcdef";
        for (var i = 0; i < 20; i++)
        {
            lowerHex[2 * i] = (byte)Digits[address20[i] >> 4];
            lowerHex[(2 * i) + 1] = (byte)Digits[address20[i] & 0xf];
        }

        Span<byte> digest = stackalloc byte[32];
        Keccak256.Hash(lowerHex, digest);
        Span<char> chars = stackalloc char[42];
        chars[0] = '0';
        chars[1] = 'x';
        for (var i = 0; i < 40; i++)
        {
            var c = (char)lowerHex[i];
            var nibble = (i % 2 == 0 ? digest[i / 2] >> 4 : digest[i / 2]) & 0xf;
            chars[i + 2] = c >= 'a' && nibble >= 8 ? (char)(c - 32) : c;
        }

        return new string(chars);
    }
}
