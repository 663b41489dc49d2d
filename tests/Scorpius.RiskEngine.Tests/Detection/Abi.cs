using System.Numerics;

namespace Scorpius.RiskEngine.Tests.Detection;

/// <summary>A minimal ABI encoder for building test calldata (static words, bytes and bytes[]).</summary>
internal static class Abi
{
    public static readonly BigInteger MaxUint256 = (BigInteger.One << 256) - 1;

    public static byte[] Word(BigInteger value)
    {
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var word = new byte[32];
        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }

    public static byte[] Word(string address) => Word(BigInteger.Parse("0" + address[2..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Selector followed by the given head words, then the tails of any dynamic arguments (given as pre-encoded bytes).</summary>
    public static byte[] Call(uint selector, params object[] args)
    {
        var head = new List<byte[]>();
        var tails = new List<byte[]>();
        var headSize = args.Length * 32;
        var tailOffset = headSize;
        foreach (var arg in args)
        {
            switch (arg)
            {
                case Dynamic d:
                    head.Add(Word(tailOffset));
                    tails.Add(d.Encoded);
                    tailOffset += d.Encoded.Length;
                    break;
                case string s: head.Add(Word(s)); break;
                case bool b: head.Add(Word(b ? 1 : 0)); break;
                case int i: head.Add(Word(i)); break;
                case BigInteger n: head.Add(Word(n)); break;
                default: throw new ArgumentException($"cannot encode {arg.GetType()}");
            }
        }
        var selectorBytes = new[] { (byte)(selector >> 24), (byte)(selector >> 16), (byte)(selector >> 8), (byte)selector };
        return [.. selectorBytes, .. head.SelectMany(w => w), .. tails.SelectMany(t => t)];
    }

    public sealed record Dynamic(byte[] Encoded);

    public static Dynamic Bytes(byte[] data)
    {
        var padded = new byte[(data.Length + 31) / 32 * 32];
        data.CopyTo(padded, 0);
        return new Dynamic([.. Word(data.Length), .. padded]);
    }

    public static Dynamic BytesArray(params byte[][] items)
    {
        var encoded = items.Select(i => Bytes(i).Encoded).ToArray();
        var offsets = new List<byte[]>();
        var offset = items.Length * 32;
        foreach (var e in encoded)
        {
            offsets.Add(Word(offset));
            offset += e.Length;
        }
        return new Dynamic([.. Word(items.Length), .. offsets.SelectMany(o => o), .. encoded.SelectMany(e => e)]);
    }

    public static string Hex(byte[] data) => "0x" + Convert.ToHexStringLower(data);
}
