using System.Globalization;
using Dapr.Client;
using Dapr.Workflow;
using Scorpius.Contracts;

namespace Scorpius.Workflows.Protection.Activities;

/// <summary>
/// Publishes the <see cref="AlertRaised"/> of a new (not suppressed) alert; notifications, subscribed to alert.raised,
/// delivers the tenant's signed webhooks (and e-mail, SMS). The CloudEvent id is the alert id (metadata
/// <c>cloudevent.id</c>), and notifications derives its webhook message id from the alert id, so a retried publish is
/// the same event and the same webhook-id.
/// </summary>
public sealed class DeliverWebhookActivity(DaprClient dapr, ScorpiusApp app) : WorkflowActivity<DeliverWebhookInput, WebhookPublished>
{
    public override async Task<WebhookPublished> RunAsync(WorkflowActivityContext context, DeliverWebhookInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var eventId = ProtectionIds.AlertEventId(input.Alert.AlertId);
        await dapr.PublishEventAsync(DaprNames.PubSub, AlertRaised.Topic, EventOf(input), new Dictionary<string, string>
        {
            ["cloudevent.id"] = eventId,
            ["cloudevent.source"] = app.AppId,
            ["cloudevent.type"] = AlertRaised.CloudEventType,
        });
        return new WebhookPublished(eventId);
    }

    /// <summary>The alert.raised event: labels verdict, action, ruleId (when a policy rule decided), ledgerIndex and source.</summary>
    public static AlertRaised EventOf(DeliverWebhookInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var alert = input.Alert;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["verdict"] = Wire.Of(input.Decision.Verdict),
            ["action"] = Wire.Of(input.Action),
            ["ledgerIndex"] = input.LedgerIndex.ToString(CultureInfo.InvariantCulture),
            ["source"] = input.Source,
        };
        if (input.Decision.PolicyRuleId is { } rule) labels["ruleId"] = rule;
        return new AlertRaised(alert.AlertId, alert.TenantId, alert.Severity, alert.Type, alert.Title, alert.DedupKey, alert.AssessmentId,
            input.Wallet, labels, alert.RaisedAt);
    }
}
