using System.Text.Json;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using Scorpius.Contracts;
using Scorpius.Workflows.Protection;
using Scorpius.Workflows.Protection.Activities;
using Scorpius.Workflows.Tests.Support;

namespace Scorpius.Workflows.Tests;

/// <summary>
/// Tiers 5 and 6: <see cref="AppendAuditActivity"/> and <see cref="DeliverWebhookActivity"/> built by the app's own
/// container (real DaprClient, ServiceInvoker with the app's service token) against the fake sidecar, which records
/// every publish with its CloudEvent envelope and forwards invocations to the audit-trail stand-in.
/// </summary>
public sealed class PublishingActivityTests
{
    private const string Instance = "protect-tenant-a-asm-7";
    private static readonly DateTimeOffset DecidedAt = new(2026, 11, 26, 5, 0, 0, TimeSpan.Zero);

    private static AppendAuditInput AuditInput(ApprovalRecord? approval = null) => new(Instance, ProtectionData.Tenant, "asm-7", "monitor",
        RiskDecision.From(ProtectionData.Warning(PolicyAction.RequireApproval, "rule-approve")), PolicyAction.Allow, approval, "alert-" + Instance, DecidedAt);

    private static T Create<T>(WorkflowsHost host) where T : class => ActivatorUtilities.CreateInstance<T>(host.Services);

    [Fact]
    public async Task The_decision_is_published_under_a_deterministic_id_and_the_receipt_comes_once_the_ledger_has_it()
    {
        // The stand-in does not subscribe: the ledger "catches up" when the test says so.
        await using var host = await WorkflowsHost.StartAsync(workflows: false, auditTrailSubscribes: false);
        var activity = Create<AppendAuditActivity>(host);
        var input = AuditInput(new ApprovalRecord(ApprovalRecord.Approved, "alice", "known counterparty"));

        await Assert.ThrowsAsync<LedgerEntryPendingException>(() => activity.RunAsync(Mock.Of<WorkflowActivityContext>(), input));
        var published = Assert.Single(host.Sidecar.PubSub.Published, m => m.Topic == DaprNames.Topics.Audit);
        host.AuditTrail.Append(published.CloudEvent["source"]!.GetValue<string>(), published.Id, published.Data);
        var receipt = await activity.RunAsync(Mock.Of<WorkflowActivityContext>(), input);

        var audits = host.Sidecar.PubSub.Published.Where(m => m.Topic == DaprNames.Topics.Audit).ToList();
        // Once on record, the decision is announced on assessment.completed (only by the try that found the entry).
        var completed = Assert.Single(host.Sidecar.PubSub.Published, m => m.Topic == DaprNames.Topics.AssessmentCompleted);
        Assert.Equal(("protect-tenant-a-asm-7-completed", "workflows", AssessmentCompleted.CloudEventType), (completed.Id, completed.CloudEvent["source"]!.GetValue<string>(), completed.Type));
        var announced = completed.DataAs<AssessmentCompleted>()!;
        Assert.Equal(("tenant-a", "asm-7", Verdict.Warning, 65), (announced.TenantId, announced.AssessmentId, announced.Verdict, announced.Score));
        Assert.Equal(2, audits.Count); // every try publishes the same event again
        Assert.All(audits, m =>
        {
            Assert.Equal(("protect-tenant-a-asm-7-decision", "workflows", AuditEvent.CloudEventType), (m.Id, m.CloudEvent["source"]!.GetValue<string>(), m.Type));
            Assert.Equal(audits[0].Data!.ToJsonString(), m.Data!.ToJsonString());
        });
        var audit = audits[0].DataAs<AuditEvent>()!;
        Assert.Equal(("tenant-a", "workflows", "protection.decision", "assessment/asm-7", "allow", "known counterparty", DecidedAt),
            (audit.TenantId, audit.Actor, audit.Action, audit.Resource, audit.Outcome, audit.Reason, audit.OccurredAt));
        Assert.Equal(new Dictionary<string, string>
        {
            ["instanceId"] = Instance, ["source"] = "monitor", ["verdict"] = "warning", ["score"] = "65", ["policyAction"] = "require-approval",
            ["ruleId"] = "rule-approve", ["approval"] = "approved", ["approver"] = "alice", ["alertId"] = "alert-" + Instance,
        }, audit.Details);

        var entry = Assert.Single(host.AuditTrail.Entries);
        Assert.Equal(new LedgerReceipt("protect-tenant-a-asm-7-decision", entry.Index, 1, entry.LeafHash, [], AuditTrailStandIn.CheckpointOf(1)), receipt with { Proof = [] });
        Assert.Equal(AuditTrailStandIn.ProofOf(entry.Index), receipt.Proof);
        var calls = host.AuditTrail.Requests.Where(r => r.PathAndQuery.StartsWith("/v1/", StringComparison.Ordinal)).ToList();
        // The first try looked again and again until its patience ran out; the second found the entry at once.
        Assert.True(calls.Count >= 4, string.Join(", ", calls.Select(c => c.PathAndQuery)));
        Assert.All(calls.SkipLast(1), c => Assert.Equal("/v1/entries/by-event/protect-tenant-a-asm-7-decision?source=workflows", c.PathAndQuery));
        Assert.Equal($"/v1/entries/{entry.Index}/inclusion-proof", calls[^1].PathAndQuery);
        // Through Dapr invocation with the app's own service token (a platform principal), fetched once.
        Assert.All(calls, c => Assert.StartsWith("Bearer ey", c.Authorization, StringComparison.Ordinal));
        Assert.Equal(1, host.Identity.TokenCalls);
    }

