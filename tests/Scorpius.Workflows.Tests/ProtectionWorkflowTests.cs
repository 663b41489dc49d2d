using Dapr.Workflow;
using Moq;
using Scorpius.Contracts;
using Scorpius.Workflows.Protection;
using Scorpius.Workflows.Protection.Activities;
using Scorpius.Workflows.Tests.Support;

namespace Scorpius.Workflows.Tests;

/// <summary>
/// Tier 2: every branch of <see cref="ProtectionWorkflow"/> on a strict Moq of <see cref="WorkflowContext"/>: exact
/// activity names, inputs, retry options and order, skipped steps, and failure propagation. Proves nothing about
/// serialization, replay or retries (the runtime tests do).
/// </summary>
public sealed class ProtectionWorkflowTests
{
    private const string Instance = "protect-tenant-a-asm-1";
    private static readonly DateTime Now = new(2026, 11, 26, 5, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset DecidedAt = new(Now, TimeSpan.Zero);
    private static readonly LedgerReceipt Receipt = new($"{Instance}-decision", 41, 42, "bGVhZg==", ["aGFzaDE=", "aGFzaDI="], "checkpoint note");

    private readonly Mock<WorkflowContext> context = new(MockBehavior.Strict);
    private readonly List<string> calls = [];
    private readonly List<object?> statuses = [];

    public ProtectionWorkflowTests()
    {
        context.Setup(c => c.InstanceId).Returns(Instance);
        context.Setup(c => c.CurrentUtcDateTime).Returns(Now);
    }

    private static ProtectionRequested Request(ProtectionVerdict? verdict, string source = ProtectionRequested.FromApi) =>
        ProtectionData.Request(verdict, assessmentId: "asm-1", walletId: "wallet-1", source: source);

    private static RaiseAlertInput AlertInput(ProtectionRequested e, RiskDecision decision, PolicyAction action) =>
        new(Instance, e.TenantId, e.AssessmentId, e.WalletId, e.Wallet, decision, action, DecidedAt);

    private static AlertRecord Alert(RiskDecision decision, PolicyAction action, string? duplicateOf = null) => new(
        ProtectionIds.AlertId(Instance), Instance, ProtectionData.Tenant, "asm-1", RaiseAlertActivity.SeverityOf(decision, action),
        $"protection.{Wire.Of(action)}", RaiseAlertActivity.TitleOf(decision, action), "tenant-a:wallet-1:UNLIMITED_APPROVAL", DecidedAt,
        duplicateOf is not null, duplicateOf);

    private void ExpectAlert(RaiseAlertInput input, AlertRecord result) =>
        context.Setup(c => c.CallActivityAsync<AlertRecord>(nameof(RaiseAlertActivity), input, ProtectionWorkflow.AlertRetry))
            .Callback(() => calls.Add(nameof(RaiseAlertActivity))).ReturnsAsync(result);

    private void ExpectAudit(AppendAuditInput input, LedgerReceipt? result = null) =>
        context.Setup(c => c.CallActivityAsync<LedgerReceipt>(nameof(AppendAuditActivity), input, ProtectionWorkflow.AuditRetry))
            .Callback(() => calls.Add(nameof(AppendAuditActivity))).ReturnsAsync(result ?? Receipt);

    private void ExpectWebhook(DeliverWebhookInput input) =>
        context.Setup(c => c.CallActivityAsync<WebhookPublished>(nameof(DeliverWebhookActivity), input, ProtectionWorkflow.WebhookRetry))
            .Callback(() => calls.Add(nameof(DeliverWebhookActivity))).ReturnsAsync(new WebhookPublished(input.Alert.AlertId));

    private void ExpectApprovalHold(TimeSpan timeout)
    {
        context.Setup(c => c.CallActivityAsync<ApprovalPolicy>(nameof(ReadApprovalPolicyActivity), new ApprovalPolicyInput(Instance), ProtectionWorkflow.PolicyRetry))
            .Callback(() => calls.Add(nameof(ReadApprovalPolicyActivity))).ReturnsAsync(new ApprovalPolicy(timeout));
        context.Setup(c => c.CallActivityAsync<string>(nameof(RequestApprovalActivity),
                It.Is<RequestApprovalInput>(i => i.InstanceId == Instance && i.TenantId == ProtectionData.Tenant && i.AssessmentId == "asm-1"
                    && i.RequestedAt == DecidedAt && i.Deadline == DecidedAt + timeout && i.Decision.Action == PolicyAction.RequireApproval),
                ProtectionWorkflow.WebhookRetry))
            .Callback(() => calls.Add(nameof(RequestApprovalActivity))).ReturnsAsync($"approval-{Instance}");
        context.Setup(c => c.SetCustomStatus(It.IsAny<ProtectionProgress>())).Callback<object?>(statuses.Add);
    }

    private void NeverAssesses() =>
        context.Verify(c => c.CallActivityAsync<RiskDecision>(nameof(AssessRiskActivity), It.IsAny<AssessRiskInput>(), It.IsAny<WorkflowTaskOptions?>()), Times.Never);

    private void NeverDeliversWebhook() =>
        context.Verify(c => c.CallActivityAsync<WebhookPublished>(It.IsAny<string>(), It.IsAny<DeliverWebhookInput>(), It.IsAny<WorkflowTaskOptions?>()), Times.Never);

    [Fact]
    public async Task A_benign_allowed_request_is_audited_only()
    {
        var e = Request(ProtectionData.Benign());
        var decision = RiskDecision.From(e.Verdict!);
        ExpectAudit(new AppendAuditInput(Instance, e.TenantId, e.AssessmentId, "api", decision, PolicyAction.Allow, null, null, DecidedAt, e.Wallet));

        var outcome = await new ProtectionWorkflow().RunAsync(context.Object, e);

        Assert.Equal(new ProtectionOutcome(Instance, e.TenantId, e.AssessmentId, Verdict.Benign, 0, PolicyAction.Allow, ProtectionStatus.Allowed,
            AlertId: null, AlertSuppressed: false, DuplicateOfAlertId: null, Receipt, WebhookEventId: null, Approval: null), outcome);
        Assert.Equal([nameof(AppendAuditActivity)], calls);
        NeverAssesses();
        context.Verify(c => c.CallActivityAsync<AlertRecord>(It.IsAny<string>(), It.IsAny<RaiseAlertInput>(), It.IsAny<WorkflowTaskOptions?>()), Times.Never);
        NeverDeliversWebhook();
    }

    [Fact]
    public async Task A_warning_raises_an_alert_then_audits_then_publishes_the_webhook_event_with_the_ledger_index()
    {
        var e = Request(ProtectionData.Warning());
        var decision = RiskDecision.From(e.Verdict!);
        var alert = Alert(decision, PolicyAction.Warn);
        ExpectAlert(AlertInput(e, decision, PolicyAction.Warn), alert);
        ExpectAudit(new AppendAuditInput(Instance, e.TenantId, e.AssessmentId, "api", decision, PolicyAction.Warn, null, alert.AlertId, DecidedAt, e.Wallet));
        ExpectWebhook(new DeliverWebhookInput(alert, e.Wallet, decision, PolicyAction.Warn, Receipt.Index, "api"));

        var outcome = await new ProtectionWorkflow().RunAsync(context.Object, e);

        Assert.Equal([nameof(RaiseAlertActivity), nameof(AppendAuditActivity), nameof(DeliverWebhookActivity)], calls);
        Assert.Equal(new ProtectionOutcome(Instance, e.TenantId, e.AssessmentId, Verdict.Warning, 65, PolicyAction.Warn, ProtectionStatus.Warned,
            alert.AlertId, AlertSuppressed: false, DuplicateOfAlertId: null, Receipt, WebhookEventId: alert.AlertId, Approval: null), outcome);
        NeverAssesses();
    }

    [Fact]
    public async Task A_malicious_request_from_the_monitor_is_blocked_with_an_alert_audit_and_webhook()
    {
        var e = Request(ProtectionData.Malicious(), ProtectionRequested.FromMonitor);
        var decision = RiskDecision.From(e.Verdict!);
        var alert = Alert(decision, PolicyAction.Block);
        ExpectAlert(AlertInput(e, decision, PolicyAction.Block), alert);
        ExpectAudit(new AppendAuditInput(Instance, e.TenantId, e.AssessmentId, "monitor", decision, PolicyAction.Block, null, alert.AlertId, DecidedAt, e.Wallet));
        ExpectWebhook(new DeliverWebhookInput(alert, e.Wallet, decision, PolicyAction.Block, Receipt.Index, "monitor"));

        var outcome = await new ProtectionWorkflow().RunAsync(context.Object, e);

        Assert.Equal([nameof(RaiseAlertActivity), nameof(AppendAuditActivity), nameof(DeliverWebhookActivity)], calls);
        Assert.Equal((Verdict.Malicious, PolicyAction.Block, ProtectionStatus.Blocked, alert.AlertId), (outcome.Verdict, outcome.Action, outcome.Status, outcome.WebhookEventId));
        Assert.Equal(Severity.Critical, alert.Severity);
    }

    [Fact]
    public async Task A_duplicate_alert_is_suppressed_audited_and_sends_no_webhook()
    {
        var e = Request(ProtectionData.Warning());
        var decision = RiskDecision.From(e.Verdict!);
        var alert = Alert(decision, PolicyAction.Warn, duplicateOf: "alert-protect-tenant-a-asm-0");
        ExpectAlert(AlertInput(e, decision, PolicyAction.Warn), alert);
        ExpectAudit(new AppendAuditInput(Instance, e.TenantId, e.AssessmentId, "api", decision, PolicyAction.Warn, null, alert.AlertId, DecidedAt, e.Wallet));

        var outcome = await new ProtectionWorkflow().RunAsync(context.Object, e);

        Assert.Equal([nameof(RaiseAlertActivity), nameof(AppendAuditActivity)], calls);
        Assert.True(outcome.AlertSuppressed);
        Assert.Equal(("alert-protect-tenant-a-asm-0", (string?)null), (outcome.DuplicateOfAlertId, outcome.WebhookEventId));
        NeverDeliversWebhook();
    }

    [Fact]
    public async Task An_approved_hold_allows_and_records_the_approver()
    {
        var e = Request(ProtectionData.Warning(PolicyAction.RequireApproval, rule: "rule-approve-unlimited"));
        var decision = RiskDecision.From(e.Verdict!);
        ExpectApprovalHold(TimeSpan.FromHours(24));
        context.Setup(c => c.WaitForExternalEventAsync<ApprovalDecision>(ProtectionInstance.ApprovalEvent, TimeSpan.FromHours(24)))
            .Callback(() => calls.Add("wait:approval")).ReturnsAsync(new ApprovalDecision(true, "alice", "known counterparty"));
        var approval = new ApprovalRecord(ApprovalRecord.Approved, "alice", "known counterparty");
        var alert = Alert(decision, PolicyAction.Allow);
        ExpectAlert(AlertInput(e, decision, PolicyAction.Allow), alert);
        ExpectAudit(new AppendAuditInput(Instance, e.TenantId, e.AssessmentId, "api", decision, PolicyAction.Allow, approval, alert.AlertId, DecidedAt, e.Wallet));
        ExpectWebhook(new DeliverWebhookInput(alert, e.Wallet, decision, PolicyAction.Allow, Receipt.Index, "api"));

        var outcome = await new ProtectionWorkflow().RunAsync(context.Object, e);

        Assert.Equal([nameof(ReadApprovalPolicyActivity), nameof(RequestApprovalActivity), "wait:approval", nameof(RaiseAlertActivity), nameof(AppendAuditActivity), nameof(DeliverWebhookActivity)], calls);
        Assert.Equal((PolicyAction.Allow, ProtectionStatus.Approved, approval), (outcome.Action, outcome.Status, outcome.Approval));
        Assert.Equal(
            [new ProtectionProgress(ProtectionProgress.AwaitingApproval, DecidedAt + TimeSpan.FromHours(24)), new ProtectionProgress(ProtectionProgress.Deciding)],
            statuses);
    }

    [Fact]
    public async Task A_rejected_hold_blocks()
    {
        var e = Request(ProtectionData.Warning(PolicyAction.RequireApproval));
        var decision = RiskDecision.From(e.Verdict!);
        ExpectApprovalHold(TimeSpan.FromHours(2));
        context.Setup(c => c.WaitForExternalEventAsync<ApprovalDecision>(ProtectionInstance.ApprovalEvent, TimeSpan.FromHours(2)))
            .ReturnsAsync(new ApprovalDecision(false, "bob", null));
        var approval = new ApprovalRecord(ApprovalRecord.Rejected, "bob", null);
        var alert = Alert(decision, PolicyAction.Block);
        ExpectAlert(AlertInput(e, decision, PolicyAction.Block), alert);
        ExpectAudit(new AppendAuditInput(Instance, e.TenantId, e.AssessmentId, "api", decision, PolicyAction.Block, approval, alert.AlertId, DecidedAt, e.Wallet));
        ExpectWebhook(new DeliverWebhookInput(alert, e.Wallet, decision, PolicyAction.Block, Receipt.Index, "api"));

        var outcome = await new ProtectionWorkflow().RunAsync(context.Object, e);

        Assert.Equal((PolicyAction.Block, ProtectionStatus.Rejected, approval), (outcome.Action, outcome.Status, outcome.Approval));
        Assert.Equal([nameof(ReadApprovalPolicyActivity), nameof(RequestApprovalActivity), nameof(RaiseAlertActivity), nameof(AppendAuditActivity), nameof(DeliverWebhookActivity)], calls);
    }

    [Fact]
    public async Task A_hold_nobody_answers_in_time_counts_as_rejected_and_blocks()
    {
        var e = Request(ProtectionData.Benign() with { Action = PolicyAction.RequireApproval, PolicyRuleId = "rule-new-counterparty" });
        var decision = RiskDecision.From(e.Verdict!);
        ExpectApprovalHold(TimeSpan.FromHours(24));
        context.Setup(c => c.WaitForExternalEventAsync<ApprovalDecision>(ProtectionInstance.ApprovalEvent, TimeSpan.FromHours(24)))
            .ThrowsAsync(new TaskCanceledException("timed out"));
        var approval = new ApprovalRecord(ApprovalRecord.TimedOut, null, null);
        var alert = Alert(decision, PolicyAction.Block);
        ExpectAlert(AlertInput(e, decision, PolicyAction.Block), alert);
        ExpectAudit(new AppendAuditInput(Instance, e.TenantId, e.AssessmentId, "api", decision, PolicyAction.Block, approval, alert.AlertId, DecidedAt, e.Wallet));
        ExpectWebhook(new DeliverWebhookInput(alert, e.Wallet, decision, PolicyAction.Block, Receipt.Index, "api"));

        var outcome = await new ProtectionWorkflow().RunAsync(context.Object, e);

        Assert.Equal((Verdict.Benign, PolicyAction.Block, ProtectionStatus.ApprovalTimedOut, approval), (outcome.Verdict, outcome.Action, outcome.Status, outcome.Approval));
        Assert.Equal([nameof(ReadApprovalPolicyActivity), nameof(RequestApprovalActivity), nameof(RaiseAlertActivity), nameof(AppendAuditActivity), nameof(DeliverWebhookActivity)], calls);
    }

    [Fact]
    public async Task Without_a_verdict_the_engine_assesses_the_request_first()
    {
        var e = Request(verdict: null) with { Request = ProtectionData.ApprovalToPhisher };
        var computed = new RiskDecision(Verdict.Malicious, 90, [new FindingSummary("KNOWN_MALICIOUS_ADDRESS", Severity.Critical, "Flagged.")], PolicyAction.Block, null);
        context.Setup(c => c.CallActivityAsync<RiskDecision>(nameof(AssessRiskActivity), new AssessRiskInput(e.TenantId, e.AssessmentId, e.Request), ProtectionWorkflow.AssessRetry))
            .Callback(() => calls.Add(nameof(AssessRiskActivity))).ReturnsAsync(computed);
        var alert = Alert(computed, PolicyAction.Block);
        ExpectAlert(AlertInput(e, computed, PolicyAction.Block), alert);
        ExpectAudit(new AppendAuditInput(Instance, e.TenantId, e.AssessmentId, "api", computed, PolicyAction.Block, null, alert.AlertId, DecidedAt, e.Wallet));
        ExpectWebhook(new DeliverWebhookInput(alert, e.Wallet, computed, PolicyAction.Block, Receipt.Index, "api"));

        var outcome = await new ProtectionWorkflow().RunAsync(context.Object, e);

        Assert.Equal([nameof(AssessRiskActivity), nameof(RaiseAlertActivity), nameof(AppendAuditActivity), nameof(DeliverWebhookActivity)], calls);
        Assert.Equal((Verdict.Malicious, 90, PolicyAction.Block), (outcome.Verdict, outcome.Score, outcome.Action));
    }

    [Fact]
    public async Task A_failed_ledger_append_fails_the_workflow_and_no_webhook_goes_out()
    {
        var e = Request(ProtectionData.Warning());
        var decision = RiskDecision.From(e.Verdict!);
        var alert = Alert(decision, PolicyAction.Warn);
        ExpectAlert(AlertInput(e, decision, PolicyAction.Warn), alert);
        var failure = new WorkflowTaskFailedException("append failed",
            new WorkflowTaskFailureDetails(typeof(LedgerEntryPendingException).FullName!, "audit-trail has not recorded the event yet", stackTrace: null));
        context.Setup(c => c.CallActivityAsync<LedgerReceipt>(nameof(AppendAuditActivity), It.IsAny<AppendAuditInput>(), ProtectionWorkflow.AuditRetry))
            .ThrowsAsync(failure);

        var thrown = await Assert.ThrowsAsync<WorkflowTaskFailedException>(() => new ProtectionWorkflow().RunAsync(context.Object, e));

        Assert.Equal(typeof(LedgerEntryPendingException).FullName, thrown.FailureDetails.ErrorType);
        Assert.Equal([nameof(RaiseAlertActivity)], calls);
        NeverDeliversWebhook();
    }

    [Fact]
    public async Task A_failed_assessment_fails_the_workflow_before_anything_is_recorded()
    {
        var e = Request(verdict: null);
        context.Setup(c => c.CallActivityAsync<RiskDecision>(nameof(AssessRiskActivity), It.IsAny<AssessRiskInput>(), ProtectionWorkflow.AssessRetry))
            .ThrowsAsync(new WorkflowTaskFailedException("assess failed", new WorkflowTaskFailureDetails(typeof(InvalidOperationException).FullName!, "engine crashed", null)));

        await Assert.ThrowsAsync<WorkflowTaskFailedException>(() => new ProtectionWorkflow().RunAsync(context.Object, e));

        context.Verify(c => c.CallActivityAsync<AlertRecord>(It.IsAny<string>(), It.IsAny<RaiseAlertInput>(), It.IsAny<WorkflowTaskOptions?>()), Times.Never);
        context.Verify(c => c.CallActivityAsync<LedgerReceipt>(It.IsAny<string>(), It.IsAny<AppendAuditInput>(), It.IsAny<WorkflowTaskOptions?>()), Times.Never);
        NeverDeliversWebhook();
    }

    [Fact]
    public void Every_activity_has_an_explicit_retry_policy()
    {
        Assert.All(new[] { ProtectionWorkflow.AssessRetry, ProtectionWorkflow.PolicyRetry, ProtectionWorkflow.AlertRetry, ProtectionWorkflow.AuditRetry, ProtectionWorkflow.WebhookRetry },
            o => Assert.NotNull(o.RetryPolicy));
        var audit = ProtectionWorkflow.AuditRetry.RetryPolicy!;
        Assert.Equal((10, TimeSpan.FromSeconds(1), 2d, TimeSpan.FromSeconds(30)),
            (audit.MaxNumberOfAttempts, audit.FirstRetryInterval, audit.BackoffCoefficient, audit.MaxRetryInterval));
    }
}
