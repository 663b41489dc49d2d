namespace Scorpius.Workflows;

/// <summary>Settings of the workflow host (configuration section <c>Workflows</c>).</summary>
public sealed class WorkflowsOptions
{
    public const string Section = "Workflows";

    /// <summary>How long a require-approval decision waits for an approver before it counts as rejected (blocked).</summary>
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromHours(24);

    /// <summary>An alert with the same dedup key as one raised within this window is recorded but suppressed (no webhook).</summary>
    public TimeSpan AlertDedupWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long the audit activity keeps looking for its ledger entry (audit-trail appends what the audit topic delivers,
    /// usually within milliseconds) before it fails and its retry policy takes over.
    /// </summary>
    public TimeSpan AuditLookupPatience { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a pub/sub handler waits for the workflow engine before it answers RETRY.</summary>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
