using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NBitcoin;
using Scorpius.RiskEngine.Decoding.Bitcoin;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>
/// BIP-143 and BIP-341 vectors as far as they concern decoding.
/// BIP-143 (read from the BIP text): every example transaction, unsigned and signed, decodes; for each of the 14
/// signature-hash preimages the decoded transaction has the preimage's version, lock time, outpoint and nSequence,
/// double-SHA256 of the preimage is the BIP's sigHash, and NBitcoin's segwit-v0 sighash of the decoded transaction
/// (scriptCode and amount from the preimage) equals it.
/// BIP-341 (wallet-test-vectors.json): the 7 taproot scriptPubKeys decode as p2tr outputs with the BIP-350 address;
/// the key-path spending transaction decodes (inputs, sequences, RBF, outputs), as a PSBT carrying the spent UTXOs it
/// gives the fee and the inputs' addresses, and NBitcoin's taproot sighashes equal the 7 given.
/// </summary>
public sealed partial class BipVectorTests
{
    private static readonly Lazy<List<Bip143Section>> Bip143 = new(LoadBip143);
    private static readonly Lazy<System.Text.Json.JsonDocument> Bip341 = new(() => VectorFiles.Json("bitcoin/bips/bip-0341/wallet-test-vectors.json"));

    public static TheoryData<string> Bip143Transactions()
    {
        var data = new TheoryData<string>();
        foreach (var section in Bip143.Value)
        {
            for (var i = 0; i < section.Transactions.Count; i++)
            {
                data.Add($"{section.Name}/tx{i}");
            }
        }

        return data;
    }

    public static TheoryData<string> Bip143Preimages()
    {
        var data = new TheoryData<string>();
        foreach (var section in Bip143.Value)
        {
            for (var i = 0; i < section.Preimages.Count; i++)
            {
                data.Add($"{section.Name}/preimage{i}");
            }
        }

        return data;
    }

    public static TheoryData<int> Bip341ScriptPubKeys() => [.. Enumerable.Range(0, Bip341.Value.RootElement.GetProperty("scriptPubKey").GetArrayLength())];

    [Fact]
    public void Bip143VectorsAreRead()
    {
        Assert.Equal(5, Bip143.Value.Count);
        Assert.Equal(14, Bip143.Value.Sum(s => s.Preimages.Count));
        Assert.Equal(14, Bip143.Value.Sum(s => s.Transactions.Count));
    }

    [Theory]
    [MemberData(nameof(Bip143Transactions))]
    public void Bip143TransactionDecodes(string id)
    {
        var (section, index) = Find(id, "/tx");
        var hex = section.Transactions[index];
        var info = BitcoinDecoder.DecodeRaw(hex, Network.Main);
        var hasWitness = hex[8..12] == "0001";
        Assert.Equal(hasWitness, info.IsSegwit);
        Assert.Equal(Transaction.Parse(hex, Network.Main).GetHash().ToString(), info.TxId);
        Assert.NotEmpty(info.Outputs);
    }

