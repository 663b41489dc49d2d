using System.Numerics;
using System.Text.Json.Nodes;
using Scorpius.Contracts;
using Scorpius.RiskEngine.Intel;
using Scorpius.RiskEngine.Model;
using Engine = Scorpius.RiskEngine.RiskAssessor;

namespace Scorpius.RiskEngine.Tests.Detection;

/// <summary>Detectors and verdicts over calldata, typed data, addresses and domains, through the JSON contract.</summary>
public sealed class EngineTests
{
    internal const string Wallet = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    internal const string Token = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";
    internal const string Unknown = "0x9d5a7b2c3e4f50617283940a1b2c3d4e5f607182";
    internal const string Drainer = "0x0000db5c8b030ae20308ac975898e09741e70000";
    internal const string Router = "0x3fc91a3afd70395cd496c647d5a6cc9d4b2b7fad";
    internal const string Permit2 = "0x000000000022d473030f116ddee9f6b43ac78ba3";
    internal const string MultiSendCallOnly = "0x40a2accbd92bca938b02010e17a5b8929b49130d";
    internal const string Counterparty = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    internal const string LookAlike = "0x7099f1e2d3c4b5a6978877665544332217dc79c8";
    internal const string Sanctioned = "0x8589427373d6d84e98730d7795d8f6f8731fda16";

    private readonly TestIntel intel = new TestIntel()
        .Flag(Drainer, "phishing", "Fake_Phishing5183")
        .Add(Sanctioned, new IntelLabel(IntelLabel.Sanctioned, "OFAC SDN", "ofac-0xB10C", new DateOnly(2024, 9, 27), null))
        .Protocol(Router, "Uniswap Universal Router")
        .Protocol(Permit2, "Uniswap Permit2", "permit2")
        .Protocol(MultiSendCallOnly, "Safe MultiSendCallOnly 1.3.0", "safe");

    private AssessmentResult Tx(byte[] data, string to = Token, string value = "0", string context = "{}") =>
        new Engine(intel).AssessJson($$"""{"id":"t","chain":"ethereum","chainId":1,"kind":"transaction","transaction":{"from":"{{Wallet}}","to":"{{to}}","value":"{{value}}","data":"{{Abi.Hex(data)}}"},"context":{{context}}}""");

    private static Finding Only(AssessmentResult r, string code) => Assert.Single(r.Findings, f => f.Code == code);

    [Fact]
    public void Unlimited_approval_to_an_unknown_contract_is_a_warning_with_evidence()
    {
        var r = Tx(Abi.Call(0x095ea7b3, Unknown, Abi.MaxUint256));
        Assert.Equal(Verdict.Warning, r.Verdict);
        var f = Only(r, "UNLIMITED_APPROVAL");
        Assert.Equal(Severity.High, f.Severity);
        Assert.Equal(Unknown, f.Evidence["spender"]);
        Assert.Equal(Token, f.Evidence["token"]);
        Assert.Equal("unlimited", f.Evidence["amount"]);
        Assert.Equal(65, r.Score);
    }

