using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;
using Dapr.Workflow;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;

namespace Scorpius.Workflows.Protection.Activities;

/// <summary>
/// Records the decision in the audit ledger and returns its receipt. Publishes an <see cref="AuditEvent"/> on the
/// audit topic under a deterministic CloudEvent id (<see cref="ProtectionIds.AuditEventId"/>, set with the publish
/// metadata <c>cloudevent.id</c>, and <c>cloudevent.source</c> = this app id, which is what daprd sets anyway), then
/// asks audit-trail, through Dapr invocation with this app's service token, for the entry of that event and its
/// inclusion proof. audit-trail appends from pub/sub, so the entry may not be there yet: then this throws
/// <see cref="LedgerEntryPendingException"/> and the workflow's retry policy runs it again. Every try publishes the same
/// event again; audit-trail records a CloudEvent once per source + id, so a lost publish is repaired and a duplicate
/// changes nothing.
/// </summary>
public sealed class AppendAuditActivity(DaprClient dapr, ServiceInvoker invoker, ScorpiusApp app, TimeProvider clock, Microsoft.Extensions.Options.IOptions<WorkflowsOptions> options)
    : WorkflowActivity<AppendAuditInput, LedgerReceipt>
{
    public const string Action = "protection.decision";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public override async Task<LedgerReceipt> RunAsync(WorkflowActivityContext context, AppendAuditInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var eventId = ProtectionIds.AuditEventId(input.InstanceId);
        await dapr.PublishEventAsync(DaprNames.PubSub, AuditEvent.Topic, EventOf(input, app.AppId), new Dictionary<string, string>
        {
            ["cloudevent.id"] = eventId,
            ["cloudevent.source"] = app.AppId,
            ["cloudevent.type"] = AuditEvent.CloudEventType,
        });

        var ledger = invoker.For(ScorpiusApps.AuditTrailId);
        var lookup = new Uri($"/v1/entries/by-event/{Uri.EscapeDataString(eventId)}?source={Uri.EscapeDataString(app.AppId)}", UriKind.Relative);
        // The entry usually lands within milliseconds: look again shortly (50 ms, doubling to 400 ms) before failing over
        // to the activity's retry policy, whose first retry waits a whole second.
        var giveUpAt = clock.GetUtcNow() + options.Value.AuditLookupPatience;
        var pause = TimeSpan.FromMilliseconds(50);
        HttpResponseMessage found;
        while (true)
        {
            found = await ledger.GetAsync(lookup);
            if (found.StatusCode != HttpStatusCode.NotFound) break;
            found.Dispose();
            if (clock.GetUtcNow() + pause > giveUpAt)
                throw new LedgerEntryPendingException($"audit-trail has not recorded event '{eventId}' from '{app.AppId}' yet.");
            await Task.Delay(pause, clock);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(400).Ticks));
        }
        using var _ = found;
        found.EnsureSuccessStatusCode();
        var entry = await found.Content.ReadFromJsonAsync<LedgerEntryReference>(Json)
            ?? throw new InvalidOperationException($"audit-trail answered the lookup of event '{eventId}' with nothing.");

        using var proved = await ledger.GetAsync(new Uri($"/v1/entries/{entry.Index.ToString(CultureInfo.InvariantCulture)}/inclusion-proof", UriKind.Relative));
        proved.EnsureSuccessStatusCode();
        var proof = await proved.Content.ReadFromJsonAsync<LedgerInclusionProof>(Json)
            ?? throw new InvalidOperationException($"audit-trail answered the inclusion proof of entry {entry.Index} with nothing.");
        // The decision is on record: announce it (customers' assessment webhooks, reports, the dashboard), once per instance.
        await dapr.PublishEventAsync(DaprNames.PubSub, AssessmentCompleted.Topic,
            new AssessmentCompleted(input.TenantId, input.AssessmentId, input.Wallet, input.Decision.Verdict, input.Decision.Score, input.Decision.Findings, input.DecidedAt),
            new Dictionary<string, string>
            {
                ["cloudevent.id"] = ProtectionIds.CompletedEventId(input.InstanceId),
                ["cloudevent.source"] = app.AppId,
                ["cloudevent.type"] = AssessmentCompleted.CloudEventType,
            });
        return new LedgerReceipt(eventId, proof.Index, proof.TreeSize, proof.LeafHash, proof.Proof, proof.Checkpoint);
    }

    /// <summary>The audit event of a decision: outcome is the action taken; details say why.</summary>
    public static AuditEvent EventOf(AppendAuditInput input, string actor)
    {
        ArgumentNullException.ThrowIfNull(input);
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["instanceId"] = input.InstanceId,
            ["source"] = input.Source,
            ["verdict"] = Wire.Of(input.Decision.Verdict),
            ["score"] = input.Decision.Score.ToString(CultureInfo.InvariantCulture),
            ["policyAction"] = Wire.Of(input.Decision.Action),
        };
        if (input.Decision.PolicyRuleId is { } rule) details["ruleId"] = rule;
        if (input.Approval is { } approval)
        {
            details["approval"] = approval.Decision;
            if (approval.By is { } by) details["approver"] = by;
        }
        if (input.AlertId is { } alertId) details["alertId"] = alertId;
        return new AuditEvent(input.TenantId, actor, Action, $"assessment/{input.AssessmentId}", Wire.Of(input.Action),
            input.Approval?.Reason, details, input.DecidedAt);
    }

    private sealed record LedgerEntryReference(long Index, string LeafHash);

    private sealed record LedgerInclusionProof(long Index, long TreeSize, string LeafHash, IReadOnlyList<string> Proof, string? Checkpoint);
}

/// <summary>The audit event was published but the ledger has not recorded it yet; the activity is retried.</summary>
public sealed class LedgerEntryPendingException(string message) : Exception(message);
