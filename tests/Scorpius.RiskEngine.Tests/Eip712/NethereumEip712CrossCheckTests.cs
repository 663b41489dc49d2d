using System.Text.Json;
using Nethereum.ABI.EIP712;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Nethereum.Util;
using Scorpius.RiskEngine.Decoding.Evm;

namespace Scorpius.RiskEngine.Tests.Eip712;

/// <summary>
/// A second opinion from Nethereum 6.1 (Nethereum.ABI.EIP712 / Nethereum.Signer.EIP712, an independent implementation)
/// on the EIP-712 specification's Mail example, an EIP-2612 Permit, a Permit2 PermitSingle and the v4 Mail example
/// with arrays; plus the values the EIP itself publishes for Mail and the signature in the ethers example vector.
/// </summary>
public sealed class NethereumEip712CrossCheckTests
{
    private const string Mail = """
        {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
                  "Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
                  "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},
         "primaryType":"Mail",
         "domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
         "message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
                    "to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
                    "contents":"Hello, Bob!"}}
        """;

    private const string Permit = """
        {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
                  "Permit":[{"name":"owner","type":"address"},{"name":"spender","type":"address"},{"name":"value","type":"uint256"},{"name":"nonce","type":"uint256"},{"name":"deadline","type":"uint256"}]},
         "primaryType":"Permit",
         "domain":{"name":"USD Coin","version":"2","chainId":1,"verifyingContract":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},
         "message":{"owner":"0x5B38Da6a701c568545dCfcB03FcB875f56beddC4","spender":"0xAb8483F64d9C6d1EcF9b849Ae677dD3315835cb2",
                    "value":"115792089237316195423570985008687907853269984665640564039457584007913129639935","nonce":"7","deadline":"1735689600"}}
        """;

    private const string PermitSingle = """
        {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
                  "PermitSingle":[{"name":"details","type":"PermitDetails"},{"name":"spender","type":"address"},{"name":"sigDeadline","type":"uint256"}],
                  "PermitDetails":[{"name":"token","type":"address"},{"name":"amount","type":"uint160"},{"name":"expiration","type":"uint48"},{"name":"nonce","type":"uint48"}]},
         "primaryType":"PermitSingle",
         "domain":{"name":"Permit2","chainId":8453,"verifyingContract":"0x000000000022D473030F116dDEE9F6B43aC78BA3"},
         "message":{"details":{"token":"0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913","amount":"1461501637330902918203684832716283019655932542975","expiration":"1767225600","nonce":"3"},
                    "spender":"0x3fC91A3afd70395Cd496C647d5a6CC9D4B2b7FAD","sigDeadline":"1767225600"}}
        """;

    private const string MailWithArrays = """
        {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
                  "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person[]"},{"name":"contents","type":"string"}],
                  "Person":[{"name":"name","type":"string"},{"name":"wallets","type":"address[]"}]},
         "primaryType":"Mail",
         "domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
         "message":{"from":{"name":"Cow","wallets":["0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826","0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF"]},
                    "to":[{"name":"Bob","wallets":["0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB","0xB0BdaBea57B0BDABeA57b0bdABEA57b0BDabEa57","0xB0B0b0b0b0b0B000000000000000000000000000"]}],
                    "contents":"Hello, Bob!"}}
        """;

    private static readonly Dictionary<string, string> Requests = new()
    {
        ["Mail (EIP-712 example)"] = Mail,
        ["EIP-2612 Permit, unlimited"] = Permit,
        ["Permit2 PermitSingle"] = PermitSingle,
        ["Mail with Person[] and address[] (v4 example)"] = MailWithArrays,
    };

    public static TheoryData<string> Cases() => [.. Requests.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameDigestAsNethereum(string name)
    {
        var json = Requests[name];
        using var document = JsonDocument.Parse(json);
        var theirs = "0x" + Convert.ToHexStringLower(Sha3Keccack.Current.CalculateHash(Eip712TypedDataEncoder.Current.EncodeTypedData(json)));
        Assert.Equal(theirs, Eip712Hasher.SigningDigest(document.RootElement));
    }

    [Fact]
    public void MailMatchesTheValuesPublishedInTheEip()
    {
        using var document = JsonDocument.Parse(Mail);
        var root = document.RootElement;
        var types = root.GetProperty("types");
        Assert.Equal("Mail(Person from,Person to,string contents)Person(string name,address wallet)", Eip712Hasher.EncodeType("Mail", types));
        var encoded = Eip712Hasher.EncodeData("Mail", types, root.GetProperty("message"));
        Assert.Equal("a0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2", Convert.ToHexStringLower(encoded.AsSpan(0, 32)));
        Assert.Equal("c52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e",
            Convert.ToHexStringLower(Eip712Hasher.HashStruct("Mail", types, root.GetProperty("message"))));
        Assert.Equal("f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f",
            Convert.ToHexStringLower(Eip712Hasher.HashStruct("EIP712Domain", types, root.GetProperty("domain"))));
        Assert.Equal("0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2", Eip712Hasher.SigningDigest(root));
    }

    [Fact]
    public void SigningOurDigestReproducesTheEthersExampleSignature()
    {
        var vector = EthersEip712VectorTests.Vectors.Value["EIP712 example"];
        using var typedData = EthersEip712VectorTests.TypedData(vector, declareDomain: true);
        var key = new EthECKey(vector.GetProperty("privateKey").GetString()!);
        var digest = Convert.FromHexString(Eip712Hasher.SigningDigest(typedData.RootElement)[2..]);

        var ours = EthECDSASignature.CreateStringSignature(key.SignAndCalculateV(digest));
        Assert.Equal(vector.GetProperty("signature").GetString(), ours);
        Assert.Equal(ours, new Eip712TypedDataSigner().SignTypedDataV4(typedData.RootElement.GetRawText(), key));
    }

    [Fact]
    public void UndeclaredMembersAndDomainKeyOrderDoNotChangeTheDigest()
    {
        using var plain = JsonDocument.Parse(Mail);
        using var noisy = JsonDocument.Parse(Mail
            .Replace("\"contents\":\"Hello, Bob!\"", "\"contents\":\"Hello, Bob!\",\"note\":\"not signed\"", StringComparison.Ordinal)
            .Replace("\"name\":\"Cow\",", "\"name\":\"Cow\",\"age\":3,", StringComparison.Ordinal));
        Assert.Equal(Eip712Hasher.SigningDigest(plain.RootElement), Eip712Hasher.SigningDigest(noisy.RootElement));

        // Without types.EIP712Domain the domain type is inferred in ethers' field order, whatever the JSON order.
        static string Inferred(string domain)
        {
            using var document = JsonDocument.Parse($$$"""
                {"types":{"Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}]},"primaryType":"Person",
                 "domain":{{{domain}}},"message":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"}}
                """);
            return Eip712Hasher.SigningDigest(document.RootElement);
        }

        var canonical = Inferred("""{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"}""");
        Assert.Equal(canonical, Inferred("""{"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC","chainId":"0x1","version":"1","name":"Ether Mail"}"""));
        Assert.Equal(canonical, Inferred("""{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC","salt":null}"""));
        Assert.NotEqual(canonical, Inferred("""{"name":"Ether Mail","version":"1","chainId":1}"""));
    }
}
