using System.Text.Json;
using NBitcoin;
using Scorpius.RiskEngine.Decoding;
using Scorpius.RiskEngine.Decoding.Bitcoin;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>
/// bitcoinjs-lib fixtures. transaction.json: the 20 valid transactions decode to the fixture's txid, virtual size,
/// version, lock time, inputs and output values (both the witness and the stripped serialization); the 2 invalid
/// serializations (trailing data, superfluous witness) are rejected; the legacy, BIP-143 and BIP-341 signature hashes
/// are checked through NBitcoin on the decoded transaction. psbt.json: the 18 invalid BIP-174 PSBTs are rejected, the 7
/// valid ones and every PSBT of the creator/updater/signer/combiner/finalizer/extractor/finalizeAllInputs fixtures
/// decode; finalized results are fully signed with the txid and size of the extracted transaction, and the fee rate
/// matches getFeeRate. Not applied: addInput/addOutput/signInput/... fixtures (API argument checks, not decoding).
/// </summary>
public sealed class BitcoinJsTests
{
    private static readonly Lazy<JsonDocument> Transactions = new(() => VectorFiles.Json("bitcoin/bitcoinjs/transaction.json"));
    private static readonly Lazy<JsonDocument> Psbts = new(() => VectorFiles.Json("bitcoin/bitcoinjs/psbt.json"));

    private static JsonElement Tx => Transactions.Value.RootElement;

    private static JsonElement Bip174 => Psbts.Value.RootElement.GetProperty("bip174");

    public static TheoryData<int> ValidTransactions() => [.. Enumerable.Range(0, Tx.GetProperty("valid").GetArrayLength())];

    public static TheoryData<int> InvalidTransactions() => [.. Enumerable.Range(0, Tx.GetProperty("invalid").GetProperty("fromBuffer").GetArrayLength())];

    public static TheoryData<int> LegacySighashes() => [.. Enumerable.Range(0, Tx.GetProperty("hashForSignature").GetArrayLength())];

    public static TheoryData<int> WitnessV0Sighashes() => [.. Enumerable.Range(0, Tx.GetProperty("hashForWitnessV0").GetArrayLength())];

    public static TheoryData<int> InvalidPsbts() => [.. Enumerable.Range(0, Bip174.GetProperty("invalid").GetArrayLength())];

    public static TheoryData<int> ValidPsbts() => [.. Enumerable.Range(0, Bip174.GetProperty("valid").GetArrayLength())];

