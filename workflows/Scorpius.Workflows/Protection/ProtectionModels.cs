using System.Text.Json;
using Scorpius.Contracts;

namespace Scorpius.Workflows.Protection;

/// <summary>
/// What <see cref="ProtectionWorkflow"/> decided for one assessment, and the evidence of each step: the alert (or the
/// earlier alert it duplicates), the ledger receipt of the audited decision, the alert.raised event the webhooks go
/// out for, and the approver's answer.
/// </summary>
/// <param name="Status">How the protection ended: <c>allowed</c>, <c>warned</c>, <c>blocked</c>, <c>approved</c>,
/// <c>rejected</c> or <c>approval-timed-out</c> (see <see cref="ProtectionStatus"/>).</param>
/// <param name="AlertId">The alert this instance raised (or recorded as a duplicate); null when the decision raised none.</param>
/// <param name="AlertSuppressed">The alert duplicates one raised within <c>Workflows:AlertDedupWindow</c>: no webhook.</param>
/// <param name="DuplicateOfAlertId">The earlier alert a suppressed one duplicates.</param>
/// <param name="WebhookEventId">The CloudEvent id of the alert.raised event published for notifications; null when none was.</param>
public sealed record ProtectionOutcome(
    string InstanceId,
    string TenantId,
    string AssessmentId,
    Verdict Verdict,
    int Score,
    PolicyAction Action,
    string Status,
    string? AlertId,
    bool AlertSuppressed,
    string? DuplicateOfAlertId,
    LedgerReceipt? Receipt,
    string? WebhookEventId,
    ApprovalRecord? Approval);

/// <summary>The final status values of <see cref="ProtectionOutcome.Status"/>.</summary>
public static class ProtectionStatus
{
    public const string Allowed = "allowed";
    public const string Warned = "warned";
    public const string Blocked = "blocked";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string ApprovalTimedOut = "approval-timed-out";
}

/// <summary>
/// The verdict and what to do about it: wallet-guard's (from <see cref="ProtectionRequested.Verdict"/>) or the one
/// <see cref="Activities.AssessRiskActivity"/> computed.
/// </summary>
public sealed record RiskDecision(Verdict Verdict, int Score, IReadOnlyList<FindingSummary> Findings, PolicyAction Action, string? PolicyRuleId)
{
    public static RiskDecision From(ProtectionVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return new RiskDecision(verdict.Verdict, verdict.Score, verdict.Findings, verdict.Action, verdict.PolicyRuleId);
    }

    /// <summary>Without a tenant policy: malicious → block, warning and error → warn (never a silent allow), benign → allow.</summary>
    public static PolicyAction DefaultAction(Verdict verdict) => verdict switch
    {
        Verdict.Malicious => PolicyAction.Block,
        Verdict.Warning or Verdict.Error => PolicyAction.Warn,
        _ => PolicyAction.Allow,
    };
}

/// <summary>Input of <see cref="Activities.AssessRiskActivity"/>: the request in the risk engine's CLI contract (one JSON Lines object).</summary>
public sealed record AssessRiskInput(string TenantId, string AssessmentId, JsonElement Request);

/// <summary>Input of <see cref="Activities.ReadApprovalPolicyActivity"/>.</summary>
public sealed record ApprovalPolicyInput(string InstanceId);

/// <summary>How long a require-approval hold waits (read in an activity, so replay sees the value of the first run).</summary>
public sealed record ApprovalPolicy(TimeSpan Timeout);

/// <summary>The custom status of a running protection instance; the approval endpoint answers only a hold that is <see cref="AwaitingApproval"/>.</summary>
public sealed record ProtectionProgress(string Stage, DateTimeOffset? ApprovalDeadline = null)
{
    public const string AwaitingApproval = "awaiting-approval";
    public const string Deciding = "deciding";
}

/// <summary>An approver's answer as the outcome records it: <c>approved</c>, <c>rejected</c> or <c>timed-out</c> (no approver).</summary>
public sealed record ApprovalRecord(string Decision, string? By, string? Reason)
{
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string TimedOut = "timed-out";
}

/// <summary>Input of <see cref="Activities.RaiseAlertActivity"/>; <paramref name="DecidedAt"/> is workflow time (replay-safe).</summary>
public sealed record RaiseAlertInput(
    string InstanceId,
    string TenantId,
    string AssessmentId,
    string? WalletId,
    WalletRef? Wallet,
    RiskDecision Decision,
    PolicyAction Action,
    DateTimeOffset DecidedAt);

/// <summary>
/// An alert as stored in the state store. <see cref="AlertId"/> is this instance's (deterministic) id; a suppressed
/// alert names the earlier one it duplicates in <see cref="DuplicateOf"/>.
/// </summary>
public sealed record AlertRecord(
    string AlertId,
    string InstanceId,
    string TenantId,
    string AssessmentId,
    Severity Severity,
    string Type,
    string Title,
    string DedupKey,
    DateTimeOffset RaisedAt,
    bool Suppressed,
    string? DuplicateOf);

/// <summary>Input of <see cref="Activities.AppendAuditActivity"/>.</summary>
public sealed record AppendAuditInput(
    string InstanceId,
    string TenantId,
    string AssessmentId,
    string Source,
    RiskDecision Decision,
    PolicyAction Action,
    ApprovalRecord? Approval,
    string? AlertId,
    DateTimeOffset DecidedAt,
    WalletRef? Wallet = null);

/// <summary>
/// Where the audited decision sits in the ledger, and the proof: RFC 9162 inclusion proof (base64 hashes, leaf to
/// root) against the tree size of the signed checkpoint (a C2SP signed note) that comes with it.
/// </summary>
public sealed record LedgerReceipt(string EventId, long Index, long TreeSize, string LeafHash, IReadOnlyList<string> Proof, string? Checkpoint);

/// <summary>Input of <see cref="Activities.DeliverWebhookActivity"/>.</summary>
public sealed record DeliverWebhookInput(
    AlertRecord Alert,
    WalletRef? Wallet,
    RiskDecision Decision,
    PolicyAction Action,
    long LedgerIndex,
    string Source);

/// <summary>The alert.raised event <see cref="Activities.DeliverWebhookActivity"/> published (its CloudEvent id).</summary>
public sealed record WebhookPublished(string EventId);

/// <summary>Deterministic ids: a retried activity or a replayed workflow produces the same ones.</summary>
public static class ProtectionIds
{
    /// <summary>The alert of a protection instance.</summary>
    public static string AlertId(string instanceId) => $"alert-{instanceId}";

    /// <summary>The CloudEvent id of the audit event recording the decision of a protection instance.</summary>
    public static string AuditEventId(string instanceId) => $"{instanceId}-decision";

    /// <summary>The CloudEvent id of the instance's <c>assessment.completed</c> announcement.</summary>
    public static string CompletedEventId(string instanceId) => $"{instanceId}-completed";

    /// <summary>The CloudEvent id of the alert.raised event of an alert: the alert id itself.</summary>
    public static string AlertEventId(string alertId) => alertId;
}

/// <summary>The wire spelling of the contract enums, for labels and audit details (as the JSON contract writes them).</summary>
public static class Wire
{
    public static string Of(PolicyAction action) => action switch
    {
        PolicyAction.Allow => "allow",
        PolicyAction.Warn => "warn",
        PolicyAction.Block => "block",
        PolicyAction.RequireApproval => "require-approval",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static string Of(Verdict verdict) => verdict switch
    {
        Verdict.Benign => "benign",
        Verdict.Warning => "warning",
        Verdict.Malicious => "malicious",
        Verdict.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, null),
    };
}
