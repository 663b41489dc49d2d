using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Nethereum.Util;
using Scorpius.RiskEngine.Decoding;
using Scorpius.RiskEngine.Decoding.Evm;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>
/// ethers.js testcases (@ethersproject/testcases 5.8.0): every signed legacy transaction (without and with EIP-155
/// chain id 5) and every EIP-2930/EIP-1559 transaction decodes to the fields ethers serialized, the sender ethers
/// signed with, and hash = keccak256(raw) (computed here with Nethereum, independently of the decoder).
/// These are synthetic serialization vectors, not client-valid transactions: their gas limits are random (mostly far
/// below 21000), so they are decoded at Prague with <c>CheckIntrinsicGas = false</c>. The 83 legacy vectors (×2
/// signatures) whose gas limit is 2^64 or more are asserted to be rejected: clients refuse such a gas limit (the
/// ethereum/tests GASLIMIT_OVERFLOW rule) while ethers serializes it.
/// </summary>
public sealed class EthersTransactionTests
{
    private static readonly EvmDecodeOptions Options = new() { CheckIntrinsicGas = false };
    private static readonly Lazy<Dictionary<string, JsonElement>> Legacy = new(() => Load("ethereum/ethers-testcases/transactions.json.gz"));
    private static readonly Lazy<Dictionary<string, JsonElement>> Typed = new(() => Load("ethereum/ethers-testcases/typed-transactions.json.gz"));

    public static TheoryData<string> LegacyCases()
    {
        var data = new TheoryData<string>();
        foreach (var name in Legacy.Value.Keys)
        {
            data.Add(name);
            data.Add($"{name}@chainId5");
        }

        return data;
    }

    public static TheoryData<string> TypedCases() => [.. Typed.Value.Keys];

    [Fact]
    public void AllVectorsAreRead()
    {
        Assert.Equal(1067, Legacy.Value.Count);
        Assert.Equal(1792, Typed.Value.Count);
    }

    [Theory]
    [MemberData(nameof(LegacyCases))]
    public void LegacyTransaction(string name)
    {
        var withChainId = name.EndsWith("@chainId5", StringComparison.Ordinal);
        var vector = Legacy.Value[withChainId ? name[..^"@chainId5".Length] : name];
        var raw = VectorFiles.Hex(vector.GetProperty(withChainId ? "signedTransactionChainId5" : "signedTransaction").GetString());
        var gasLimit = Quantity(vector, "gasLimit");
        if (gasLimit > ulong.MaxValue)
        {
            var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(raw, Options));
            Assert.Contains("'gasLimit'", error.Message, StringComparison.Ordinal);
            return;
        }

        var tx = SignedTransactionDecoder.Decode(raw, Options);
        Assert.Equal(0, tx.Type);
        Assert.Equal(withChainId ? 5L : (long?)null, tx.ChainId);
        Assert.Equal(Quantity(vector, "nonce"), tx.Nonce);
        Assert.Equal<BigInteger?>(Quantity(vector, "gasPrice"), tx.GasPrice);
        Assert.Equal(gasLimit, tx.GasLimit);
        Assert.Equal(Address(vector, "to"), tx.To);
        Assert.Equal(Quantity(vector, "value"), tx.Value);
        Assert.Equal(Data(vector), Convert.ToHexStringLower(tx.Data));
        Assert.Equal(Checksum(vector.GetProperty("accountAddress").GetString()!), tx.From);
        Assert.Equal(KeccakHex(raw), tx.Hash);
    }

    [Theory]
    [MemberData(nameof(TypedCases))]
    public void TypedTransaction(string name)
    {
        var vector = Typed.Value[name];
        var fields = vector.GetProperty("tx");
        var raw = VectorFiles.Hex(vector.GetProperty("signed").GetString());
        var tx = SignedTransactionDecoder.Decode(raw, Options);

        var type = fields.GetProperty("type").GetInt32();
        Assert.Equal(type, tx.Type);
        Assert.Equal(fields.TryGetProperty("chainId", out var chainId) ? chainId.GetInt64() : 0L, tx.ChainId!.Value);
        Assert.Equal(Quantity(fields, "nonce"), tx.Nonce);
        Assert.Equal(Quantity(fields, "gasLimit"), tx.GasLimit);
        if (type == 1)
        {
            Assert.Equal<BigInteger?>(Quantity(fields, "gasPrice"), tx.GasPrice);
            Assert.Null(tx.MaxFeePerGas);
        }
        else
        {
            Assert.Null(tx.GasPrice);
            Assert.Equal<BigInteger?>(Quantity(fields, "maxFeePerGas"), tx.MaxFeePerGas);
            Assert.Equal<BigInteger?>(Quantity(fields, "maxPriorityFeePerGas"), tx.MaxPriorityFeePerGas);
        }

        Assert.Equal(Address(fields, "to"), tx.To);
        Assert.Equal(Quantity(fields, "value"), tx.Value);
        Assert.Equal(Data(fields), Convert.ToHexStringLower(tx.Data));
        Assert.Equal(fields.TryGetProperty("accessList", out var accessList) ? accessList.GetArrayLength() : 0, tx.AccessListEntries);
        Assert.Equal(Checksum(vector.GetProperty("address").GetString()!), tx.From);
        Assert.Equal(KeccakHex(raw), tx.Hash);
    }

    /// <summary>Every legacy vector's raw bytes (both signatures) and every typed one, for cross-checks and fuzz seeds.</summary>
    internal static IEnumerable<(string Name, byte[] Raw, string Sender)> Samples()
    {
        foreach (var (name, vector) in Legacy.Value)
        {
            if (Quantity(vector, "gasLimit") > ulong.MaxValue)
            {
                continue;
            }

            var sender = vector.GetProperty("accountAddress").GetString()!;
            yield return (name, VectorFiles.Hex(vector.GetProperty("signedTransaction").GetString()), sender);
            yield return ($"{name}@chainId5", VectorFiles.Hex(vector.GetProperty("signedTransactionChainId5").GetString()), sender);
        }

        foreach (var (name, vector) in Typed.Value)
        {
            yield return (name, VectorFiles.Hex(vector.GetProperty("signed").GetString()), vector.GetProperty("address").GetString()!);
        }
    }

    internal static string KeccakHex(byte[] raw) => "0x" + Convert.ToHexStringLower(new Sha3Keccack().CalculateHash(raw));

    internal static string Checksum(string address) => new AddressUtil().ConvertToChecksumAddress(address);

    private static BigInteger Quantity(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return BigInteger.Zero;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetInt64();
        }

        var hex = value.GetString()!;
        return hex is "0x" or "" ? BigInteger.Zero : BigInteger.Parse("0" + hex[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    private static string? Address(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.GetString() is { Length: > 2 } address ? Checksum(address) : null;

    private static string Data(JsonElement element) =>
        element.TryGetProperty("data", out var value) ? value.GetString()![2..].ToLowerInvariant() : string.Empty;

    private static Dictionary<string, JsonElement> Load(string file)
    {
        using var document = VectorFiles.Json(file);
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var index = 0;
        foreach (var vector in document.RootElement.EnumerateArray())
        {
            var name = vector.GetProperty("name").GetString()!;
            result.Add(result.ContainsKey(name) ? $"{name}#{index}" : name, vector.Clone());
            index++;
        }

        return result;
    }
}
