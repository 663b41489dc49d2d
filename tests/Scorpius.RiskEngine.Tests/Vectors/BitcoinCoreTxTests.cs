using System.Security.Cryptography;
using System.Text.Json;
using NBitcoin;
using Scorpius.RiskEngine.Decoding;
using Scorpius.RiskEngine.Decoding.Bitcoin;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>
/// Bitcoin Core tx_valid.json / tx_invalid.json. The decoder parses and runs CheckTransaction's context-free rules; it
/// runs no scripts. So: every tx_valid transaction (121) decodes, with its prevouts exactly as the vector lists them and
/// (for non-witness serializations) the txid computed here as double-SHA256 independently of NBitcoin.
/// tx_invalid splits honestly in two: the 9 vectors flagged BADTX fail CheckTransaction (no outputs, negative or
/// over-MAX_MONEY outputs, duplicate inputs, coinbase script size, null prevout) and must be a DecodeException naming
/// the rule; the other 84 are invalid only through script evaluation, signatures or lock times, which a parse-level
/// decoder does not judge, so they are asserted to decode (with their prevouts), not to be rejected.
/// </summary>
public sealed class BitcoinCoreTxTests
{
    private static readonly Lazy<Dictionary<string, Vector>> Vectors = new(() =>
    {
        var all = new Dictionary<string, Vector>(StringComparer.Ordinal);
        foreach (var file in new[] { "tx_valid", "tx_invalid" })
        {
            using var document = VectorFiles.Json($"bitcoin/bitcoin-core/{file}.json");
            var index = 0;
            foreach (var row in document.RootElement.EnumerateArray())
            {
                if (row.GetArrayLength() == 1)
                {
                    continue;
                }

                var prevouts = row[0].EnumerateArray().Select(p => (p[0].GetString()!, (uint)p[1].GetInt64())).ToList();
                all[$"{file}/{index:D3}"] = new Vector(row[1].GetString()!, row[2].GetString()!, prevouts);
                index++;
            }
        }

        return all;
    });

    public static TheoryData<string> ValidCases() => [.. Vectors.Value.Keys.Where(k => k.StartsWith("tx_valid/", StringComparison.Ordinal))];

    public static TheoryData<string> InvalidCases() => [.. Vectors.Value.Keys.Where(k => k.StartsWith("tx_invalid/", StringComparison.Ordinal))];

    [Fact]
    public void AllVectorsAreRead()
    {
        Assert.Equal(121, ValidCases().Count);
        Assert.Equal(93, InvalidCases().Count);
        Assert.Equal(9, Vectors.Value.Values.Count(v => v.Flags.Split(',').Contains("BADTX")));
    }

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void ValidTransactionDecodes(string name) => AssertDecodes(Vectors.Value[name]);

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void InvalidTransaction(string name)
    {
        var vector = Vectors.Value[name];
        if (vector.Flags.Split(',').Contains("BADTX"))
        {
            var error = Assert.Throws<DecodeException>(() => BitcoinDecoder.DecodeRaw(vector.Hex, Network.Main));
            Assert.Contains("CheckTransaction", error.Message, StringComparison.Ordinal);
            return;
        }

        // Script-level invalidity (signatures, CHECKLOCKTIMEVERIFY, witness programs...): not a decoding matter.
        AssertDecodes(vector);
    }

    private static void AssertDecodes(Vector vector)
    {
        var info = BitcoinDecoder.DecodeRaw(vector.Hex, Network.Main);
        // The vectors list the spent outputs as a set (tx_invalid/073 lists them out of input order).
        Assert.Equal(vector.Prevouts.Order(), info.Inputs.Select(i => (i.PrevTxId, i.PrevIndex)).Order());
        Assert.NotEmpty(info.Outputs);
        Assert.Null(info.FeeSats);
        Assert.False(info.IsPsbt);
        var bytes = Convert.FromHexString(vector.Hex);
        var hasWitness = bytes[4] == 0 && bytes[5] == 1;
        Assert.Equal(hasWitness, info.IsSegwit);
        if (!hasWitness)
        {
            var txid = SHA256.HashData(SHA256.HashData(bytes));
            Array.Reverse(txid);
            Assert.Equal(Convert.ToHexStringLower(txid), info.TxId);
            Assert.Equal(bytes.Length, info.VirtualSize);
        }

        Assert.Equal(info.Inputs.Any(i => i.Sequence < 0xfffffffe), info.SignalsRbf);
    }

    private sealed record Vector(string Hex, string Flags, List<(string, uint)> Prevouts);
}
