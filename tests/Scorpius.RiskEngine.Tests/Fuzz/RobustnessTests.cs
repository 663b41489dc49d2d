using System.Numerics;
using System.Text;
using CsCheck;
using Scorpius.Contracts;
using Scorpius.RiskEngine.Model;
using Scorpius.RiskEngine.Tests.Detection;
using Engine = Scorpius.RiskEngine.RiskAssessor;

namespace Scorpius.RiskEngine.Tests.Fuzz;

/// <summary>
/// Property tests: whatever arrives — random or mutated transactions, calldata, typed data, hex, JSON — no exception
/// escapes the engine and every line gets a result; anything it cannot read is an error verdict with a reason.
/// </summary>
public sealed class RobustnessTests
{
    private static readonly Engine Assessor = new(new TestIntel().Flag(EngineTests.Drainer).Protocol(EngineTests.Router, "Router"));

    private static readonly byte[][] Seeds =
    [
        Abi.Call(0x095ea7b3, EngineTests.Unknown, Abi.MaxUint256),
        Abi.Call(0x5ae401dc, 1, Abi.BytesArray(Abi.Call(0x095ea7b3, EngineTests.Unknown, Abi.MaxUint256), Abi.Call(0xa22cb465, EngineTests.Unknown, true))),
        Abi.Call(0x6a761202, EngineTests.Unknown, 0, Abi.Bytes(Abi.Call(0xa9059cbb, EngineTests.Drainer, 5)), 1, 0, 0, 0, EngineTests.Wallet, EngineTests.Wallet, Abi.Bytes(new byte[65])),
        Abi.Call(0x2a2d80d1, EngineTests.Wallet, new Abi.Dynamic([.. Abi.Word(96), .. Abi.Word(EngineTests.Unknown), .. Abi.Word(1), .. Abi.Word(1), .. Abi.Word(EngineTests.Token), .. Abi.Word(5), .. Abi.Word(0), .. Abi.Word(0)]), Abi.Bytes([1, 2])),
        Abi.Call(0x8d80ff0a, Abi.Bytes([0, .. new byte[20], .. Abi.Word(0), .. Abi.Word(4), 1, 2, 3, 4])),
    ];

