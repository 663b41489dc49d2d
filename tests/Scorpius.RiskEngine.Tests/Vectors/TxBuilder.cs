using System.Numerics;
using System.Security.Cryptography;
using Nethereum.Signer;
using Nethereum.Util;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>
/// Builds signed typed transactions for the kinds no vector file covers (EIP-4844 blob, EIP-7702 set-code edge cases).
/// Its RLP encoder and its signing (Nethereum's EthECKey and Keccak) are independent of the decoder under test.
/// </summary>
internal static class TxBuilder
{
    public const string KeyA = "0x4646464646464646464646464646464646464646464646464646464646464646";
    public const string KeyB = "0x0123456789012345678901234567890123456789012345678901234567890123";
    public const string To = "0x3535353535353535353535353535353535353535";

    public static byte[] Int(BigInteger value) => value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.StartsWith("0x", StringComparison.Ordinal) ? hex[2..] : hex);

    /// <summary>RLP of a byte string.</summary>
    public static byte[] Str(byte[] bytes) => bytes is [< 0x80] ? bytes : [.. Header(0x80, bytes.Length), .. bytes];

    /// <summary>RLP of a list whose items are already encoded.</summary>
    public static byte[] List(params byte[][] encodedItems)
    {
        var payload = encodedItems.SelectMany(i => i).ToArray();
        return [.. Header(0xc0, payload.Length), .. payload];
    }

    public static byte[] Num(BigInteger value) => Str(Int(value));

    private static byte[] Header(int offset, int length)
    {
        if (length < 56)
        {
            return [(byte)(offset + length)];
        }

        var lengthBytes = Int(length);
        return [(byte)(offset + 55 + lengthBytes.Length), .. lengthBytes];
    }

    public static string AddressOf(string key) => new EthECKey(key).GetPublicAddress();

    /// <summary>Signs keccak256(type || rlp(fields)) and returns type || rlp(fields ++ [yParity, r, s]).</summary>
    public static byte[] SignTyped(byte type, string key, byte[][] fields, bool highS = false)
    {
        var unsigned = List(fields);
        var hash = new Sha3Keccack().CalculateHash([type, .. unsigned]);
        var signature = new EthECKey(key).SignAndCalculateYParityV(hash);
        var s = new BigInteger(signature.S, isUnsigned: true, isBigEndian: true);
        var yParity = signature.V is [1] ? 1 : 0;
        if (highS)
        {
            // The same signature with s' = n - s (and the other parity) still recovers the key, but breaks EIP-2.
            s = SecpN - s;
            yParity ^= 1;
        }

        return [type, .. List([.. fields, Num(yParity), Num(new BigInteger(signature.R, isUnsigned: true, isBigEndian: true)), Num(s)])];
    }

    public static readonly BigInteger SecpN = BigInteger.Parse("115792089237316195423570985008687907852837564279074904382605163141518161494337", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A signed EIP-7702 authorization [chainId, address, nonce, yParity, r, s].</summary>
    public static byte[] Authorization(string key, BigInteger chainId, string address, BigInteger nonce, int? forceYParity = null, bool highS = false)
    {
        var message = List(Num(chainId), Str(Hex(address)), Num(nonce));
        var hash = new Sha3Keccack().CalculateHash([0x05, .. message]);
        var signature = new EthECKey(key).SignAndCalculateYParityV(hash);
        var s = new BigInteger(signature.S, isUnsigned: true, isBigEndian: true);
        var yParity = signature.V is [1] ? 1 : 0;
        if (highS)
        {
            s = SecpN - s;
            yParity ^= 1;
        }

        return List(Num(chainId), Str(Hex(address)), Num(nonce), Num(forceYParity ?? yParity), Num(new BigInteger(signature.R, isUnsigned: true, isBigEndian: true)), Num(s));
    }

    /// <summary>Fields of an EIP-7702 transaction before the signature.</summary>
    public static byte[][] SetCodeFields(long chainId, ulong gasLimit, string? to, byte[] data, params byte[][] authorizations) =>
    [
        Num(chainId), Num(7), Num(1_000_000_000), Num(30_000_000_000), Num(gasLimit), Str(to is null ? [] : Hex(to)), Num(0), Str(data), List(),
        List(authorizations),
    ];

    /// <summary>KZG-shaped commitments (48 bytes each; not real KZG points: the decoder does not verify proofs).</summary>
    public static byte[][] Commitments(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Enumerable.Repeat((byte)(0xc0 + i), 48).ToArray())];

    /// <summary>EIP-4844 versioned hash: 0x01 || sha256(commitment)[1..].</summary>
    public static byte[] VersionedHash(byte[] commitment)
    {
        var hash = SHA256.HashData(commitment);
        hash[0] = 0x01;
        return hash;
    }

    /// <summary>Fields of an EIP-4844 transaction before the signature.</summary>
    public static byte[][] BlobFields(long chainId, string? to, byte[][] versionedHashes, ulong gasLimit = 100_000) =>
    [
        Num(chainId), Num(3), Num(1_000_000_000), Num(30_000_000_000), Num(gasLimit), Str(to is null ? [] : Hex(to)), Num(12345), Str([0xca, 0xfe]),
        List(List(Str(Hex(To)), List(Str(new byte[32])))),
        Num(1_000_000), List([.. versionedHashes.Select(Str)]),
    ];

    /// <summary>The EIP-4844 network form 0x03 || rlp([tx, blobs, commitments, proofs]) (version 0), or with cell proofs (version 1).</summary>
    public static byte[] Wrap(byte[] signedBlobTx, byte[][] commitments, int version = 0)
    {
        var body = signedBlobTx[1..];
        var blobs = List([.. commitments.Select(_ => Str(new byte[131072]))]);
        var commitmentList = List([.. commitments.Select(Str)]);
        var proofCount = version == 0 ? commitments.Length : commitments.Length * 128;
        var proofs = List([.. Enumerable.Range(0, proofCount).Select(_ => Str(new byte[48]))]);
        return version == 0
            ? [0x03, .. List(body, blobs, commitmentList, proofs)]
            : [0x03, .. List(body, Num(version), blobs, commitmentList, proofs)];
    }
}