    [Fact]
    public async Task Through_pub_sub_the_ledger_records_the_event_once_however_often_it_is_published()
    {
        await using var host = await WorkflowsHost.StartAsync(workflows: false);
        var activity = Create<AppendAuditActivity>(host);
        LedgerReceipt? receipt = null;
        for (var attempt = 0; receipt is null && attempt < 5; attempt++)
        {
            try { receipt = await activity.RunAsync(Mock.Of<WorkflowActivityContext>(), AuditInput()); }
            catch (LedgerEntryPendingException) { await host.Sidecar.PubSub.WaitForIdleAsync(); }
        }
        var again = await activity.RunAsync(Mock.Of<WorkflowActivityContext>(), AuditInput());
        await host.Sidecar.PubSub.WaitForIdleAsync();

        Assert.NotNull(receipt);
        Assert.Equal(receipt with { Proof = [] }, again with { Proof = [] });
        Assert.Equal(receipt.Proof, again.Proof);
        var entry = Assert.Single(host.AuditTrail.Entries);
        Assert.Equal(("workflows", "protect-tenant-a-asm-7-decision"), (entry.Source, entry.EventId));
        Assert.True(host.Sidecar.PubSub.Published.Count(m => m.Topic == DaprNames.Topics.Audit) >= 2);
    }

    [Fact]
    public async Task A_hold_is_announced_once_with_the_instance_to_answer_and_the_deadline()
    {
        await using var host = await WorkflowsHost.StartAsync(workflows: false);
        var activity = Create<RequestApprovalActivity>(host);
        var decision = RiskDecision.From(ProtectionData.Warning(PolicyAction.RequireApproval, rule: "rule-approve"));
        var input = new RequestApprovalInput(Instance, ProtectionData.Tenant, "asm-7", ProtectionData.Wallet, decision, DecidedAt, DecidedAt.AddHours(24));

        Assert.Equal("approval-" + Instance, await activity.RunAsync(Mock.Of<WorkflowActivityContext>(), input));
        await activity.RunAsync(Mock.Of<WorkflowActivityContext>(), input); // a retry publishes the same event again

        var messages = host.Sidecar.PubSub.Published.Where(m => m.Topic == DaprNames.Topics.AlertRaised).ToList();
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Equal("approval-" + Instance, m.Id));
        var raised = messages[0].DataAs<AlertRaised>()!;
        Assert.Equal((RequestApprovalActivity.AlertType, Severity.High, "tenant-a", "asm-7"), (raised.Type, raised.Severity, raised.TenantId, raised.AssessmentId));
        Assert.Equal(Instance, raised.Labels["instanceId"]);
        Assert.Equal($"/v1/protections/{Instance}/approval", raised.Labels["approvalUrl"]);
        Assert.Equal(DecidedAt.AddHours(24), DateTimeOffset.Parse(raised.Labels["deadline"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("rule-approve", raised.Labels["ruleId"]);
    }

    [Fact]
    public async Task The_alert_is_published_on_alert_raised_with_its_id_as_CloudEvent_id_and_the_labels()
    {
        await using var host = await WorkflowsHost.StartAsync(workflows: false);
        var activity = Create<DeliverWebhookActivity>(host);
        var decision = RiskDecision.From(ProtectionData.Malicious());
        var alert = new AlertRecord("alert-" + Instance, Instance, ProtectionData.Tenant, "asm-7", Severity.Critical, "protection.block",
            "Blocked: Approval to a flagged address.", "tenant-a:wallet-1:APPROVAL_TO_FLAGGED_ADDRESS,UNLIMITED_APPROVAL", DecidedAt, false, null);
        var input = new DeliverWebhookInput(alert, ProtectionData.Wallet, decision, PolicyAction.Block, 41, "api");

        var first = await activity.RunAsync(Mock.Of<WorkflowActivityContext>(), input);
        var retried = await activity.RunAsync(Mock.Of<WorkflowActivityContext>(), input);

        Assert.Equal(new WebhookPublished("alert-" + Instance), first);
        Assert.Equal(first, retried);
        var messages = host.Sidecar.PubSub.Published.Where(m => m.Topic == DaprNames.Topics.AlertRaised).ToList();
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Equal(("alert-" + Instance, "workflows", AlertRaised.CloudEventType), (m.Id, m.CloudEvent["source"]!.GetValue<string>(), m.Type)));
        var raised = messages[0].DataAs<AlertRaised>()!;
        Assert.Equal((alert.AlertId, "tenant-a", Severity.Critical, "protection.block", alert.Title, alert.DedupKey, "asm-7", ProtectionData.Wallet, DecidedAt),
            (raised.AlertId, raised.TenantId, raised.Severity, raised.Type, raised.Title, raised.DedupKey, raised.AssessmentId, raised.Wallet, raised.OccurredAt));
        Assert.Equal(new Dictionary<string, string>
        {
            ["verdict"] = "malicious", ["action"] = "block", ["ruleId"] = "rule-block-flagged", ["ledgerIndex"] = "41", ["source"] = "api",
        }, raised.Labels);
        Assert.Equal(messages[0].Data!.ToJsonString(), messages[1].Data!.ToJsonString());
        // The data validates against the published contract's required members.
        var schema = JsonDocument.Parse(EventSchemas.Read(AlertRaised.SchemaName)).RootElement;
        foreach (var required in schema.GetProperty("required").EnumerateArray())
            Assert.NotNull(messages[0].Data![required.GetString()!]);
    }
}
