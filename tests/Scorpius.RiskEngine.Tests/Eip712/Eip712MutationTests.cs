using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Scorpius.RiskEngine.Decoding;
using Scorpius.RiskEngine.Decoding.Evm;

namespace Scorpius.RiskEngine.Tests.Eip712;

/// <summary>
/// Property test: the ethers vectors with a value, a member type or a domain field swapped for something odd, or a
/// member removed, either hash to a digest or fail with a <see cref="DecodeException"/> — nothing else escapes.
/// </summary>
public sealed class Eip712MutationTests
{
    private const string Placeholder = "ODD_VALUE_PLACEHOLDER";

    private static readonly string[] OddValues =
    [
        "null", "true", "false", "0", "-1", "1.5", "1e300", "9007199254740993", "\"\"", "\"0x\"", "\"0xzz\"", "\"0x123\"", "\"-0x1\"",
        "\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"", "[]", "[[]]", "{}", "[null]",
        "\"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC\"", "\"0x0000000000000000000000000000000000000000000000000000000000000000\"",
        "\"\\ud800\"", "\"" + new string('7', 100) + "\"",
    ];

    private static readonly string[] OddTypes =
    [
        "uint7", "uint", "int264", "bytes0", "bytes33", "bytes", "string[0]", "address[2]", "bool[][]", "Struct1", "Struct1[]",
        "Struct2[1]", "Struct1[2][]", "Unknown", "uint256[", "uint256]", "EIP712Domain", "tuple", " bool",
    ];

    [Fact]
    public void MutatedVectorsGiveADigestOrADecodeException()
    {
        var names = EthersEip712VectorTests.Vectors.Value.Keys.ToArray();
        Gen.Select(Gen.Int[0, names.Length - 1], Gen.Int[0, 3], Gen.Int).Sample((index, kind, seed) =>
        {
            var vector = EthersEip712VectorTests.Vectors.Value[names[index]];
            using var original = EthersEip712VectorTests.TypedData(vector, declareDomain: seed % 2 == 0);
            var root = JsonNode.Parse(original.RootElement.GetRawText())!.AsObject();
            var random = new Random(seed);
            switch (kind)
            {
                case 0: Replace(Leaves(root["message"]!), random); break;
                case 1: Replace(Leaves(root["domain"]!), random); break;
                case 2:
                    var members = root["types"]!.AsObject().SelectMany(t => t.Value!.AsArray()).ToList();
                    if (members.Count > 0) members[random.Next(members.Count)]!["type"] = OddTypes[random.Next(OddTypes.Length)];
                    break;
                default:
                    var objects = Leaves(root["message"]!).Select(l => l.Parent).OfType<JsonObject>().Distinct().ToList();
                    if (objects.Count > 0 && objects[random.Next(objects.Count)] is { Count: > 0 } target)
                        target.Remove(target.ElementAt(random.Next(target.Count)).Key);
                    break;
            }

            // The odd value goes in as text: JsonNode would refuse to write some of them (an unpaired surrogate).
            using var mutated = JsonDocument.Parse(root.ToJsonString().Replace($"\"{Placeholder}\"", OddValues[random.Next(OddValues.Length)], StringComparison.Ordinal));
            try
            {
                Assert.Matches("^0x[0-9a-f]{64}$", Eip712Hasher.SigningDigest(mutated.RootElement));
            }
            catch (DecodeException e)
            {
                Assert.StartsWith("EIP-712 ", e.Message, StringComparison.Ordinal);
            }
        }, iter: 3000);
    }

    private static List<JsonNode> Leaves(JsonNode node)
    {
        var leaves = new List<JsonNode>();
        var pending = new Stack<JsonNode>([node]);
        while (pending.TryPop(out var current))
        {
            switch (current)
            {
                case JsonObject o: foreach (var (_, child) in o) { if (child is not null) pending.Push(child); } break;
                case JsonArray a: foreach (var child in a) { if (child is not null) pending.Push(child); } break;
                default: leaves.Add(current); break;
            }
        }

        return leaves;
    }

    private static void Replace(List<JsonNode> leaves, Random random)
    {
        if (leaves.Count == 0) return;
        var leaf = leaves[random.Next(leaves.Count)];
        var replacement = JsonValue.Create(Placeholder);
        switch (leaf.Parent)
        {
            case JsonObject o: o[leaf.GetPropertyName()] = replacement; break;
            case JsonArray a: a[leaf.GetElementIndex()] = replacement; break;
        }
    }
}
