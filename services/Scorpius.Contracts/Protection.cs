using System.Text.Json;
using System.Text.Json.Serialization;

namespace Scorpius.Contracts;

/// <summary>What a tenant's policy says to do with an assessed transaction or request (first matching rule wins).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PolicyAction>))]
public enum PolicyAction
{
    [JsonStringEnumMemberName("allow")] Allow,
    [JsonStringEnumMemberName("warn")] Warn,
    [JsonStringEnumMemberName("block")] Block,
    [JsonStringEnumMemberName("require-approval")] RequireApproval,
}

/// <summary>
/// The verdict wallet-guard reached: the engine's verdict and findings, then the policy's action and the rule that decided
/// (null when no rule matched and the default applied).
/// </summary>
public sealed record ProtectionVerdict(
    Verdict Verdict,
    int Score,
    IReadOnlyList<FindingSummary> Findings,
    PolicyAction Action,
    string? PolicyRuleId);

/// <summary>
/// Protect one assessed transaction or signature request of a tenant's wallet: wallet-guard publishes it for every
/// decision (pre-sign checks through the API, transactions the chain monitor saw), the workflow host starts one
/// <c>ProtectionWorkflow</c> per assessment (instance id <see cref="InstanceId"/>, so a redelivery starts nothing new).
/// </summary>
public sealed record ProtectionRequested(
    string TenantId,
    string AssessmentId,
    string? WalletId,
    WalletRef? Wallet,
    string Source,
    JsonElement Request,
    ProtectionVerdict? Verdict,
    DateTimeOffset OccurredAt) : IScorpiusEvent
{
    public const string FromApi = "api";
    public const string FromMonitor = "monitor";

    public static string Topic => DaprNames.Topics.ProtectionRequested;
    public static string CloudEventType => "io.scorpius.protection.requested.v1";
    public static string SchemaName => "protection-requested.v1";

    /// <summary>The workflow instance of this assessment: one per tenant and assessment.</summary>
    [JsonIgnore]
    public string InstanceId => ProtectionInstance.Id(TenantId, AssessmentId);
}

public static class ProtectionInstance
{
    /// <summary>daprd refuses instance ids longer than this, or with characters other than letters, digits, '-' and '_'.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// <c>protect-{tenant}-{assessment}</c> when that is a valid Dapr workflow instance id; otherwise (long monitor ids such as
    /// <c>tx-{chain}-{hash}-{wallet}</c>, or other characters) <c>protect-</c> and 40 hex digits of SHA-256(tenant, assessment).
    /// Either way the same assessment always maps to the same instance.
    /// </summary>
    public static string Id(string tenantId, string assessmentId)
    {
        var readable = $"protect-{tenantId}-{assessmentId}";
        if (readable.Length <= MaxLength && readable.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return readable;
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(tenantId + "\n" + assessmentId));
        return "protect-" + Convert.ToHexStringLower(hash)[..40];
    }

    /// <summary>The external event a require-approval decision waits for.</summary>
    public const string ApprovalEvent = "approval";
}

/// <summary>An approver's answer to a require-approval hold (the workflow's external event <see cref="ProtectionInstance.ApprovalEvent"/>).</summary>
public sealed record ApprovalDecision(bool Approved, string By, string? Reason);
