using System.Text.Json;
using Nethereum.Util;
using Scorpius.RiskEngine.Decoding;
using Scorpius.RiskEngine.Decoding.Evm;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>
/// ethereum/tests TransactionTests (every folder, 210 vectors): each vector's signed bytes decoded under the rules of a
/// fork, as a client on chain 1 would (ExpectedChainId = 1, intrinsic gas checked). A valid result must give the same
/// hash, sender and intrinsic gas; an invalid one must be a <see cref="DecodeException"/> whose reason names the field
/// or rule of the expected exception. <see cref="LatestFork"/> targets the latest fork each vector lists (Cancun for
/// 149, Shanghai for 59, London for the two whose later results were dropped upstream); <see cref="EveryFork"/> runs
/// every (vector, fork) pair from Frontier on.
/// </summary>
public sealed class EthereumTransactionTests
{
    private const string Folder = "ethereum/ethereum-tests/TransactionTests";

    private static readonly string[] ForkOrder =
        ["Frontier", "Homestead", "EIP150", "EIP158", "Byzantium", "Constantinople", "ConstantinopleFix", "Istanbul", "Berlin", "London", "Paris", "Shanghai", "Cancun", "Prague", "Osaka"];

    /// <summary>Words one of which the decoder's reason must contain, per expected exception of the vectors.</summary>
    private static readonly Dictionary<string, string[]> ReasonWords = new(StringComparer.Ordinal)
    {
        ["ADDRESS_TOO_SHORT"] = ["'to'"],
        ["ADDRESS_TOO_LONG"] = ["'to'"],
        ["RLP_INVALID_TO"] = ["'to'"],
        ["INTRINSIC_GAS_TOO_LOW"] = ["intrinsic"],
        ["INITCODE_SIZE_EXCEEDED"] = ["initcode"],
        ["GASLIMIT_PRICE_PRODUCT_OVERFLOW"] = ["'gasLimit' ×"],
        ["GASLIMIT_OVERFLOW"] = ["'gasLimit'"],
        ["RLP_LEADING_ZEROS_GASLIMIT"] = ["'gasLimit'"],
        ["RLP_INVALID_GASLIMIT"] = ["'gasLimit'"],
        ["GASPRICE_OVERFLOW"] = ["'gasPrice'", "'maxFeePerGas'"],
        ["RLP_LEADING_ZEROS_GASPRICE"] = ["'gasPrice'"],
        ["RLP_LEADING_ZEROS_BASEFEE"] = ["'maxFeePerGas'"],
        ["RLP_LEADING_ZEROS_PRIORITY_FEE"] = ["'maxPriorityFeePerGas'"],
        ["PRIORITY_OVERFLOW"] = ["'maxPriorityFeePerGas'"],
        ["PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS_2"] = ["'maxPriorityFeePerGas'"],
        ["NONCE_OVERFLOW"] = ["'nonce'"],
        ["NONCE_TOO_BIG"] = ["'nonce'"],
        ["RLP_LEADING_ZEROS_NONCE"] = ["'nonce'"],
        ["RLP_LEADING_ZEROS_NONCE_SIZE"] = ["'nonce'"],
        ["RLP_INVALID_NONCE"] = ["'nonce'"],
        ["VALUE_OVERFLOW"] = ["'value'"],
        ["RLP_LEADING_ZEROS_VALUE"] = ["'value'"],
        ["RLP_INVALID_DATA"] = ["'data'"],
        ["RLP_LEADING_ZEROS_DATA_SIZE"] = ["'data'"],
        ["RLP_LEADING_ZEROS_V"] = ["'v'"],
        ["RLP_LEADING_ZEROS_R"] = ["'r'"],
        ["RLP_INVALID_SIGNATURE_R"] = ["'r'"],
        ["RLP_LEADING_ZEROS_S"] = ["'s'"],
        ["RLP_INVALID_SIGNATURE_S"] = ["'s'"],
        ["INVALID_SIGNATURE_VRS"] = ["signature", "'v'", "'r'", "'s'"],
        ["EC_RECOVERY_FAIL"] = ["signature", "recover"],
        ["INVALID_CHAINID"] = ["chain id", "'v'"],
        ["TYPE_NOT_SUPPORTED"] = ["type"],
        ["RLP_INVALID_ACCESS_LIST_ADDRESS_TOO_LONG"] = ["accessList"],
        ["RLP_INVALID_ACCESS_LIST_ADDRESS_TOO_SHORT"] = ["accessList"],
        ["RLP_INVALID_ACCESS_LIST_STORAGE_TOO_LONG"] = ["accessList"],
        ["RLP_INVALID_ACCESS_LIST_STORAGE_TOO_SHORT"] = ["accessList"],
        ["RLP_TOO_FEW_ELEMENTS"] = ["fields"],
        ["RLP_TOO_MANY_ELEMENTS"] = ["fields"],
        ["RLP_ERROR_SIZE"] = ["RLP"],
        ["RLP_ERROR_SIZE_LEADING_ZEROS"] = ["RLP"],
        ["RLP_ERROR_EOF"] = ["RLP"],
        ["RLP_INVALID_HEADER"] = ["RLP"],
    };

