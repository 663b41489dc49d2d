using CsCheck;
using Nethereum.Util;
using Scorpius.RiskEngine.Decoding;
using Scorpius.RiskEngine.Decoding.Evm;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>
/// The decoder's building blocks. The strict RLP reader against ethereum/tests RLPTests: the 26 invalid encodings
/// (non-canonical single bytes, leading zeros and non-minimal length prefixes, lengths past the end, empty input) are
/// rejected, and the 29 valid ones are read into a tree that re-encodes (with the independent test encoder) to the same
/// bytes. The allocation-free Keccak-256 against Nethereum's on random inputs of every length around the 136-byte block.
/// </summary>
public sealed class RlpAndKeccakTests
{
    private static readonly Lazy<Dictionary<string, (string Out, bool Valid)>> Cases = new(() =>
    {
        var cases = new Dictionary<string, (string, bool)>(StringComparer.Ordinal);
        foreach (var file in new[] { "rlptest.json", "invalidRLPTest.json", "RandomRLPTests/example.json" })
        {
            using var document = VectorFiles.Json($"ethereum/ethereum-tests/RLPTests/{file}");
            foreach (var test in document.RootElement.EnumerateObject())
            {
                var input = test.Value.GetProperty("in");
                var invalid = input.ValueKind == System.Text.Json.JsonValueKind.String && input.GetString() == "INVALID";
                cases[$"{Path.GetFileNameWithoutExtension(file)}/{test.Name}"] = (test.Value.GetProperty("out").GetString()!, !invalid);
            }
        }

        return cases;
    });

    public static TheoryData<string> RlpCases() => [.. Cases.Value.Keys];

    [Fact]
    public void AllRlpVectorsAreRead()
    {
        Assert.Equal(26, Cases.Value.Values.Count(c => !c.Valid));
        Assert.Equal(29, Cases.Value.Values.Count(c => c.Valid));
    }

    [Theory]
    [MemberData(nameof(RlpCases))]
    public void RlpVector(string name)
    {
        var (hex, valid) = Cases.Value[name];
        var bytes = VectorFiles.Hex(hex);
        if (!valid)
        {
            var error = Assert.Throws<DecodeException>(() => ReadWhole(bytes));
            Assert.StartsWith("RLP", error.Message, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(bytes, ReadWhole(bytes));
    }

    [Fact]
    public void KeccakMatchesNethereum()
    {
        Gen.Byte.Array[0, 600].Sample(data =>
        {
            var expected = new Sha3Keccack().CalculateHash(data);
            Assert.Equal(expected, Keccak256.Hash(data));
            Span<byte> prefixed = stackalloc byte[32];
            Keccak256.Hash(0x05, data, prefixed);
            Assert.Equal(new Sha3Keccack().CalculateHash([0x05, .. data]), prefixed.ToArray());
        }, iter: 3_000);
    }

    [Fact]
    public void KeccakKnownAnswers()
    {
        Assert.Equal("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", Convert.ToHexStringLower(Keccak256.Hash([])));
        Assert.Equal("4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45", Convert.ToHexStringLower(Keccak256.Hash("abc"u8)));
    }

    /// <summary>Reads one item spanning all of <paramref name="bytes"/> and re-encodes the tree it holds.</summary>
    private static byte[] ReadWhole(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            throw new DecodeException("RLP: empty input");
        }

        var item = Rlp.ReadItem(bytes, 0, bytes.Length, "the item");
        if (item.End != bytes.Length)
        {
            throw new DecodeException("RLP: trailing bytes");
        }

        return Reencode(bytes, item);
    }

    private static byte[] Reencode(byte[] bytes, RlpItem item)
    {
        if (!item.IsList)
        {
            return TxBuilder.Str(bytes.AsSpan(item.PayloadStart, item.PayloadLength).ToArray());
        }

        var children = new List<byte[]>();
        var pos = item.PayloadStart;
        while (pos < item.End)
        {
            var child = Rlp.ReadItem(bytes, pos, item.End, "a nested item");
            children.Add(Reencode(bytes, child));
            pos = child.End;
        }

        return TxBuilder.List([.. children]);
    }
}
