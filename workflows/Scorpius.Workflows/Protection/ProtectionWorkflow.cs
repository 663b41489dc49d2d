using Dapr.Workflow;
using Scorpius.Contracts;
using Scorpius.Workflows.Protection.Activities;

namespace Scorpius.Workflows.Protection;

/// <summary>
/// Protects one assessed transaction or signature request (instance id <see cref="ProtectionInstance.Id"/>):
/// risk check (wallet-guard's verdict, or the engine in process) → approval hold for require-approval → alert (with
/// deduplication) → audit entry in the ledger with its inclusion proof (always, benign too) → alert.raised for the
/// webhooks when the alert is new. Every decision that reads time or configuration is made in an activity or from
/// <see cref="WorkflowContext.CurrentUtcDateTime"/>, so replay is deterministic; every activity is idempotent (its ids
/// derive from the instance id) and runs under its own explicit retry policy.
/// </summary>
public sealed class ProtectionWorkflow : Workflow<ProtectionRequested, ProtectionOutcome>
{
    /// <summary>The engine is in process and never throws for bad input: a failure is a bug or a crash; a few tries.</summary>
    public static readonly WorkflowTaskOptions AssessRetry = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(10)));

    /// <summary>Reads configuration only.</summary>
    public static readonly WorkflowTaskOptions PolicyRetry = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 3, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(10)));

    /// <summary>The state store may be briefly unavailable: about two and a half minutes of tries.</summary>
    public static readonly WorkflowTaskOptions AlertRetry = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 10, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    /// <summary>
    /// The ledger appends asynchronously (pub/sub): until audit-trail has the entry the activity throws, and is run
    /// again 1, 2, 4, 8, 16, 30, 30… seconds later, 10 attempts in all (each republishes the same CloudEvent id).
    /// </summary>
    public static readonly WorkflowTaskOptions AuditRetry = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 10, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    /// <summary>Publishing alert.raised: the broker may be briefly unavailable.</summary>
    public static readonly WorkflowTaskOptions WebhookRetry = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 10, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30)));

    public override async Task<ProtectionOutcome> RunAsync(WorkflowContext context, ProtectionRequested input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var instanceId = context.InstanceId;

        var decision = input.Verdict is { } given
            ? RiskDecision.From(given)
            : await context.CallActivityAsync<RiskDecision>(nameof(AssessRiskActivity),
                new AssessRiskInput(input.TenantId, input.AssessmentId, input.Request), AssessRetry);

        var action = decision.Action;
        ApprovalRecord? approval = null;
        if (decision.Action == PolicyAction.RequireApproval)
        {
            approval = await AwaitApprovalAsync(context, instanceId, input, decision);
            action = approval.Decision == ApprovalRecord.Approved ? PolicyAction.Allow : PolicyAction.Block;
        }

        var decidedAt = new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero);
        AlertRecord? alert = null;
        if (decision.Verdict is Verdict.Warning or Verdict.Malicious || decision.Action != PolicyAction.Allow || action != PolicyAction.Allow)
        {
            alert = await context.CallActivityAsync<AlertRecord>(nameof(RaiseAlertActivity),
                new RaiseAlertInput(instanceId, input.TenantId, input.AssessmentId, input.WalletId, input.Wallet, decision, action, decidedAt), AlertRetry);
        }

        var receipt = await context.CallActivityAsync<LedgerReceipt>(nameof(AppendAuditActivity),
            new AppendAuditInput(instanceId, input.TenantId, input.AssessmentId, input.Source, decision, action, approval, alert?.AlertId, decidedAt, input.Wallet), AuditRetry);

        string? webhookEventId = null;
        if (alert is { Suppressed: false })
        {
            var published = await context.CallActivityAsync<WebhookPublished>(nameof(DeliverWebhookActivity),
                new DeliverWebhookInput(alert, input.Wallet, decision, action, receipt.Index, input.Source), WebhookRetry);
            webhookEventId = published.EventId;
        }

        return new ProtectionOutcome(instanceId, input.TenantId, input.AssessmentId, decision.Verdict, decision.Score, action,
            StatusOf(action, approval), alert?.AlertId, alert?.Suppressed ?? false, alert?.DuplicateOf, receipt, webhookEventId, approval);
    }

    /// <summary>Waits for <see cref="ProtectionInstance.ApprovalEvent"/>; no answer within the configured timeout counts as rejected.</summary>
    private static async Task<ApprovalRecord> AwaitApprovalAsync(WorkflowContext context, string instanceId, ProtectionRequested input, RiskDecision decision)
    {
        var policy = await context.CallActivityAsync<ApprovalPolicy>(nameof(ReadApprovalPolicyActivity), new ApprovalPolicyInput(instanceId), PolicyRetry);
        var requestedAt = new DateTimeOffset(context.CurrentUtcDateTime, TimeSpan.Zero);
        var deadline = requestedAt + policy.Timeout;
        // The approvers hear of it first: the hold is announced with the instance id to answer and the deadline.
        await context.CallActivityAsync<string>(nameof(RequestApprovalActivity),
            new RequestApprovalInput(instanceId, input.TenantId, input.AssessmentId, input.Wallet, decision, requestedAt, deadline), WebhookRetry);
        context.SetCustomStatus(new ProtectionProgress(ProtectionProgress.AwaitingApproval, deadline));
        ApprovalRecord approval;
        try
        {
            var answer = await context.WaitForExternalEventAsync<ApprovalDecision>(ProtectionInstance.ApprovalEvent, policy.Timeout);
            approval = new ApprovalRecord(answer.Approved ? ApprovalRecord.Approved : ApprovalRecord.Rejected, answer.By, answer.Reason);
        }
        catch (TaskCanceledException)
        {
            approval = new ApprovalRecord(ApprovalRecord.TimedOut, By: null, Reason: null);
        }
        context.SetCustomStatus(new ProtectionProgress(ProtectionProgress.Deciding));
        return approval;
    }

    private static string StatusOf(PolicyAction action, ApprovalRecord? approval) => approval?.Decision switch
    {
        ApprovalRecord.Approved => ProtectionStatus.Approved,
        ApprovalRecord.Rejected => ProtectionStatus.Rejected,
        ApprovalRecord.TimedOut => ProtectionStatus.ApprovalTimedOut,
        _ => action switch
        {
            PolicyAction.Allow => ProtectionStatus.Allowed,
            PolicyAction.Warn => ProtectionStatus.Warned,
            _ => ProtectionStatus.Blocked,
        },
    };
}
