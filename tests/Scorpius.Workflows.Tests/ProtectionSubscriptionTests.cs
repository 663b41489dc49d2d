using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Workflow;
using Scorpius.Contracts;
using Scorpius.Testing.Sidecar;
using Scorpius.Workflows.Protection;
using Scorpius.Workflows.Tests.Support;

namespace Scorpius.Workflows.Tests;

/// <summary>
/// Tiers 6 and 7: the protection.requested subscription driven as daprd drives it, through the fake sidecar's pub/sub,
/// with the app's real workflow worker on the in-process engine (a test double, not daprd), the audit-trail stand-in
/// subscribed to the audit topic, and every publish recorded: SUCCESS / DROP / RETRY, idempotent scheduling, and the
/// whole protection from the published request to the alert.raised event.
/// </summary>
public sealed class ProtectionSubscriptionTests(WorkflowsHostFixture fixture) : IClassFixture<WorkflowsHostFixture>
{
    private WorkflowsHost Host => fixture.Host;

    private Task<DeliveryAttempt> DeliverAsync(JsonObject cloudEvent) =>
        Host.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.WorkflowsId, DaprNames.PubSub, DaprNames.Topics.ProtectionRequested, cloudEvent);

    private async Task<WorkflowState> CompletionAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(WorkflowsHost.WaitLimit);
        var state = await Host.Workflows.WaitForWorkflowCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.True(state.RuntimeStatus == WorkflowRuntimeStatus.Completed, $"{instanceId}: {state.RuntimeStatus} {state.FailureDetails?.ErrorType} {state.FailureDetails?.ErrorMessage}");
        return state;
    }

    [Fact]
    public async Task The_app_subscribes_to_protection_requested_with_the_dead_letter_topic()
    {
        var subscriptions = await Host.Sidecar.PubSub.GetSubscriptionsAsync(ScorpiusApps.WorkflowsId);

        Assert.Equal([new Subscription(DaprNames.PubSub, DaprNames.Topics.ProtectionRequested, "events/protection-requested", DaprNames.Topics.DeadLetter)], subscriptions);
    }

    [Fact]
    public async Task A_published_warning_runs_the_whole_protection_alert_ledger_receipt_and_alert_raised()
    {
        var e = ProtectionData.Request(ProtectionData.Warning(rule: "rule-warn-approvals"));
        using var dapr = Host.Sidecar.CreateClient();

        await dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.Topics.ProtectionRequested, e);
        var outcome = (await CompletionAsync(e.InstanceId)).ReadOutputAs<ProtectionOutcome>()!;
        await Host.Sidecar.PubSub.WaitForIdleAsync();

        var alertId = ProtectionIds.AlertId(e.InstanceId);
        Assert.Equal((e.InstanceId, Verdict.Warning, 65, PolicyAction.Warn, ProtectionStatus.Warned), (outcome.InstanceId, outcome.Verdict, outcome.Score, outcome.Action, outcome.Status));
        Assert.Equal((alertId, false, (string?)null, alertId, (ApprovalRecord?)null), (outcome.AlertId, outcome.AlertSuppressed, outcome.DuplicateOfAlertId, outcome.WebhookEventId, outcome.Approval));
        // The receipt names the stand-in ledger's entry of the decision's audit event, with its proof and checkpoint.
        var entry = Assert.Single(Host.AuditTrail.Entries, x => x.EventId == ProtectionIds.AuditEventId(e.InstanceId));
        Assert.Equal("workflows", entry.Source);
        var receipt = outcome.Receipt!;
        Assert.Equal((entry.EventId, entry.Index, entry.LeafHash), (receipt.EventId, receipt.Index, receipt.LeafHash));
        Assert.Equal(AuditTrailStandIn.ProofOf(entry.Index), receipt.Proof);
        Assert.StartsWith(AuditTrailStandIn.CheckpointOrigin, receipt.Checkpoint, StringComparison.Ordinal);
        Assert.Equal(("protection.decision", "warn", "rule-warn-approvals"), ((string)entry.Data!["action"]!, (string)entry.Data["outcome"]!, (string)entry.Data["details"]!["ruleId"]!));
        // One alert.raised, for notifications, under the alert id, with the ledger index.
        var raised = Assert.Single(Host.Sidecar.PubSub.Published, m => m.Topic == DaprNames.Topics.AlertRaised && m.Id == alertId).DataAs<AlertRaised>()!;
        Assert.Equal((e.TenantId, e.AssessmentId, $"tenant-a:{e.WalletId}:UNLIMITED_APPROVAL"), (raised.TenantId, raised.AssessmentId, raised.DedupKey));
        Assert.Equal(receipt.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), raised.Labels["ledgerIndex"]);
        // The alert is in the state store under the tenant.
        Assert.NotNull(Host.Sidecar.StateStore(DaprNames.StateStore).Keys.SingleOrDefault(k => k.EndsWith($"alert||tenant-a||{alertId}", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_benign_allowed_request_is_audited_without_alert_or_webhook()
    {
        var e = ProtectionData.Request(ProtectionData.Benign(), request: ProtectionData.TransferToFriend);

        var delivered = await DeliverAsync(ProtectionData.CloudEvent(e));
        var outcome = (await CompletionAsync(e.InstanceId)).ReadOutputAs<ProtectionOutcome>()!;

        Assert.Equal((DeliveryStatus.Success, 200), (delivered.Status, delivered.HttpStatus));
        Assert.Equal((PolicyAction.Allow, ProtectionStatus.Allowed, (string?)null, (string?)null), (outcome.Action, outcome.Status, outcome.AlertId, outcome.WebhookEventId));
        Assert.NotNull(outcome.Receipt);
        Assert.DoesNotContain(Host.Sidecar.PubSub.Published, m => m.Topic == DaprNames.Topics.AlertRaised && m.DataAs<AlertRaised>()!.AssessmentId == e.AssessmentId);
    }

    [Fact]
    public async Task Without_a_verdict_the_engine_decides_in_process()
    {
        var e = ProtectionData.Request(verdict: null, request: ProtectionData.ApprovalToPhisher, source: ProtectionRequested.FromMonitor);

        Assert.Equal(DeliveryStatus.Success, (await DeliverAsync(ProtectionData.CloudEvent(e))).Status);
        var outcome = (await CompletionAsync(e.InstanceId)).ReadOutputAs<ProtectionOutcome>()!;

        Assert.Equal((Verdict.Malicious, PolicyAction.Block, ProtectionStatus.Blocked), (outcome.Verdict, outcome.Action, outcome.Status));
        Assert.NotNull(outcome.WebhookEventId);
    }

    [Fact]
    public async Task A_redelivered_request_schedules_one_instance()
    {
        var e = ProtectionData.Request(ProtectionData.Malicious());
        var cloudEvent = ProtectionData.CloudEvent(e);

        var concurrent = await Task.WhenAll(DeliverAsync(cloudEvent), DeliverAsync(cloudEvent));
        var first = await CompletionAsync(e.InstanceId);
        var late = await DeliverAsync(cloudEvent);
        var after = await Host.Workflows.GetWorkflowStateAsync(e.InstanceId, getInputsAndOutputs: true);

        Assert.All([.. concurrent, late], d => Assert.Equal((DeliveryStatus.Success, 200), (d.Status, d.HttpStatus)));
        Assert.Equal((WorkflowRuntimeStatus.Completed, first.CreatedAt, first.LastUpdatedAt), (after.RuntimeStatus, after.CreatedAt, after.LastUpdatedAt));
        Assert.Equal(nameof(ProtectionWorkflow), after.WorkflowName);
        Assert.Equal(e.AssessmentId, after.ReadInputAs<ProtectionRequested>()!.AssessmentId);
        // One run: one alert.raised for the alert of this instance.
        Assert.Single(Host.Sidecar.PubSub.Published, m => m.Topic == DaprNames.Topics.AlertRaised && m.Id == ProtectionIds.AlertId(e.InstanceId));
    }

    public static IEnumerable<object[]> Poison =>
    [
        ["data is a string", "\"not an object\""],
        ["data is null", "null"],
        ["no assessment id", Without("assessmentId")],
        ["no request", Without("request")],
        ["a tenant id with a slash", With("tenantId", "tenant/../a")],
        ["an unknown source", With("source", "carrier-pigeon")],
        ["a request that is not an object", With("request", "[1,2]")],
        ["an unknown verdict", WithVerdict("verdict", "\"catastrophic\"")],
        ["an unknown action", WithVerdict("action", "\"shrug\"")],
    ];

    [Theory]
    [MemberData(nameof(Poison))]
    public async Task A_message_that_can_never_be_processed_is_answered_200_DROP(string what, string data)
    {
        var body = $$"""{"specversion":"1.0","id":"poison-{{Guid.NewGuid():N}}","source":"wallet-guard","type":"{{ProtectionRequested.CloudEventType}}","datacontenttype":"application/json","topic":"protection.requested","pubsubname":"scorpius-pubsub","data":{{data}}}""";

        var delivered = await Host.Sidecar.PubSub.DeliverRawOnceAsync(ScorpiusApps.WorkflowsId, DaprNames.PubSub, DaprNames.Topics.ProtectionRequested, body);

        Assert.True(delivered is { Status: DeliveryStatus.Drop, HttpStatus: 200 }, $"{what}: {delivered.Status} {delivered.HttpStatus} {delivered.ResponseBody}");
    }

    /// <summary>
    /// Tripwire, outside this app's code: an envelope that is not JSON fails in Dapr.AspNetCore's CloudEvents middleware
    /// (UseCloudEvents, in ServiceDefaults) before the handler runs, so it is answered 500 and daprd redelivers it until
    /// its retries run out, instead of 200 DROP. When this fails, the shared pipeline answers it properly: assert DROP.
    /// </summary>
    [Fact]
    public async Task An_envelope_that_is_not_JSON_is_dropped_not_retried()
    {
        var delivered = await Host.Sidecar.PubSub.DeliverRawOnceAsync(ScorpiusApps.WorkflowsId, DaprNames.PubSub, DaprNames.Topics.ProtectionRequested, "{{{ not json");

        Assert.Equal((DeliveryStatus.Drop, 200), (delivered.Status, delivered.HttpStatus));
    }

    [Fact]
    public async Task A_published_poison_message_goes_to_the_dead_letter_topic()
    {
        var id = "poison-" + Guid.NewGuid().ToString("N");
        using var dapr = Host.Sidecar.CreateClient();

        await dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.Topics.ProtectionRequested, new { tenantId = ProtectionData.Tenant },
            new Dictionary<string, string> { ["cloudevent.id"] = id });
        await Host.Sidecar.PubSub.WaitForIdleAsync();

        var attempt = Assert.Single(Host.Sidecar.PubSub.Attempts, a => a.CloudEventId == id && a.Topic == DaprNames.Topics.ProtectionRequested);
        Assert.Equal(DeliveryStatus.Drop, attempt.Status);
        Assert.Single(Host.Sidecar.PubSub.Published, m => m.Topic == DaprNames.Topics.DeadLetter && m.Id == id);
    }

    private static string Valid() => JsonSerializer.Serialize(ProtectionData.Request(ProtectionData.Warning()), ProtectionData.Json);

    private static string Without(string member)
    {
        var node = JsonNode.Parse(Valid())!.AsObject();
        node.Remove(member);
        return node.ToJsonString();
    }

    private static string With(string member, string value)
    {
        var node = JsonNode.Parse(Valid())!.AsObject();
        node[member] = value.StartsWith('[') ? JsonNode.Parse(value) : value;
        return node.ToJsonString();
    }

    private static string WithVerdict(string member, string json)
    {
        var node = JsonNode.Parse(Valid())!.AsObject();
        node["verdict"]![member] = JsonNode.Parse(json);
        return node.ToJsonString();
    }
}

/// <summary>The workflow engine is down: the subscription answers RETRY, so daprd redelivers.</summary>
public sealed class ProtectionSubscriptionEngineDownTests
{
    [Fact]
    public async Task Without_a_reachable_workflow_engine_the_answer_is_RETRY_within_the_handler_timeout()
    {
        await using var host = await WorkflowsHost.StartAsync(workflows: false, unreachableEngine: true,
            settings: new Dictionary<string, string?> { ["Workflows:HandlerTimeout"] = "00:00:05" });
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var delivered = await host.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.WorkflowsId, DaprNames.PubSub, DaprNames.Topics.ProtectionRequested,
            ProtectionData.CloudEvent(ProtectionData.Request(ProtectionData.Warning())));

        Assert.Equal((DeliveryStatus.Retry, 200), (delivered.Status, delivered.HttpStatus));
        Assert.Contains("RETRY", delivered.ResponseBody, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
    }
}