    [Theory]
    [MemberData(nameof(Bip143Preimages))]
    public void Bip143SighashPreimage(string id)
    {
        var (section, index) = Find(id, "/preimage");
        var (preimageHex, sighash) = section.Preimages[index];
        var preimage = Convert.FromHexString(preimageHex);
        Assert.Equal(sighash, Convert.ToHexStringLower(SHA256.HashData(SHA256.HashData(preimage))));

        // version | hashPrevouts | hashSequence | outpoint | scriptCode | amount | nSequence | hashOutputs | lockTime | hashType
        var version = BinaryPrimitives.ReadUInt32LittleEndian(preimage);
        var outpointTxId = Convert.ToHexStringLower(preimage.AsSpan(68, 32).ToArray().Reverse().ToArray());
        var outpointIndex = BinaryPrimitives.ReadUInt32LittleEndian(preimage.AsSpan(100));
        var scriptLength = preimage[104];
        Assert.True(scriptLength < 0xfd);
        var scriptCode = preimage.AsSpan(105, scriptLength).ToArray();
        var rest = preimage.AsSpan(105 + scriptLength);
        var amount = BinaryPrimitives.ReadInt64LittleEndian(rest);
        var sequence = BinaryPrimitives.ReadUInt32LittleEndian(rest[8..]);
        var lockTime = BinaryPrimitives.ReadUInt32LittleEndian(rest[44..]);
        var hashType = BinaryPrimitives.ReadUInt32LittleEndian(rest[48..]);
        Assert.Equal(52, rest.Length);

        var matches = 0;
        foreach (var hex in section.Transactions)
        {
            var info = BitcoinDecoder.DecodeRaw(hex, Network.Main);
            var input = info.Inputs.Select((inp, i) => (inp, i)).FirstOrDefault(x => x.inp.PrevTxId == outpointTxId && x.inp.PrevIndex == outpointIndex);
            if (input.inp is null)
            {
                continue;
            }

            Assert.Equal((int)version, info.Version);
            Assert.Equal(lockTime, info.LockTime);
            Assert.Equal(sequence, input.inp.Sequence);
            var tx = Transaction.Parse(hex, Network.Main);
            var hash = tx.GetSignatureHash(Script.FromBytesUnsafe(scriptCode), input.i, (SigHash)hashType, new TxOut(Money.Satoshis(amount), Script.Empty), HashVersion.WitnessV0);
            if (Convert.ToHexStringLower(hash.ToBytes()) == sighash)
            {
                matches++;
            }
        }

        Assert.True(matches > 0, $"no transaction of section '{section.Name}' gives sighash {sighash} through NBitcoin");
    }

    [Theory]
    [MemberData(nameof(Bip341ScriptPubKeys))]
    public void Bip341TaprootOutputDecodes(int index)
    {
        var vector = Bip341.Value.RootElement.GetProperty("scriptPubKey")[index].GetProperty("expected");
        var tx = Network.Main.CreateTransaction();
        tx.Inputs.Add(new OutPoint(uint256.One, 0));
        tx.Outputs.Add(Money.Satoshis(10_000), Script.FromHex(vector.GetProperty("scriptPubKey").GetString()!));

        var output = Assert.Single(BitcoinDecoder.DecodeRaw(tx.ToHex(), Network.Main).Outputs);
        Assert.Equal("p2tr", output.ScriptType);
        Assert.Equal(vector.GetProperty("bip350Address").GetString(), output.Address);
        Assert.Equal(10_000, output.AmountSats);
    }

