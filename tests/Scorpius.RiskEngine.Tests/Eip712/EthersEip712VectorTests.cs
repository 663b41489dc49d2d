using System.Text.Json;
using Scorpius.RiskEngine.Decoding.Evm;
using Scorpius.RiskEngine.Tests.Vectors;

namespace Scorpius.RiskEngine.Tests.Eip712;

/// <summary>
/// ethers.js EIP-712 testcases (@ethersproject/testcases 5.8.0, <c>eip712.json.gz</c>): 1024 generated typed-data
/// requests (every atomic type, nested structs, fixed and dynamic arrays up to three dimensions, every subset of
/// domain fields) plus the EIP's Mail example. For each: <c>encoded</c> = encodeData of the primary type and
/// <c>digest</c> = the signing digest. None of the vectors declares <c>types.EIP712Domain</c>, so the digest is also
/// recomputed with the domain type declared explicitly, which must change nothing.
/// </summary>
public sealed class EthersEip712VectorTests
{
    private const string File = "ethereum/ethers-testcases/eip712.json.gz";
    private static readonly string[] DomainOrder = ["name", "version", "chainId", "verifyingContract", "salt"];
    private static readonly Dictionary<string, string> DomainTypes = new()
    {
        ["name"] = "string", ["version"] = "string", ["chainId"] = "uint256", ["verifyingContract"] = "address", ["salt"] = "bytes32",
    };

    internal static readonly Lazy<Dictionary<string, JsonElement>> Vectors = new(() =>
    {
        using var document = VectorFiles.Json(File);
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var vector in document.RootElement.EnumerateArray())
        {
            result.Add(vector.GetProperty("name").GetString()!, vector.Clone());
        }

        return result;
    });

    public static TheoryData<string> Cases() => [.. Vectors.Value.Keys];

    [Fact]
    public void AllVectorsAreRead() => Assert.Equal(1025, Vectors.Value.Count);

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodedDataAndDigestMatchEthers(string name)
    {
        var vector = Vectors.Value[name];
        var primaryType = vector.GetProperty("primaryType").GetString()!;
        var types = vector.GetProperty("types");
        var data = vector.GetProperty("data");

        var encoded = Eip712Hasher.EncodeData(primaryType, types, data);
        Assert.Equal(vector.GetProperty("encoded").GetString(), "0x" + Convert.ToHexStringLower(encoded));
        Assert.Equal(Convert.ToHexStringLower(Keccak256.Hash(encoded)), Convert.ToHexStringLower(Eip712Hasher.HashStruct(primaryType, types, data)));

        var expected = vector.GetProperty("digest").GetString();
        using (var inferred = TypedData(vector, declareDomain: false))
        {
            Assert.Equal(expected, Eip712Hasher.SigningDigest(inferred.RootElement));
        }

        using var declared = TypedData(vector, declareDomain: true);
        Assert.Equal(expected, Eip712Hasher.SigningDigest(declared.RootElement));
    }

    /// <summary>The vector as an <c>eth_signTypedData_v4</c> request (its <c>data</c> becomes <c>message</c>).</summary>
    internal static JsonDocument TypedData(JsonElement vector, bool declareDomain)
    {
        var types = vector.GetProperty("types");
        var domain = vector.GetProperty("domain");
        var typesJson = types.GetRawText();
        if (declareDomain)
        {
            var present = DomainOrder.Where(f => domain.TryGetProperty(f, out _))
                .Select(f => $$"""{"name":"{{f}}","type":"{{DomainTypes[f]}}"}""");
            var members = string.Join(',', types.EnumerateObject().Select(p => $"{JsonSerializer.Serialize(p.Name)}:{p.Value.GetRawText()}"));
            typesJson = $$"""{"EIP712Domain":[{{string.Join(',', present)}}]{{(members.Length > 0 ? "," + members : "")}}}""";
        }

        return JsonDocument.Parse($$"""
            {"types":{{typesJson}},"primaryType":{{vector.GetProperty("primaryType").GetRawText()}},"domain":{{domain.GetRawText()}},"message":{{vector.GetProperty("data").GetRawText()}}}
            """);
    }
}