    [Fact]
    public void Unlimited_approval_to_a_well_known_router_is_informational()
    {
        var r = Tx(Abi.Call(0x095ea7b3, Router, Abi.MaxUint256));
        Assert.Equal(Verdict.Benign, r.Verdict);
        Assert.Equal(Severity.Info, Only(r, "UNLIMITED_APPROVAL").Severity);
        Assert.Contains("Uniswap Universal Router", Only(r, "UNLIMITED_APPROVAL").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wallets_own_allowlist_lowers_risk_too()
    {
        var r = Tx(Abi.Call(0x095ea7b3, Unknown, Abi.MaxUint256), context: $$"""{"allowlist":["{{Unknown.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)}}"]}""");
        Assert.Equal(Verdict.Benign, r.Verdict);
    }

    [Fact]
    public void Any_approval_to_an_externally_owned_account_is_malicious()
    {
        var r = Tx(Abi.Call(0x095ea7b3, Unknown, new BigInteger(5_000_000)), context: $$"""{"eoas":["{{Unknown}}"]}""");
        Assert.Equal(Verdict.Malicious, r.Verdict);
        Assert.Equal(Severity.Critical, Only(r, "APPROVAL_TO_EOA").Severity);
    }

    [Fact]
    public void Approval_to_a_known_drainer_is_malicious_and_names_the_source()
    {
        var r = Tx(Abi.Call(0x39509351, Drainer, new BigInteger(1000)));
        Assert.Equal(Verdict.Malicious, r.Verdict);
        Only(r, "APPROVAL_TO_FLAGGED_ADDRESS");
        Assert.Equal("test-list", Only(r, "KNOWN_MALICIOUS_ADDRESS").Evidence["source"]);
    }

    [Fact]
    public void Set_approval_for_all_to_an_unknown_operator_warns_and_revoking_is_benign()
    {
        Assert.Equal(Severity.High, Only(Tx(Abi.Call(0xa22cb465, Unknown, true)), "APPROVAL_FOR_ALL").Severity);
        var revoke = Tx(Abi.Call(0xa22cb465, Unknown, false));
        Assert.Equal(Verdict.Benign, revoke.Verdict);
        Only(revoke, "APPROVAL_REVOKED");
    }

    [Fact]
    public void Approvals_hidden_inside_a_multicall_are_decoded_and_flagged()
    {
        var inner1 = Abi.Call(0x095ea7b3, Unknown, Abi.MaxUint256);
        var inner2 = Abi.Call(0xa22cb465, Unknown, true);
        var r = Tx(Abi.Call(0x5ae401dc, 1_900_000_000, Abi.BytesArray(inner1, inner2)), to: Router);
        Assert.Equal(Verdict.Warning, r.Verdict);
        Assert.Equal("call.multicall[0]", Only(r, "UNLIMITED_APPROVAL").Evidence["path"]);
        Only(r, "APPROVAL_FOR_ALL");
        Assert.Equal(2, Only(r, "BATCHED_APPROVALS").Evidence["approvals"]);
    }

    [Fact]
    public void A_safe_delegatecall_to_an_unknown_target_is_the_bybit_pattern()
    {
        var inner = Abi.Call(0xa9059cbb, Unknown, new BigInteger(1));
        var exec = Abi.Call(0x6a761202, Unknown, 0, Abi.Bytes(inner), 1, 0, 0, 0, Wallet, Wallet, Abi.Bytes(new byte[65]));
        var r = Tx(exec, to: Counterparty);
        Assert.Equal(Verdict.Malicious, r.Verdict);
        var f = Only(r, "SAFE_DELEGATECALL");
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal(Unknown, f.Evidence["target"]);
        Assert.Equal(Counterparty, f.Evidence["account"]);
    }

    [Fact]
    public void A_safe_delegatecall_to_multisend_is_expected_and_its_batch_is_still_checked()
    {
        var transferToDrainer = Abi.Call(0xa9059cbb, Drainer, new BigInteger(10));
        byte[] entry = [0, .. Convert.FromHexString(Token[2..]), .. Abi.Word(0), .. Abi.Word(transferToDrainer.Length), .. transferToDrainer];
        var multiSend = Abi.Call(0x8d80ff0a, Abi.Bytes(entry));
        var exec = Abi.Call(0x6a761202, MultiSendCallOnly, 0, Abi.Bytes(multiSend), 1, 0, 0, 0, Wallet, Wallet, Abi.Bytes(new byte[65]));
        var r = Tx(exec, to: Counterparty);
        Assert.Equal(Severity.Info, Only(r, "SAFE_DELEGATECALL").Severity);
        var drained = Only(r, "KNOWN_MALICIOUS_ADDRESS");
        Assert.Equal("call.execTransaction.multiSend[0]", drained.Evidence["path"]);
        Assert.Equal(Verdict.Malicious, r.Verdict);
    }

    [Fact]
    public void Proxy_upgrades_and_ownership_changes_warn()
    {
        Assert.Equal(Severity.High, Only(Tx(Abi.Call(0x3659cfe6, Unknown)), "PROXY_UPGRADE").Severity);
        Assert.Equal(Severity.High, Only(Tx(Abi.Call(0xf2fde38b, Unknown)), "OWNERSHIP_CHANGE").Severity);
        Assert.Equal(Severity.Critical, Only(Tx(Abi.Call(0xf2fde38b, Drainer)), "OWNERSHIP_CHANGE").Severity);
        Assert.Equal(Severity.High, Only(Tx(Abi.Call(0x0d582f13, Unknown, 1)), "SAFE_CONFIG_CHANGE").Severity);
    }

    [Fact]
    public void A_transfer_to_a_look_alike_of_a_known_counterparty_is_address_poisoning()
    {
        var context = $$"""{"knownCounterparties":["{{Counterparty}}"]}""";
        var poisoned = Tx(Abi.Call(0xa9059cbb, LookAlike, new BigInteger(1_000_000)), context: context);
        Assert.Equal(Verdict.Malicious, poisoned.Verdict);
        Assert.Equal(Counterparty, Only(poisoned, "ADDRESS_POISONING").Evidence["imitates"]);

        Assert.Equal(Verdict.Benign, Tx(Abi.Call(0xa9059cbb, Counterparty, new BigInteger(1_000_000)), context: context).Verdict);
        Assert.Equal(Verdict.Benign, Tx([], to: Counterparty, value: "1000", context: context).Verdict);
        Assert.Equal(Verdict.Malicious, Tx([], to: LookAlike, value: "1000", context: context).Verdict);
    }

    [Fact]
    public void A_zero_value_transfer_from_someone_else_is_the_poisoning_trick()
    {
        var r = Tx(Abi.Call(0x23b872dd, Counterparty, LookAlike, 0), context: $$"""{"knownCounterparties":["{{Counterparty}}"]}""");
        Assert.Equal(Severity.High, Only(r, "ZERO_VALUE_TRANSFER").Severity);
        Assert.Equal(Verdict.Malicious, r.Verdict); // the look-alike recipient is poisoning too
    }

    [Fact]
    public void Paying_a_sanctioned_address_is_malicious_and_dated()
    {
        var r = Tx([], to: Sanctioned, value: "0xde0b6b3a7640000");
        Assert.Equal(Verdict.Malicious, r.Verdict);
        Assert.Equal("2024-09-27", Only(r, "SANCTIONED_ADDRESS").Evidence["asOf"]);
    }

    [Fact]
    public void Large_transfers_are_measured_against_the_wallets_policy()
    {
        var context = """{"largeTransferThresholds":{"native":"1000000000000000000"}}""";
        Assert.Equal(Severity.Medium, Only(Tx([], to: Counterparty, value: "2000000000000000000", context: context), "LARGE_TRANSFER").Severity);
        Assert.DoesNotContain(Tx([], to: Counterparty, value: "10", context: context).Findings, f => f.Code == "LARGE_TRANSFER");
    }

    [Fact]
    public void Calldata_that_does_not_match_its_method_is_reported()
    {
        var truncated = Abi.Call(0x095ea7b3, Unknown)[..20];
        Assert.Equal(Severity.Medium, Only(Tx(truncated), "MALFORMED_CALLDATA").Severity);
    }

    [Fact]
    public void Unknown_methods_on_unknown_contracts_are_benign_but_a_flagged_contract_is_not()
    {
        Assert.Equal(Verdict.Benign, Tx(Abi.Call(0x12345678, 1), to: Unknown).Verdict);
        Assert.Equal(Verdict.Malicious, Tx(Abi.Call(0x12345678, 1), to: Drainer).Verdict);
    }

    [Fact]
    public void Paying_a_capitalised_claim_function_on_an_unknown_contract_is_the_drainer_pattern()
    {
        var claim = new byte[] { 0x31, 0x58, 0x95, 0x2e }; // Claim()
        var paid = Tx(claim, to: Unknown, value: "500000000000000000");
        Assert.Equal(Verdict.Malicious, paid.Verdict);
        Assert.Equal("Claim()", Only(paid, "DRAINER_CALL_PATTERN").Evidence["function"]);
        Assert.Equal(Severity.High, Only(Tx(claim, to: Unknown), "DRAINER_CALL_PATTERN").Severity);
        Assert.DoesNotContain(Tx(claim, to: Router, value: "1").Findings, f => f.Code == "DRAINER_CALL_PATTERN");
        Assert.DoesNotContain(Tx([0x4e, 0x71, 0xd9, 0x2d], to: Unknown, value: "1").Findings, f => f.Code == "DRAINER_CALL_PATTERN"); // claim(), lower case
    }

    [Theory]
    [InlineData("not json", "malformed JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("""{"id":"x","kind":"teleport"}""", "kind 'teleport' is not supported")]
    [InlineData("""{"id":"x","chain":"solana","kind":"address","address":"abc"}""", "chain 'solana' is not supported")]
    [InlineData("""{"id":"x","kind":"transaction","transaction":{"to":"0x12"}}""", "transaction.to '0x12' is not a 0x-prefixed 20-byte hex address")]
    [InlineData("""{"id":"x","kind":"transaction","transaction":{"to":"0x9d5a7b2c3e4f50617283940a1b2c3d4e5f607182","value":"-1"}}""", "transaction.value must be a non-negative integer")]
    [InlineData("""{"id":"x","kind":"transaction","transaction":{"data":"0xzz"}}""", "transaction.data is not valid hex")]
    [InlineData("""{"id":"x","kind":"raw","raw":"0x1234"}""", "")]
    [InlineData("""{"id":"x","kind":"typedData","typedData":{"types":{}}}""", "typedData.primaryType")]
    public void Bad_input_is_an_error_verdict_with_a_reason_never_a_silent_benign(string line, string reason)
    {
        var r = new Engine(intel).AssessJson(line);
        Assert.Equal(Verdict.Error, r.Verdict);
        Assert.False(string.IsNullOrWhiteSpace(r.Error));
        Assert.Contains(reason, r.Error, StringComparison.Ordinal);
        Assert.Empty(r.Findings);
        if (line.Contains("\"id\":\"x\"", StringComparison.Ordinal)) Assert.Equal("x", r.Id);
    }

    [Fact]
    public void Domains_follow_the_intelligence_verdict()
    {
        intel.Domains["uniswap-claim.app"] = new DomainAssessment("uniswap-claim.app", DomainStatus.LookAlike, "uniswap.org", "brand name in another domain", "test");
        var r = new Engine(intel).AssessJson("""{"id":"d","kind":"domain","domain":"uniswap-claim.app"}""");
        Assert.Equal(Verdict.Malicious, r.Verdict);
        Assert.Equal("uniswap.org", Only(r, "LOOKALIKE_DOMAIN").Evidence["imitates"]);
        Assert.Equal(Verdict.Benign, new Engine(intel).AssessJson("""{"id":"d","kind":"domain","domain":"example.org"}""").Verdict);

        var lure = new Engine(intel).AssessJson("""{"id":"d","kind":"domain","domain":"https://blast-airdrop-claim.xyz/connect"}""");
        Assert.Equal(Verdict.Warning, lure.Verdict);
        Assert.Equal("airdrop,claim", Only(lure, "SUSPICIOUS_DOMAIN").Evidence["words"]);
        Assert.Equal(Verdict.Benign, new Engine(intel).AssessJson("""{"id":"d","kind":"domain","domain":"exclaimer.com"}""").Verdict);
        Assert.Equal(Verdict.Warning, new Engine(intel).AssessJson("""{"id":"d","kind":"domain","domain":"claimrewards.io"}""").Verdict);
    }

    [Fact]
    public void Intelligence_can_be_swapped_at_run_time()
    {
        var engine = new Engine(EmptyThreatIntel.Instance);
        var line = $$"""{"kind":"address","address":"{{Drainer}}"}""";
        Assert.Equal(Verdict.Benign, engine.AssessJson(line).Verdict);
        engine.SwapIntel(intel);
        Assert.Equal(Verdict.Malicious, engine.AssessJson(line).Verdict);
    }

    [Fact]
    public void Results_serialise_to_the_contract_shape()
    {
        var json = JsonNode.Parse(ResultWriter.ToJson(Tx(Abi.Call(0x095ea7b3, Unknown, Abi.MaxUint256))))!.AsObject();
        Assert.Equal(["id", "verdict", "score", "findings"], json.Select(p => p.Key));
        var finding = json["findings"]![0]!.AsObject();
        Assert.Equal(["code", "severity", "message", "evidence"], finding.Select(p => p.Key));
        Assert.Equal("high", finding["severity"]!.GetValue<string>());
        Assert.Equal("warning", json["verdict"]!.GetValue<string>());
    }
}
