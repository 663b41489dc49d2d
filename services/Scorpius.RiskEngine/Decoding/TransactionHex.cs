using System.Buffers;

namespace Scorpius.RiskEngine.Decoding;

/// <summary>Hex text of a raw transaction (0x optional) to bytes, with a reason a person can act on when it is not.</summary>
internal static class TransactionHex
{
    public static byte[] Parse(string? hex)
    {
        if (hex is null)
        {
            throw new DecodeException("no transaction: the input is null");
        }

        var text = hex.AsSpan().Trim();
        if (text.StartsWith("0x") || text.StartsWith("0X"))
        {
            text = text[2..];
        }

        if (text.IsEmpty)
        {
            throw new DecodeException("no transaction: the hex input is empty");
        }

        if (text.Length % 2 != 0)
        {
            throw new DecodeException($"not a transaction: the hex input has an odd number of digits ({text.Length})");
        }

        var bytes = new byte[text.Length / 2];
        if (Convert.FromHexString(text, bytes, out var consumed, out _) != OperationStatus.Done)
        {
            var bad = consumed + (char.IsAsciiHexDigit(text[consumed]) ? 1 : 0);
            throw new DecodeException($"not a transaction: the character at hex digit {bad} is not a hex digit");
        }

        return bytes;
    }
}
