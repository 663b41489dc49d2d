namespace Scorpius.RiskEngine.Decoding.Evm;

/// <summary>One RLP item located inside a buffer: its kind, where its whole encoding starts and where its payload is.</summary>
internal readonly struct RlpItem(bool isList, int start, int payloadStart, int payloadLength)
{
    public bool IsList { get; } = isList;

    /// <summary>Offset of the item's first byte (its prefix) in the buffer it was read from.</summary>
    public int Start { get; } = start;

    public int PayloadStart { get; } = payloadStart;

    public int PayloadLength { get; } = payloadLength;

    public int End => PayloadStart + PayloadLength;

    public int EncodedLength => End - Start;
}

/// <summary>
/// A strict RLP reader, as consensus clients read transactions: canonical single bytes, minimal length prefixes
/// without leading zeros, lengths that fit their parent, no trailing bytes. Every failure is a
/// <see cref="DecodeException"/> naming the field being read.
/// </summary>
internal static class Rlp
{
    /// <summary>Reads the header of the item at <paramref name="pos"/>; the item must end at or before <paramref name="limit"/>.</summary>
    public static RlpItem ReadItem(ReadOnlySpan<byte> data, int pos, int limit, string what)
    {
        if (pos >= limit)
        {
            throw new DecodeException($"RLP: unexpected end of input while reading {what}");
        }

        var prefix = data[pos];
        if (prefix < 0x80)
        {
            return new RlpItem(false, pos, pos, 1);
        }

        if (prefix <= 0xb7)
        {
            var length = prefix - 0x80;
            CheckFits(pos + 1, length, limit, what);
            if (length == 1 && data[pos + 1] < 0x80)
            {
                throw new DecodeException(
                    $"RLP: {what} is the single byte 0x{data[pos + 1]:x2} wrapped in a string prefix; a byte below 0x80 must be encoded as itself (non-canonical)");
            }

            return new RlpItem(false, pos, pos + 1, length);
        }

        if (prefix <= 0xbf)
        {
            var length = ReadLongLength(data, pos, prefix - 0xb7, limit, what, "string");
            return new RlpItem(false, pos, pos + 1 + (prefix - 0xb7), length);
        }

        if (prefix <= 0xf7)
        {
            var length = prefix - 0xc0;
            CheckFits(pos + 1, length, limit, what);
            return new RlpItem(true, pos, pos + 1, length);
        }

        var listLength = ReadLongLength(data, pos, prefix - 0xf7, limit, what, "list");
        return new RlpItem(true, pos, pos + 1 + (prefix - 0xf7), listLength);
    }

    private static int ReadLongLength(ReadOnlySpan<byte> data, int pos, int lengthOfLength, int limit, string what, string kind)
    {
        if (pos + 1 + lengthOfLength > limit)
        {
            throw new DecodeException($"RLP: unexpected end of input in the length prefix of {what}");
        }

        if (data[pos + 1] == 0)
        {
            throw new DecodeException($"RLP: the length prefix of {what} has leading zero bytes (non-canonical)");
        }

        if (lengthOfLength > 4)
        {
            throw new DecodeException($"RLP: the length of {what} is written in {lengthOfLength} bytes; larger than any transaction can be");
        }

        ulong length = 0;
        for (var i = 0; i < lengthOfLength; i++)
        {
            length = (length << 8) | data[pos + 1 + i];
        }

        if (length < 56)
        {
            throw new DecodeException($"RLP: {what} uses a long {kind} prefix for {length} bytes; below 56 bytes the short form is required (non-canonical)");
        }

        var payloadStart = pos + 1 + lengthOfLength;
        if (length > (ulong)(limit - payloadStart))
        {
            throw new DecodeException($"RLP: {what} declares {length} bytes but only {limit - payloadStart} remain");
        }

        return (int)length;
    }

    private static void CheckFits(int payloadStart, int length, int limit, string what)
    {
        if (length > limit - payloadStart)
        {
            throw new DecodeException($"RLP: {what} declares {length} bytes but only {Math.Max(0, limit - payloadStart)} remain");
        }
    }

    /// <summary>
    /// Reads the items directly inside <paramref name="list"/> into <paramref name="items"/> (as many as fit), checking
    /// every header and that the items tile the payload exactly; returns how many items the list holds. Item
    /// <c>i</c> is described as <c>names[i]</c> in errors when there is one.
    /// </summary>
    public static int ReadList(ReadOnlySpan<byte> data, RlpItem list, Span<RlpItem> items, ReadOnlySpan<string> names, string what)
    {
        var count = 0;
        var pos = list.PayloadStart;
        while (pos < list.End)
        {
            var name = count < names.Length ? names[count] : $"item {count} of {what}";
            var item = ReadItem(data, pos, list.End, name);
            if (count < items.Length)
            {
                items[count] = item;
            }

            pos = item.End;
            count++;
        }

        return count;
    }

    /// <summary>Number of bytes the RLP header for a payload of <paramref name="payloadLength"/> bytes takes.</summary>
    public static int HeaderLength(int payloadLength) => payloadLength < 56 ? 1 : 1 + ByteLength((ulong)payloadLength);

    /// <summary>Writes a list header for a payload of <paramref name="payloadLength"/> bytes; returns the bytes written.</summary>
    public static int WriteListHeader(Span<byte> destination, int payloadLength)
    {
        if (payloadLength < 56)
        {
            destination[0] = (byte)(0xc0 + payloadLength);
            return 1;
        }

        var lengthOfLength = ByteLength((ulong)payloadLength);
        destination[0] = (byte)(0xf7 + lengthOfLength);
        for (var i = 0; i < lengthOfLength; i++)
        {
            destination[lengthOfLength - i] = (byte)(payloadLength >> (8 * i));
        }

        return 1 + lengthOfLength;
    }

    /// <summary>Encoded length of an unsigned integer as an RLP string.</summary>
    public static int EncodedUIntLength(ulong value) => value < 0x80 && value != 0 ? 1 : 1 + ByteLength(value);

    /// <summary>Writes an unsigned integer as a canonical RLP string; returns the bytes written.</summary>
    public static int WriteUInt(Span<byte> destination, ulong value)
    {
        if (value == 0)
        {
            destination[0] = 0x80;
            return 1;
        }

        if (value < 0x80)
        {
            destination[0] = (byte)value;
            return 1;
        }

        var length = ByteLength(value);
        destination[0] = (byte)(0x80 + length);
        for (var i = 0; i < length; i++)
        {
            destination[length - i] = (byte)(value >> (8 * i));
        }

        return 1 + length;
    }

    private static int ByteLength(ulong value)
    {
        var length = 0;
        while (value != 0)
        {
            length++;
            value >>= 8;
        }

        return length;
    }
}