    private static readonly Gen<byte[]> MutatedCalldata = Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Int[0, 8], Gen.Int, Gen.Byte, (seed, edits, position, value) =>
    {
        var bytes = Seeds[seed].ToList();
        var random = new Random(position);
        for (var i = 0; i < edits && bytes.Count > 0; i++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0: bytes[at] = value; break;                      // flip a byte
                case 1: bytes.Insert(at, value); break;                 // insert
                case 2: bytes.RemoveAt(at); break;                      // delete
                default: bytes.RemoveRange(at, bytes.Count - at); break; // truncate
            }
        }
        return bytes.ToArray();
    });

    [Fact]
    public void Random_and_mutated_calldata_always_gets_a_verdict()
    {
        Gen.OneOf(Gen.Byte.Array[0, 600], MutatedCalldata).Sample(data =>
        {
            var line = $$$"""{"id":"f","kind":"transaction","transaction":{"from":"{{{EngineTests.Wallet}}}","to":"{{{EngineTests.Router}}}","data":"{{{Abi.Hex(data)}}}"}}""";
            var result = Assessor.AssessJson(line);
            Assert.Equal("f", result.Id);
            Assert.InRange(result.Score, 0, 100);
            Assert.True(result.Verdict != Verdict.Error || !string.IsNullOrWhiteSpace(result.Error));
        }, iter: 3000);
    }

    [Fact]
    public void Random_and_mutated_raw_transactions_are_assessed_or_rejected_with_a_reason()
    {
        // The EIP-155 example transaction (a real signed legacy transfer), then mutated.
        var seed = Convert.FromHexString("f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
        Gen.Select(Gen.Byte.Array[0, 300], Gen.Int[0, seed.Length - 1], Gen.Byte, (noise, at, value) => (noise, at, value)).Sample(t =>
        {
            var mutated = (byte[])seed.Clone();
            mutated[t.at] = t.value;
            foreach (var raw in new[] { t.noise, mutated, [0x02, .. t.noise], [0x04, .. t.noise], [0xf8, .. t.noise] })
            {
                var result = Assessor.AssessJson($$"""{"id":"r","kind":"raw","raw":"0x{{Convert.ToHexStringLower(raw)}}"}""");
                Assert.Equal("r", result.Id);
                Assert.True(result.Verdict != Verdict.Error || !string.IsNullOrWhiteSpace(result.Error));
            }
        }, iter: 1500);
    }

    [Fact]
    public void Random_bitcoin_hex_and_psbts_are_assessed_or_rejected_with_a_reason()
    {
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            var raw = Assessor.AssessJson($$"""{"id":"b","chain":"bitcoin","kind":"raw","raw":"{{Convert.ToHexStringLower(bytes)}}"}""");
            var psbt = Assessor.AssessJson($$"""{"id":"p","chain":"bitcoin","kind":"psbt","psbt":"{{Convert.ToBase64String([.. "psbt"u8, 0xff, .. bytes])}}"}""");
            Assert.True(raw.Verdict != Verdict.Error || !string.IsNullOrWhiteSpace(raw.Error));
            Assert.True(psbt.Verdict != Verdict.Error || !string.IsNullOrWhiteSpace(psbt.Error));
        }, iter: 1500);
    }

    private static readonly Gen<string> JsonValue = Gen.OneOf(
        Gen.Const("null"), Gen.Const("true"), Gen.Const("[]"), Gen.Const("{}"), Gen.Const("\"\""), Gen.Const("-1"), Gen.Const("1e999"),
        Gen.Const("\"0x\""), Gen.Const("\"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\""),
        Gen.Const($"\"{EngineTests.Unknown}\""), Gen.Const("115792089237316195423570985008687907853269984665640564039457584007913129639936"),
        Gen.String[0, 20].Select(s => JsonSerializerString(s)), Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static string JsonSerializerString(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    [Fact]
    public void Random_and_mutated_typed_data_always_gets_a_verdict()
    {
        string[] fields = ["owner", "spender", "value", "deadline", "details", "permitted", "sigDeadline", "holder", "allowed", "expiry",
                           "offerer", "offer", "consideration", "tree", "token", "amount", "expiration", "recipient", "startAmount", "endAmount"];
        var message = Gen.Select(Gen.Int[0, fields.Length - 1].Array[0, 10], JsonValue.Array[10], (names, values) =>
            "{" + string.Join(",", names.Distinct().Select((n, i) => $"\"{fields[n]}\":{values[i]}")) + "}");
        Gen.Select(message, JsonValue, (m, chainId) => (Message: m.Replace("\"details\":null", "\"details\":" + m, StringComparison.Ordinal), ChainId: chainId)).Sample(t =>
        {
            var typed = $$"""{"types":{},"primaryType":"X","domain":{"chainId":{{t.ChainId}},"verifyingContract":"{{EngineTests.Token}}"},"message":{{t.Message}}}""";
            var result = Assessor.AssessJson($$"""{"id":"t","kind":"typedData","typedData":{{typed}}}""");
            Assert.Equal("t", result.Id);
            Assert.True(result.Verdict != Verdict.Error || !string.IsNullOrWhiteSpace(result.Error));
        }, iter: 3000);
    }

    [Fact]
    public void Arbitrary_text_lines_never_escape_as_exceptions()
    {
        Gen.OneOf(Gen.String, Gen.Char.Array.Select(c => new string(c)),
                Gen.Const("{\"kind\":\"transaction\",\"transaction\":{\"value\":\"").Select(Gen.String, (a, b) => a + b))
            .Sample(line =>
            {
                var result = Assessor.AssessJson(line);
                Assert.True(result.Verdict != Verdict.Error || !string.IsNullOrWhiteSpace(result.Error));
            }, iter: 3000);
    }
}
