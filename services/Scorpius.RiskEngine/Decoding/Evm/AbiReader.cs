using System.Numerics;
using Scorpius.RiskEngine.Model;

namespace Scorpius.RiskEngine.Decoding.Evm;

/// <summary>Arguments that do not follow the ABI encoding of the recognised method.</summary>
public sealed class AbiException(string message) : Exception(message);

/// <summary>
/// A small, allocation-light reader of Solidity ABI-encoded arguments (the bytes after the 4-byte selector). Every
/// offset and length is bounds-checked: hostile calldata raises <see cref="AbiException"/>, never an index error.
/// </summary>
public readonly struct AbiReader(ReadOnlyMemory<byte> args)
{
    private const int Word = 32;
    private readonly ReadOnlyMemory<byte> args = args;

    public int Length => args.Length;

    public ReadOnlySpan<byte> WordAt(int index) => Slice(checked(index * Word), Word);

    public string Address(int index)
    {
        var w = WordAt(index);
        if (w[..12].ContainsAnyExcept((byte)0)) throw new AbiException($"argument {index} is not an address (high bytes set)");
        return Hex.AddressFromWord(w);
    }

    public BigInteger Uint(int index) => new(WordAt(index), isUnsigned: true, isBigEndian: true);

    public bool Bool(int index)
    {
        var v = Uint(index);
        return v <= 1 ? !v.IsZero : throw new AbiException($"argument {index} is not a bool");
    }

    public int SmallInt(int index, int max = int.MaxValue)
    {
        var v = Uint(index);
        return v <= max ? (int)v : throw new AbiException($"argument {index} is out of range ({v} > {max})");
    }

    /// <summary>A dynamic <c>bytes</c> whose offset is in head word <paramref name="index"/> (relative to this reader).</summary>
    public ReadOnlyMemory<byte> Bytes(int index)
    {
        var offset = SmallInt(index, args.Length);
        var length = new AbiReader(args[offset..]).SmallInt(0, args.Length);
        return (long)offset + Word + length <= args.Length
            ? args.Slice(offset + Word, length)
            : throw new AbiException($"argument {index}: bytes of length {length} run past the end");
    }

    /// <summary>A reader positioned at the tail a head word points to (for tuples and arrays with dynamic parts).</summary>
    public AbiReader Tail(int index)
    {
        var offset = SmallInt(index, args.Length);
        return new AbiReader(args[offset..]);
    }

    /// <summary>A reader over a static tuple embedded in the head starting at word <paramref name="index"/>.</summary>
    public AbiReader At(int index)
    {
        var offset = checked(index * Word);
        return offset <= args.Length ? new AbiReader(args[offset..]) : throw new AbiException($"word {index} is past the end");
    }

    /// <summary>Element count of a dynamic array whose offset is in head word <paramref name="index"/>, and a reader over its elements.</summary>
    public (int Count, AbiReader Elements) Array(int index, int maxCount = 4096)
    {
        var tail = Tail(index);
        var count = tail.SmallInt(0, maxCount);
        return (count, new AbiReader(tail.args[Word..]));
    }

    /// <summary>The <paramref name="i"/>-th element of a <c>bytes[]</c> (elements are offsets relative to the element area).</summary>
    public ReadOnlyMemory<byte> BytesElement(int i) => Bytes(i);

    private ReadOnlySpan<byte> Slice(int offset, int length) =>
        offset >= 0 && offset + length <= args.Length ? args.Span.Slice(offset, length)
        : throw new AbiException($"calldata too short: needs {offset + length} bytes of arguments, has {args.Length}");
}