    /// <summary>Every "psbt"/"result" PSBT of the role fixtures, as "section/index/field".</summary>
    public static TheoryData<string> RolePsbts()
    {
        var data = new TheoryData<string>();
        foreach (var section in new[] { "creator", "updater", "signer", "combiner", "finalizer", "extractor" })
        {
            var index = 0;
            foreach (var fixture in Bip174.GetProperty(section).EnumerateArray())
            {
                foreach (var field in fixture.EnumerateObject().Where(f => f.Name is "psbt" or "result" && f.Value.ValueKind == JsonValueKind.String))
                {
                    data.Add($"bip174.{section}/{index}/{field.Name}");
                }

                index++;
            }
        }

        var all = 0;
        foreach (var fixture in Psbts.Value.RootElement.GetProperty("finalizeAllInputs").EnumerateArray())
        {
            data.Add($"finalizeAllInputs/{all}/psbt");
            data.Add($"finalizeAllInputs/{all}/result");
            _ = fixture;
            all++;
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ValidTransactions))]
    public void ValidTransactionDecodes(int index)
    {
        var fixture = Tx.GetProperty("valid")[index];
        var raw = fixture.GetProperty("raw");
        var hex = fixture.GetProperty("hex").GetString()!;
        var whex = fixture.TryGetProperty("whex", out var w) && w.GetString() is { Length: > 0 } withWitness ? withWitness : null;

        var info = BitcoinDecoder.DecodeRaw(whex ?? hex, Network.Main);
        Assert.Equal(fixture.GetProperty("id").GetString(), info.TxId);
        Assert.Equal(fixture.GetProperty("virtualSize").GetInt32(), info.VirtualSize);
        Assert.Equal(whex is not null, info.IsSegwit);
        Assert.Equal(raw.GetProperty("version").GetInt32(), info.Version);
        Assert.Equal(raw.GetProperty("locktime").GetUInt32(), info.LockTime);

        var ins = raw.GetProperty("ins").EnumerateArray().ToList();
        Assert.Equal(ins.Count, info.Inputs.Count);
        for (var i = 0; i < ins.Count; i++)
        {
            // bitcoinjs writes the prevout hash in internal byte order; txids are shown reversed.
            Assert.Equal(Convert.ToHexStringLower(Convert.FromHexString(ins[i].GetProperty("hash").GetString()!).Reverse().ToArray()), info.Inputs[i].PrevTxId);
            Assert.Equal(ins[i].GetProperty("index").GetUInt32(), info.Inputs[i].PrevIndex);
            var sequence = ins[i].TryGetProperty("sequence", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetUInt32() : 0xffffffff;
            Assert.Equal(sequence, info.Inputs[i].Sequence);
        }

        Assert.Equal(info.Inputs.Any(i => i.Sequence < 0xfffffffe), info.SignalsRbf);
        Assert.Equal(raw.GetProperty("outs").EnumerateArray().Select(o => o.GetProperty("value").GetInt64()), info.Outputs.Select(o => o.AmountSats));

        // The stripped serialization is the same transaction (same txid).
        Assert.Equal(info.TxId, BitcoinDecoder.DecodeRaw(hex, Network.Main).TxId);
    }

    [Theory]
    [MemberData(nameof(InvalidTransactions))]
    public void InvalidTransactionIsRejected(int index)
    {
        var fixture = Tx.GetProperty("invalid").GetProperty("fromBuffer")[index];
        var error = Assert.Throws<DecodeException>(() => BitcoinDecoder.DecodeRaw(fixture.GetProperty("hex").GetString()!, Network.Main));
        var expected = fixture.GetProperty("exception").GetString()!;
        Assert.Contains(expected.Contains("superfluous", StringComparison.Ordinal) ? "uperfluous witness" : "unexpected byte", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LegacySighashes))]
    public void LegacySighashThroughNBitcoin(int index)
    {
        var fixture = Tx.GetProperty("hashForSignature")[index];
        var tx = Transaction.Parse(fixture.GetProperty("txHex").GetString()!, Network.Main);
        var script = ParseAsm(fixture.GetProperty("script").GetString()!);
        var hashType = (SigHash)fixture.GetProperty("type").GetInt32();
        var hash = tx.GetSignatureHash(script, fixture.GetProperty("inIndex").GetInt32(), hashType, null, HashVersion.Original);
        var expected = fixture.GetProperty("hash").GetString()!;
        if (expected == "0000000000000000000000000000000000000000000000000000000000000001")
        {
            // The legacy "sighash = 1" quirk (input index out of range, SIGHASH_SINGLE without output): bitcoinjs writes
            // the number one big-endian, Bitcoin Core's uint256 one is little-endian; both mean the value 1.
            Assert.Equal(uint256.One, hash);
            return;
        }

        Assert.Equal(expected, Convert.ToHexStringLower(hash.ToBytes()));
    }

    [Theory]
    [MemberData(nameof(WitnessV0Sighashes))]
    public void WitnessV0SighashThroughNBitcoin(int index)
    {
        var fixture = Tx.GetProperty("hashForWitnessV0")[index];
        var tx = Transaction.Parse(fixture.GetProperty("txHex").GetString()!, Network.Main);
        var script = ParseAsm(fixture.GetProperty("script").GetString()!);
        var spent = new TxOut(Money.Satoshis(fixture.GetProperty("value").GetInt64()), Script.Empty);
        var hash = tx.GetSignatureHash(script, fixture.GetProperty("inIndex").GetInt32(), (SigHash)fixture.GetProperty("type").GetInt32(), spent, HashVersion.WitnessV0);
        Assert.Equal(fixture.GetProperty("hash").GetString(), Convert.ToHexStringLower(hash.ToBytes()));
    }

    [Fact]
    public void TaprootSighashesThroughNBitcoin()
    {
        var fixture = Tx.GetProperty("taprootSigning")[0];
        var tx = Transaction.Parse(fixture.GetProperty("txHex").GetString()!, Network.Main);
        var spent = fixture.GetProperty("utxos").EnumerateArray()
            .Select(u => new TxOut(Money.Satoshis(u.GetProperty("value").GetInt64()), Script.FromHex(u.GetProperty("scriptHex").GetString()!)))
            .ToArray();
        var precomputed = tx.PrecomputeTransactionData(spent);
        foreach (var test in fixture.GetProperty("cases").EnumerateArray())
        {
            var sighash = (TaprootSigHash)Convert.ToByte(test.GetProperty("typeHex").GetString(), 16);
            var hash = tx.GetSignatureHashTaproot(precomputed, new TaprootExecutionData(test.GetProperty("vin").GetInt32()) { SigHash = sighash });
            Assert.Equal(test.GetProperty("hash").GetString(), Convert.ToHexStringLower(hash.ToBytes()));
        }

        Assert.Equal(7, fixture.GetProperty("cases").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(InvalidPsbts))]
    public void InvalidPsbtIsRejected(int index)
    {
        var fixture = Bip174.GetProperty("invalid")[index];
        var error = Assert.Throws<DecodeException>(() => BitcoinDecoder.DecodePsbt(fixture.GetProperty("psbt").GetString()!, Network.Main));
        Assert.Contains("PSBT", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ValidPsbts))]
    public void ValidPsbtDecodes(int index)
    {
        var fixture = Bip174.GetProperty("valid")[index];
        var info = BitcoinDecoder.DecodePsbt(fixture.GetProperty("psbt").GetString()!, Network.Main);
        Assert.True(info.IsPsbt);
        Assert.NotEmpty(info.Inputs);
        if (info.FeeSats is { } fee)
        {
            Assert.Equal(info.Inputs.Sum(i => i.AmountSats!.Value) - info.Outputs.Sum(o => o.AmountSats), fee);
        }
    }

    [Theory]
    [MemberData(nameof(RolePsbts))]
    public void RolePsbtDecodes(string id)
    {
        var parts = id.Split('/');
        var section = parts[0].StartsWith("bip174.", StringComparison.Ordinal) ? Bip174.GetProperty(parts[0]["bip174.".Length..]) : Psbts.Value.RootElement.GetProperty(parts[0]);
        var fixture = section[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)];
        var info = BitcoinDecoder.DecodePsbt(fixture.GetProperty(parts[2]).GetString()!, Network.Main);
        Assert.True(info.IsPsbt);

        var finalized = parts[0] is "bip174.finalizer" or "finalizeAllInputs" && parts[2] == "result";
        if (finalized)
        {
            Assert.True(info.IsFullySigned);
            var source = BitcoinDecoder.DecodePsbt(fixture.GetProperty("psbt").GetString()!, Network.Main);
            Assert.Equal(info.Outputs.Select(o => (o.AmountSats, o.Address)), source.Outputs.Select(o => (o.AmountSats, o.Address)));
        }

        if (parts[0] == "bip174.extractor")
        {
            var extracted = BitcoinDecoder.DecodeRaw(fixture.GetProperty("transaction").GetString()!, Network.Main);
            Assert.True(info.IsFullySigned);
            Assert.Equal(extracted.TxId, info.TxId);
            Assert.Equal(extracted.VirtualSize, info.VirtualSize);
            Assert.Equal(extracted.IsSegwit, info.IsSegwit);
        }
    }

    [Fact]
    public void FeeRateMatchesGetFeeRate()
    {
        var fixture = Psbts.Value.RootElement.GetProperty("getFeeRate");
        var info = BitcoinDecoder.DecodePsbt(fixture.GetProperty("psbt").GetString()!, Network.Main);
        Assert.True(info.IsFullySigned);
        Assert.Equal(fixture.GetProperty("fee").GetInt32(), (int)Math.Floor(info.FeeRateSatPerVByte!.Value));
        Assert.Equal(info.Inputs.Sum(i => i.AmountSats!.Value) - info.Outputs.Sum(o => o.AmountSats), info.FeeSats);
    }

    /// <summary>bitcoinjs ASM: opcodes by name, data pushes as bare hex.</summary>
    private static Script ParseAsm(string asm)
    {
        var ops = new List<Op>();
        foreach (var token in asm.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (token.StartsWith("OP_", StringComparison.Ordinal))
            {
                ops.Add((OpcodeType)Enum.Parse(typeof(OpcodeType), token == "OP_TRUE" ? "OP_1" : token == "OP_FALSE" ? "OP_0" : token));
            }
            else
            {
                ops.Add(Op.GetPushOp(Convert.FromHexString(token)));
            }
        }

        return new Script(ops);
    }
}