    private static readonly Lazy<Dictionary<string, Vector>> Vectors = new(Load);

    public static TheoryData<string> LatestForkCases()
    {
        var data = new TheoryData<string>();
        foreach (var (name, vector) in Vectors.Value.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            data.Add($"{name}@{vector.Results.Keys.MaxBy(f => Array.IndexOf(ForkOrder, f))}");
        }

        return data;
    }

    public static TheoryData<string> EveryForkCases()
    {
        var data = new TheoryData<string>();
        foreach (var (name, vector) in Vectors.Value.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            foreach (var fork in vector.Results.Keys.OrderBy(f => Array.IndexOf(ForkOrder, f)))
            {
                data.Add($"{name}@{fork}");
            }
        }

        return data;
    }

    [Fact]
    public void AllVectorsAreRead()
    {
        Assert.Equal(210, Vectors.Value.Count);
        Assert.Equal(50, Vectors.Value.Values.Count(v => v.Results[v.Results.Keys.MaxBy(f => Array.IndexOf(ForkOrder, f))!].Exception is null));
    }

    [Theory]
    [MemberData(nameof(LatestForkCases))]
    public void LatestFork(string vector) => Check(vector);

    [Theory]
    [MemberData(nameof(EveryForkCases))]
    public void EveryFork(string vector) => Check(vector);

    private static void Check(string id)
    {
        var at = id.LastIndexOf('@');
        var vector = Vectors.Value[id[..at]];
        var forkName = id[(at + 1)..];
        var expected = vector.Results[forkName];
        var options = new EvmDecodeOptions { Fork = ToFork(forkName), ExpectedChainId = 1, CheckIntrinsicGas = true };

        if (expected.Exception is { } exception)
        {
            var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(vector.TxBytes, options, out _));
            var words = ReasonWords[exception];
            if (vector.TxBytes[0] < 0x80 && !EvmForkRules.SupportsType(options.Fork, vector.TxBytes[0]))
            {
                // Before a type activates, the decoder rejects it for its type first; the vectors report what their
                // client found first (an encoding error inside). Both are rejections of the same bytes.
                words = [.. words, "is not valid at"];
            }

            Assert.True(
                words.Any(w => error.Message.Contains(w, StringComparison.Ordinal)),
                $"expected {exception}: the reason should mention one of [{string.Join(", ", words)}] but is \"{error.Message}\"");
            return;
        }

        var tx = SignedTransactionDecoder.Decode(vector.TxBytes, options, out var intrinsicGas);
        Assert.Equal(expected.Hash, tx.Hash);
        Assert.Equal(new AddressUtil().ConvertToChecksumAddress(expected.Sender), tx.From);
        Assert.Equal(expected.IntrinsicGas, intrinsicGas);
    }

    internal static EvmFork ToFork(string name) => name switch
    {
        "EIP150" => EvmFork.TangerineWhistle,
        "EIP158" => EvmFork.SpuriousDragon,
        "ConstantinopleFix" => EvmFork.Petersburg,
        _ => Enum.Parse<EvmFork>(name),
    };

    /// <summary>The raw bytes of every valid-at-its-latest-fork vector, for cross-checks and fuzz seeds.</summary>
    internal static IEnumerable<(string Name, byte[] TxBytes, string Fork)> ValidAtLatestFork() =>
        Vectors.Value
            .Select(v => (v.Key, v.Value, Fork: v.Value.Results.Keys.MaxBy(f => Array.IndexOf(ForkOrder, f))!))
            .Where(v => v.Value.Results[v.Fork].Exception is null)
            .OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => (v.Key, v.Value.TxBytes, v.Fork));

    private static Dictionary<string, Vector> Load()
    {
        var vectors = new Dictionary<string, Vector>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(VectorFiles.PathOf(Folder), "*.json", SearchOption.AllDirectories))
        {
            var group = Path.GetFileName(Path.GetDirectoryName(path)!);
            var file = Path.GetFileNameWithoutExtension(path);
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var tests = document.RootElement.EnumerateObject().ToList();
            foreach (var test in tests)
            {
                var name = tests.Count == 1 ? $"{group}/{file}" : $"{group}/{file}#{test.Name}";
                var results = new Dictionary<string, Expected>(StringComparer.Ordinal);
                foreach (var fork in test.Value.GetProperty("result").EnumerateObject())
                {
                    var result = fork.Value;
                    results[fork.Name] = result.TryGetProperty("exception", out var exception)
                        ? new Expected(exception.GetString()!.Replace("TransactionException.", string.Empty, StringComparison.Ordinal), null, null, 0)
                        : new Expected(
                            null,
                            result.GetProperty("hash").GetString(),
                            result.GetProperty("sender").GetString(),
                            Convert.ToUInt64(result.GetProperty("intrinsicGas").GetString(), 16));
                }

                vectors[name] = new Vector(VectorFiles.Hex(test.Value.GetProperty("txbytes").GetString()), results);
            }
        }

        return vectors;
    }

    private sealed record Vector(byte[] TxBytes, Dictionary<string, Expected> Results);

    private sealed record Expected(string? Exception, string? Hash, string? Sender, ulong IntrinsicGas);
}
