using System.Globalization;
using System.Numerics;

namespace Scorpius.RiskEngine.Model;

/// <summary>Hex, address and amount parsing shared by the request parser and the decoders.</summary>
public static class Hex
{
    public static readonly BigInteger MaxUint256 = (BigInteger.One << 256) - 1;

    /// <summary>Decodes <c>0x…</c> (or bare) hex; false for odd length or a non-hex character.</summary>
    public static bool TryDecode(string? text, out byte[] bytes)
    {
        bytes = [];
        if (text is null) return false;
        var span = text.AsSpan().Trim();
        if (span.StartsWith("0x") || span.StartsWith("0X")) span = span[2..];
        if (span.Length % 2 != 0) return false;
        var result = new byte[span.Length / 2];
        if (Convert.FromHexString(span, result, out _, out var written) != System.Buffers.OperationStatus.Done || written != result.Length)
            return false;
        bytes = result;
        return true;
    }

    public static string Encode(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>True for a 20-byte hex address with 0x prefix (any case).</summary>
    public static bool IsEvmAddress(string? text) =>
        text is { Length: 42 } && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') && text.AsSpan(2).ContainsAnyExcept("0123456789abcdefABCDEF") is false;

    /// <summary>The canonical form used for comparisons: lower-case hex for EVM addresses, trimmed text otherwise.</summary>
    public static string Normalize(string address)
    {
        var trimmed = address.Trim();
        return IsEvmAddress(trimmed) ? trimmed.ToLowerInvariant() : trimmed;
    }

    /// <summary>An address from a 32-byte ABI word (the low 20 bytes), lower-case.</summary>
    public static string AddressFromWord(ReadOnlySpan<byte> word) => Encode(word[12..32]);

    /// <summary>Parses a non-negative amount given as decimal or 0x-hex text, at most 2^256-1.</summary>
    public static bool TryParseAmount(string? text, out BigInteger value)
    {
        value = BigInteger.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var digits = t[2..];
            if (digits.Length == 0) { value = 0; return true; }
            if (digits.Length > 64 || digits.AsSpan().ContainsAnyExcept("0123456789abcdefABCDEF")) return false;
            value = BigInteger.Parse("0" + digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return true;
        }
        if (t.Length > 78 || t.AsSpan().ContainsAnyExcept("0123456789")) return false;
        value = BigInteger.Parse(t, NumberStyles.None, CultureInfo.InvariantCulture);
        return value <= MaxUint256;
    }
}
