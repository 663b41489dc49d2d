using CsCheck;
using NBitcoin;
using Scorpius.RiskEngine.Decoding;
using Scorpius.RiskEngine.Decoding.Bitcoin;
using Scorpius.RiskEngine.Decoding.Evm;
using static Scorpius.RiskEngine.Tests.Vectors.TxBuilder;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>
/// Property tests (CsCheck) for both raw decoders: random bytes, random text, and valid vectors mutated by flipping,
/// inserting, deleting bytes or truncating never make a decoder throw anything but <see cref="DecodeException"/>;
/// whatever does decode is well-formed.
/// </summary>
public sealed class DecoderFuzzTests
{
    private static readonly Lazy<byte[][]> EvmSeeds = new(() =>
    {
        var seeds = new List<byte[]>();
        seeds.AddRange(EthereumTransactionTests.ValidAtLatestFork().Select(v => v.TxBytes).Where(b => b.Length < 2000));
        seeds.AddRange(EthersTransactionTests.Samples().Where((_, i) => i % 50 == 0).Select(s => s.Raw));
        var commitments = Commitments(2);
        var blob = SignTyped(3, KeyA, BlobFields(1, To, [.. commitments.Select(VersionedHash)]));
        seeds.Add(blob);
        seeds.Add(SignTyped(4, KeyA, SetCodeFields(1, 100_000, To, [1, 2, 3], Authorization(KeyB, 1, To, 3), Authorization(KeyA, 0, To, 9))));
        seeds.Add(VectorFiles.Hex(Eip155ExampleTests.SignedTx));
        return [.. seeds];
    });

    private static readonly Lazy<byte[][]> BitcoinSeeds = new(() =>
    {
        using var document = VectorFiles.Json("bitcoin/bitcoin-core/tx_valid.json");
        return [.. document.RootElement.EnumerateArray().Where(r => r.GetArrayLength() == 3).Select(r => Convert.FromHexString(r[1].GetString()!))];
    });

    private static readonly Lazy<byte[][]> PsbtSeeds = new(() =>
    {
        using var document = VectorFiles.Json("bitcoin/bitcoinjs/psbt.json");
        var bip174 = document.RootElement.GetProperty("bip174");
        return
        [
            .. bip174.GetProperty("valid").EnumerateArray().Select(v => Convert.FromBase64String(v.GetProperty("psbt").GetString()!)),
            .. bip174.GetProperty("finalizer").EnumerateArray().Select(v => Convert.FromBase64String(v.GetProperty("result").GetString()!)),
        ];
    });

    private static Gen<byte[]> Mutated(Func<byte[][]> seeds) =>
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[1, 6], Gen.Int, Gen.Byte, (pick, edits, position, value) =>
        {
            var all = seeds();
            var bytes = all[pick % all.Length].ToList();
            var random = new Random(position);
            for (var i = 0; i < edits && bytes.Count > 0; i++)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(5))
                {
                    case 0: bytes[at] = value; break;                        // overwrite a byte
                    case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;  // flip a bit
                    case 2: bytes.Insert(at, value); break;                   // insert
                    case 3: bytes.RemoveAt(at); break;                        // delete
                    default: bytes.RemoveRange(at, bytes.Count - at); break;  // truncate
                }
            }

            return bytes.ToArray();
        });

    [Fact]
    public void RandomBytesOnlyEverGiveDecodeExceptions()
    {
        Gen.Byte.Array[0, 400].Sample(
            bytes =>
            {
                DecodeEvm(bytes);
                DecodeBitcoin(bytes);
                DecodePsbt(bytes);
            },
            iter: 20_000);
    }

    [Fact]
    public void TypedPrefixedRandomBytesOnlyEverGiveDecodeExceptions()
    {
        // A type byte then an RLP list header, so that the typed-transaction paths are reached.
        Gen.Select(Gen.Int[1, 4], Gen.Byte.Array[0, 300], (type, body) => (byte[])[(byte)type, .. TxBuilder.List(body)])
            .Sample(DecodeEvm, iter: 20_000);
    }

    [Fact]
    public void RandomTextOnlyEverGivesDecodeExceptions()
    {
        Gen.String.Sample(
            text =>
            {
                Expect(() => SignedTransactionDecoder.Decode(text));
                Expect(() => BitcoinDecoder.DecodeRaw(text, Network.Main));
                Expect(() => BitcoinDecoder.DecodePsbt(text, Network.Main));
            },
            iter: 5_000);
    }

    [Fact]
    public void MutatedEvmTransactionsOnlyEverGiveDecodeExceptions() =>
        Mutated(() => EvmSeeds.Value).Sample(DecodeEvm, iter: 4_000);

    [Fact]
    public void MutatedBitcoinTransactionsOnlyEverGiveDecodeExceptions() =>
        Mutated(() => BitcoinSeeds.Value).Sample(DecodeBitcoin, iter: 4_000);

    [Fact]
    public void MutatedPsbtsOnlyEverGiveDecodeExceptions() =>
        Mutated(() => PsbtSeeds.Value).Sample(DecodePsbt, iter: 2_000);

    private static void DecodeEvm(byte[] bytes)
    {
        foreach (var options in new[] { EvmDecodeOptions.Default, new EvmDecodeOptions { Fork = EvmFork.Osaka, CheckIntrinsicGas = false } })
        {
            Expect(() =>
            {
                var tx = SignedTransactionDecoder.Decode(bytes, options);
                Assert.Equal(42, tx.From.Length);
                Assert.Equal(66, tx.Hash.Length);
                Assert.True(tx.To is null or { Length: 42 });
                Assert.InRange(tx.Type, 0, 4);
            });
        }
    }

    private static void DecodeBitcoin(byte[] bytes) => Expect(() =>
    {
        var info = BitcoinDecoder.DecodeRaw(Convert.ToHexString(bytes), Network.Main);
        Assert.NotEmpty(info.Inputs);
        Assert.NotEmpty(info.Outputs);
        Assert.Equal(64, info.TxId.Length);
    });

    private static void DecodePsbt(byte[] bytes) => Expect(() =>
    {
        var info = BitcoinDecoder.DecodePsbt(Convert.ToBase64String(bytes), Network.Main);
        Assert.True(info.IsPsbt);
        Assert.True(info.FeeSats is null or >= 0);
    });

    private static void Expect(Action decode)
    {
        try
        {
            decode();
        }
        catch (DecodeException)
        {
            // The one permitted failure: a reasoned rejection.
        }
    }
}
