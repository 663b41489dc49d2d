using Scorpius.Contracts;
using Scorpius.RiskEngine.Model;
using Engine = Scorpius.RiskEngine.RiskAssessor;
using static Scorpius.RiskEngine.Tests.Detection.EngineTests;

namespace Scorpius.RiskEngine.Tests.Detection;

/// <summary>EIP-712 signature requests, matched on structure and fields rather than type names.</summary>
public sealed class TypedDataTests
{
    private const string MaxUint = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    private readonly TestIntel intel = new TestIntel().Protocol(Permit2, "Uniswap Permit2", "permit2").Protocol(Router, "Uniswap Universal Router");

    private AssessmentResult Sign(string typedData, long chainId = 1) =>
        new Engine(intel).AssessJson($$$"""{"id":"s","chain":"ethereum","chainId":{{{chainId}}},"kind":"typedData","from":"{{{Wallet}}}","typedData":{{{typedData}}},"context":{"now":"2026-11-26T00:00:00Z"}}""");

    private static string Permit(string primaryType, string spender, string value, string deadline) => $$$"""
        {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
                  "{{{primaryType}}}":[{"name":"owner","type":"address"},{"name":"spender","type":"address"},{"name":"value","type":"uint256"},{"name":"nonce","type":"uint256"},{"name":"deadline","type":"uint256"}]},
         "primaryType":"{{{primaryType}}}",
         "domain":{"name":"USD Coin","chainId":1,"verifyingContract":"{{{Token}}}"},
         "message":{"owner":"{{{Wallet}}}","spender":"{{{spender}}}","value":"{{{value}}}","nonce":0,"deadline":"{{{deadline}}}"}}
        """;

    [Fact]
    public void A_permit_is_recognised_by_its_fields_even_under_another_type_name()
    {
        var r = Sign(Permit("Claim", Unknown, MaxUint, MaxUint));
        Assert.Equal(Verdict.Warning, r.Verdict);
        var unlimited = Assert.Single(r.Findings, f => f.Code == "UNLIMITED_APPROVAL");
        Assert.Equal(true, unlimited.Evidence["signature"]);
        Assert.Equal("Erc2612Permit", unlimited.Evidence["kind"]);
        Assert.Equal(Token, unlimited.Evidence["token"]);
        Assert.Contains(r.Findings, f => f.Code == "PERMIT_NO_EXPIRY" && f.Severity == Severity.Medium);
    }

    [Fact]
    public void A_limited_short_permit_to_an_unknown_spender_is_still_a_warning()
    {
        var r = Sign(Permit("Permit", Unknown, "1000000", "1795000000")); // 2026-11-19 + ~3 months
        Assert.Equal(Severity.Medium, Assert.Single(r.Findings, f => f.Code == "PERMIT_SIGNATURE").Severity);
        Assert.DoesNotContain(r.Findings, f => f.Code == "PERMIT_NO_EXPIRY");
    }

    [Fact]
    public void A_permit_to_an_externally_owned_account_is_malicious()
    {
        var r = new Engine(intel).AssessJson($$$"""{"id":"s","kind":"typedData","from":"{{{Wallet}}}","typedData":{{{Permit("Permit", Unknown, "5", "1795000000")}}},"context":{"eoas":["{{{Unknown}}}"]}}""");
        Assert.Equal(Verdict.Malicious, r.Verdict);
    }

    private static string Permit2Single(string spender, string amount, string expiration) => $$$"""
        {"types":{"PermitSingle":[{"name":"details","type":"PermitDetails"},{"name":"spender","type":"address"},{"name":"sigDeadline","type":"uint256"}],
                  "PermitDetails":[{"name":"token","type":"address"},{"name":"amount","type":"uint160"},{"name":"expiration","type":"uint48"},{"name":"nonce","type":"uint48"}]},
         "primaryType":"PermitSingle",
         "domain":{"name":"Permit2","chainId":1,"verifyingContract":"{{{Permit2}}}"},
         "message":{"details":{"token":"{{{Token}}}","amount":"{{{amount}}}","expiration":"{{{expiration}}}","nonce":"0"},"spender":"{{{spender}}}","sigDeadline":"1795000000"}}
        """;

    [Fact]
    public void Permit2_to_the_universal_router_is_routine_but_to_a_stranger_with_no_expiry_it_is_not()
    {
        var routine = Sign(Permit2Single(Router, "1461501637330902918203684832716283019655932542975", "1795000000"));
        Assert.Equal(Verdict.Benign, routine.Verdict);

        var stranger = Sign(Permit2Single(Unknown, "1461501637330902918203684832716283019655932542975", "281474976710655"));
        Assert.Equal(Verdict.Warning, stranger.Verdict);
        Assert.Contains(stranger.Findings, f => f.Code == "UNLIMITED_APPROVAL" && f.Severity == Severity.High);
        Assert.Contains(stranger.Findings, f => f.Code == "PERMIT_NO_EXPIRY");
    }

    [Fact]
    public void Permit2_expiration_zero_means_this_block_only()
    {
        var r = Sign(Permit2Single(Unknown, "1000", "0"));
        Assert.DoesNotContain(r.Findings, f => f.Code == "PERMIT_NO_EXPIRY");
        Assert.Equal("this block", Assert.Single(r.Findings, f => f.Code == "PERMIT_SIGNATURE").Evidence["expiry"]);
    }

