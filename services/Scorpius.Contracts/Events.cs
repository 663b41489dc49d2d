using System.Text.Json.Serialization;

namespace Scorpius.Contracts;

/// <summary>
/// An event published on a Scorpius topic. Dapr wraps it in a CloudEvents 1.0 envelope whose <c>type</c> is
/// <see cref="CloudEventType"/>; the <c>data</c> member validates against the JSON Schema named <see cref="SchemaName"/>.
/// </summary>
public interface IScorpiusEvent
{
    static abstract string Topic { get; }
    static abstract string CloudEventType { get; }
    static abstract string SchemaName { get; }
}

[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict
{
    [JsonStringEnumMemberName("benign")] Benign,
    [JsonStringEnumMemberName("warning")] Warning,
    [JsonStringEnumMemberName("malicious")] Malicious,
    [JsonStringEnumMemberName("error")] Error,
}

[JsonConverter(typeof(JsonStringEnumConverter<Severity>))]
public enum Severity
{
    [JsonStringEnumMemberName("info")] Info,
    [JsonStringEnumMemberName("low")] Low,
    [JsonStringEnumMemberName("medium")] Medium,
    [JsonStringEnumMemberName("high")] High,
    [JsonStringEnumMemberName("critical")] Critical,
}

/// <summary>A wallet on a chain: <c>ethereum</c> (any EVM chain, see <paramref name="ChainId"/>) or <c>bitcoin</c>.</summary>
public sealed record WalletRef(string Chain, string Address, long? ChainId = null);

/// <summary>One finding of an assessment, as carried on events (the full evidence stays with the assessment).</summary>
public sealed record FindingSummary(string Code, Severity Severity, string Message);

/// <summary>A verdict was reached for a transaction or signature request.</summary>
public sealed record AssessmentCompleted(
    string TenantId,
    string AssessmentId,
    WalletRef? Wallet,
    Verdict Verdict,
    int Score,
    IReadOnlyList<FindingSummary> Findings,
    DateTimeOffset OccurredAt) : IScorpiusEvent
{
    public static string Topic => DaprNames.Topics.AssessmentCompleted;
    public static string CloudEventType => "io.scorpius.assessment.completed.v1";
    public static string SchemaName => "assessment-completed.v1";
}

/// <summary>
/// A risky transaction or request raised an alert. <see cref="DedupKey"/> is the same for repeated findings of the
/// same kind on the same wallet, so consumers can collapse them.
/// </summary>
public sealed record AlertRaised(
    string AlertId,
    string TenantId,
    Severity Severity,
    string Type,
    string Title,
    string DedupKey,
    string? AssessmentId,
    WalletRef? Wallet,
    IReadOnlyDictionary<string, string> Labels,
    DateTimeOffset OccurredAt) : IScorpiusEvent
{
    public static string Topic => DaprNames.Topics.AlertRaised;
    public static string CloudEventType => "io.scorpius.alert.raised.v1";
    public static string SchemaName => "alert-raised.v1";
}

/// <summary>Who did what to which resource, and how it ended. Every service publishes these on the audit topic.</summary>
public sealed record AuditEvent(
    string? TenantId,
    string Actor,
    string Action,
    string Resource,
    string Outcome,
    string? Reason,
    IReadOnlyDictionary<string, string> Details,
    DateTimeOffset OccurredAt) : IScorpiusEvent
{
    public static string Topic => DaprNames.Topics.Audit;
    public static string CloudEventType => "io.scorpius.audit.v1";
    public static string SchemaName => "audit.v1";
}

/// <summary>
/// A metered unit of usage. <see cref="IdempotencyKey"/> lets the meter count a redelivered event once.
/// </summary>
public sealed record UsageRecorded(
    string TenantId,
    string Meter,
    decimal Quantity,
    string? Subject,
    string IdempotencyKey,
    DateTimeOffset OccurredAt) : IScorpiusEvent
{
    public static string Topic => DaprNames.Topics.UsageRecorded;
    public static string CloudEventType => "io.scorpius.usage.recorded.v1";
    public static string SchemaName => "usage-recorded.v1";
}