    [Fact]
    public void Bip341KeyPathSpendingDecodes()
    {
        var vector = Bip341.Value.RootElement.GetProperty("keyPathSpending")[0];
        var given = vector.GetProperty("given");
        var hex = given.GetProperty("rawUnsignedTx").GetString()!;
        var spent = given.GetProperty("utxosSpent").EnumerateArray()
            .Select(u => new TxOut(Money.Satoshis(u.GetProperty("amountSats").GetInt64()), Script.FromHex(u.GetProperty("scriptPubKey").GetString()!)))
            .ToArray();

        var info = BitcoinDecoder.DecodeRaw(hex, Network.Main);
        var tx = Transaction.Parse(hex, Network.Main);
        Assert.Equal(9, info.Inputs.Count);
        Assert.Equal(tx.Inputs.Select(i => (uint)i.Sequence), info.Inputs.Select(i => i.Sequence));
        Assert.True(info.SignalsRbf);
        Assert.False(info.IsSegwit);
        Assert.Equal(tx.Outputs.Select(o => o.Value.Satoshi), info.Outputs.Select(o => o.AmountSats));
        Assert.Equal(tx.Outputs.Select(o => o.ScriptPubKey.GetDestinationAddress(Network.Main)?.ToString()), info.Outputs.Select(o => o.Address));
        Assert.Equal(["p2pkh", "nonstandard"], info.Outputs.Select(o => o.ScriptType));

        // As a PSBT carrying the spent outputs, the fee and the spending addresses are known.
        var psbt = PSBT.FromTransaction(tx, Network.Main);
        for (var i = 0; i < spent.Length; i++)
        {
            psbt.Inputs[i].WitnessUtxo = spent[i];
        }

        var decoded = BitcoinDecoder.DecodePsbt(psbt.ToBase64(), Network.Main);
        Assert.Equal(spent.Sum(o => o.Value.Satoshi) - tx.Outputs.Sum(o => o.Value.Satoshi), decoded.FeeSats);
        Assert.Equal(spent.Select(o => o.ScriptPubKey.GetDestinationAddress(Network.Main)?.ToString()), decoded.Inputs.Select(i => i.Address));
        Assert.Equal(spent.Select(o => (long?)o.Value.Satoshi), decoded.Inputs.Select(i => i.AmountSats));
        Assert.False(decoded.IsFullySigned);
        Assert.True(decoded.IsSegwit);
        Assert.Equal(decoded.FeeSats!.Value / (double)decoded.VirtualSize, decoded.FeeRateSatPerVByte);

        var precomputed = tx.PrecomputeTransactionData(spent);
        foreach (var spending in vector.GetProperty("inputSpending").EnumerateArray())
        {
            var input = spending.GetProperty("given").GetProperty("txinIndex").GetInt32();
            var hashType = (TaprootSigHash)spending.GetProperty("given").GetProperty("hashType").GetInt32();
            var hash = tx.GetSignatureHashTaproot(precomputed, new TaprootExecutionData(input) { SigHash = hashType });
            Assert.Equal(spending.GetProperty("intermediary").GetProperty("sigHash").GetString(), Convert.ToHexStringLower(hash.ToBytes()));
        }
    }

    private static (Bip143Section Section, int Index) Find(string id, string marker)
    {
        var at = id.LastIndexOf(marker, StringComparison.Ordinal);
        var section = Bip143.Value.Single(s => s.Name == id[..at]);
        return (section, int.Parse(id[(at + marker.Length)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Splits the BIP text by its "=== Example ===" headings and reads each example's transactions and preimages.</summary>
    private static List<Bip143Section> LoadBip143()
    {
        var text = VectorFiles.Text("bitcoin/bips/bip-0143.mediawiki").ReplaceLineEndings("\n");
        var parts = Heading().Split(text);
        var sections = new List<Bip143Section>();
        for (var i = 1; i + 1 < parts.Length; i += 2)
        {
            var body = parts[i + 1];
            var transactions = new List<string>();
            var preimages = new List<string>();
            foreach (Match match in LabelledHex().Matches(body))
            {
                var label = match.Groups[1].Value;
                if (label.Contains("preimage", StringComparison.Ordinal) || label.Contains("ANYONECANPAY", StringComparison.Ordinal))
                {
                    preimages.Add(match.Groups[2].Value);
                }
                else if (label.Contains("transaction", StringComparison.Ordinal) || label.Contains("swapped", StringComparison.Ordinal) || label.Contains("examples", StringComparison.Ordinal))
                {
                    transactions.Add(match.Groups[2].Value);
                }
            }

            var sighashes = Sighash().Matches(body).Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(preimages.Count, sighashes.Count);
            sections.Add(new Bip143Section(parts[i], transactions, [.. preimages.Zip(sighashes)]));
        }

        return sections;
    }

    [GeneratedRegex(@"^=== (.+?) ===$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"([A-Za-z<>/ ]+):\s*([0-9a-f]{120,})")]
    private static partial Regex LabelledHex();

    [GeneratedRegex(@"sig[Hh]ash:\s*([0-9a-f]{64})")]
    private static partial Regex Sighash();

    private sealed record Bip143Section(string Name, List<string> Transactions, List<(string Preimage, string Sighash)> Preimages);
}