    [Fact]
    public void A_permit2_batch_hides_several_approvals()
    {
        var typed = $$$"""
            {"types":{"PermitBatch":[]},"primaryType":"PermitBatch","domain":{"name":"Permit2","chainId":1,"verifyingContract":"{{{Permit2}}}"},
             "message":{"details":[{"token":"{{{Token}}}","amount":"{{{MaxUint}}}","expiration":"0","nonce":"0"},
                                   {"token":"0xdac17f958d2ee523a2206206994597c13d831ec7","amount":"{{{MaxUint}}}","expiration":"0","nonce":"0"}],
                        "spender":"{{{Unknown}}}","sigDeadline":"1795000000"}}
            """;
        var r = Sign(typed);
        Assert.Equal(2, r.Findings.Count(f => f.Code == "UNLIMITED_APPROVAL"));
        Assert.Contains(r.Findings, f => f.Code == "BATCHED_APPROVALS");
    }

    [Fact]
    public void A_dai_style_permit_is_all_or_nothing()
    {
        var typed = $$$"""
            {"types":{"Permit":[]},"primaryType":"Permit","domain":{"name":"Dai Stablecoin","chainId":1,"verifyingContract":"0x6b175474e89094c44da98b954eedeac495271d0f"},
             "message":{"holder":"{{{Wallet}}}","spender":"{{{Unknown}}}","nonce":0,"expiry":0,"allowed":true}}
            """;
        var r = Sign(typed);
        Assert.Contains(r.Findings, f => f.Code == "UNLIMITED_APPROVAL" && (string)f.Evidence["kind"]! == "DaiPermit");
        Assert.Contains(r.Findings, f => f.Code == "PERMIT_NO_EXPIRY");
    }

    private static string Order(string consideration) => $$$"""
        {"types":{"OrderComponents":[]},"primaryType":"OrderComponents",
         "domain":{"name":"Seaport","version":"1.5","chainId":1,"verifyingContract":"0x00000000000000adc04c56bf30ac9d3c0aaf14dc"},
         "message":{"offerer":"{{{Wallet}}}","zone":"0x0000000000000000000000000000000000000000",
                    "offer":[{"itemType":"2","token":"0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d","identifierOrCriteria":"1","startAmount":"1","endAmount":"1"}],
                    "consideration":{{{consideration}}},"orderType":"0","startTime":"0","endTime":"1795000000","zoneHash":"0x0000000000000000000000000000000000000000000000000000000000000000",
                    "salt":"1","conduitKey":"0x0000000000000000000000000000000000000000000000000000000000000000","counter":"0"}}
        """;

    private static string Item(string amount, string recipient) =>
        "[{\"itemType\":\"0\",\"token\":\"0x0000000000000000000000000000000000000000\",\"identifierOrCriteria\":\"0\",\"startAmount\":\"" + amount +
        "\",\"endAmount\":\"" + amount + "\",\"recipient\":\"" + recipient + "\"}]";

    [Fact]
    public void A_marketplace_order_that_pays_the_signer_nothing_is_malicious()
    {
        var toAttacker = Item("1", Unknown);
        var r = Sign(Order(toAttacker));
        Assert.Equal(Verdict.Malicious, r.Verdict);
        Assert.Equal(Severity.Critical, Assert.Single(r.Findings, f => f.Code == "ORDER_FOR_NOTHING").Severity);

        var fair = "[" + Item("9750000000000000000", Wallet).Trim('[', ']') + "," + Item("250000000000000000", "0x0000a26b00c1f0df003000390027140000faa719").Trim('[', ']') + "]";
        Assert.Equal(Verdict.Benign, Sign(Order(fair)).Verdict);
    }

    [Fact]
    public void Every_signature_request_shows_its_digest_and_invalid_eip712_is_suspicious()
    {
        var valid = Sign(Permit("Permit", Router, "1", "1795000000"));
        Assert.Matches("^0x[0-9a-f]{64}$", (string)Assert.Single(valid.Findings, f => f.Code == "SIGNING_DIGEST").Evidence["digest"]!);

        // "allowed":"false" as a string: some libraries sign it as true while showing false.
        var typed = $$$"""
            {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
                      "Permit":[{"name":"holder","type":"address"},{"name":"spender","type":"address"},{"name":"nonce","type":"uint256"},{"name":"expiry","type":"uint256"},{"name":"allowed","type":"bool"}]},
             "primaryType":"Permit","domain":{"name":"Dai Stablecoin","chainId":1,"verifyingContract":"0x6b175474e89094c44da98b954eedeac495271d0f"},
             "message":{"holder":"{{{Wallet}}}","spender":"{{{Unknown}}}","nonce":0,"expiry":0,"allowed":"false"}}
            """;
        var tricky = Sign(typed);
        Assert.Equal(Verdict.Warning, tricky.Verdict);
        Assert.Contains("allowed", (string)Assert.Single(tricky.Findings, f => f.Code == "INVALID_TYPED_DATA").Evidence["reason"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_for_another_chain_is_flagged()
    {
        var r = Sign(Permit("Permit", Router, "1", "1795000000"), chainId: 137);
        Assert.Contains(r.Findings, f => f.Code == "TYPED_DATA_CHAIN_MISMATCH");
    }

    [Fact]
    public void Unrecognised_typed_data_is_low_not_silent()
    {
        var typed = """{"types":{"Mail":[]},"primaryType":"Mail","domain":{"name":"Ether Mail","chainId":1},"message":{"contents":"Hello"}}""";
        Assert.Equal(Severity.Low, Assert.Single(Sign(typed).Findings, f => f.Code == "UNRECOGNISED_SIGNATURE_REQUEST").Severity);
    }
}
