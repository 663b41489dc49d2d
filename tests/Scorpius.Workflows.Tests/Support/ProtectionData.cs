using System.Text.Json;
using System.Text.Json.Nodes;
using Scorpius.Contracts;
using Scorpius.Testing.Sidecar;

namespace Scorpius.Workflows.Tests.Support;

/// <summary>Protection requests and verdicts for tests.</summary>
public static class ProtectionData
{
    public const string Tenant = "tenant-a";
    public const string OtherTenant = "tenant-b";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static readonly DateTimeOffset OccurredAt = new(2026, 11, 26, 4, 47, 44, TimeSpan.Zero);

    public static readonly WalletRef Wallet = new("ethereum", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 1);

    /// <summary>An unlimited approval to an unknown spender (the README's first example): a warning.</summary>
    public static JsonElement UnlimitedApproval { get; } = Element(
        """{"id":"approve-unknown-unlimited","chain":"ethereum","chainId":1,"kind":"transaction","transaction":{"from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","to":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","value":"0","data":"0x095ea7b30000000000000000000000009d5a7b2c3e4f50617283940a1b2c3d4e5f607182ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}}""");

    /// <summary>An approval to an address on the bundled phishing lists: malicious.</summary>
    public static JsonElement ApprovalToPhisher { get; } = Element(
        """{"id":"approve-known-phisher","chain":"ethereum","chainId":1,"kind":"transaction","transaction":{"from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","to":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","value":"0","data":"0x095ea7b3000000000000000000000000000000000532b45f47779fce440748893b257865000000000000000000000000000000000000000000000000000000003b9aca00"}}""");

    /// <summary>A token transfer to a known counterparty.</summary>
    public static JsonElement TransferToFriend { get; } = Element(
        """{"id":"transfer-to-friend","chain":"ethereum","chainId":1,"kind":"transaction","transaction":{"from":"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","to":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","value":"0","data":"0xa9059cbb00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8000000000000000000000000000000000000000000000000000000000ee6b280"},"context":{"knownCounterparties":["0x70997970c51812dc3a010c7d01b50e0d17dc79c8"]}}""");

    public static JsonElement Element(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static ProtectionVerdict Benign() => new(Verdict.Benign, 0, [new FindingSummary("KNOWN_PROTOCOL", Severity.Info, "Known protocol.")], PolicyAction.Allow, null);

    public static ProtectionVerdict Warning(PolicyAction action = PolicyAction.Warn, string? rule = null) => new(Verdict.Warning, 65,
        [new FindingSummary("UNLIMITED_APPROVAL", Severity.High, "Unlimited approval to an unknown spender."), new FindingSummary("SIGNING_DIGEST", Severity.Info, "Digest.")],
        action, rule);

    public static ProtectionVerdict Malicious(PolicyAction action = PolicyAction.Block, string? rule = "rule-block-flagged") => new(Verdict.Malicious, 93,
        [new FindingSummary("APPROVAL_TO_FLAGGED_ADDRESS", Severity.Critical, "Approval to a flagged address."), new FindingSummary("UNLIMITED_APPROVAL", Severity.High, "Unlimited.")],
        action, rule);

    public static ProtectionRequested Request(ProtectionVerdict? verdict, string? assessmentId = null, string tenant = Tenant, string source = ProtectionRequested.FromApi,
        string? walletId = null, JsonElement? request = null) => new(
        tenant, assessmentId ?? "asm-" + Guid.NewGuid().ToString("N")[..12], walletId ?? "wallet-" + Guid.NewGuid().ToString("N")[..8], Wallet, source,
        request ?? UnlimitedApproval, verdict, OccurredAt);

    /// <summary>The CloudEvent daprd would deliver for <paramref name="e"/>.</summary>
    public static JsonObject CloudEvent(ProtectionRequested e) =>
        FakePubSub.CreateCloudEvent(DaprNames.PubSub, DaprNames.Topics.ProtectionRequested, JsonSerializer.SerializeToNode(e, Json),
            type: ProtectionRequested.CloudEventType, source: ScorpiusApps.WalletGuardId);
}
