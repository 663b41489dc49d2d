using System.Buffers.Binary;
using System.Globalization;

namespace Scorpius.ThreatIntel;

/// <summary>A 20-byte EVM address as three integers: a cheap dictionary key that ignores hex case.</summary>
internal readonly record struct EvmAddress(ulong High, ulong Middle, uint Low)
{
    /// <summary>Parses "0x" followed by 40 hex digits, in any case.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out EvmAddress address)
    {
        address = default;
        text = text.Trim();
        if (text.Length != 42 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return false;
        Span<byte> bytes = stackalloc byte[20];
        if (Convert.FromHexString(text[2..], bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 20)
            return false;
        address = new EvmAddress(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]));
        return true;
    }

    public static EvmAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an EVM address (0x and 40 hex digits).");

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"0x{High:x16}{Middle:x16}{Low:x8}");
}
