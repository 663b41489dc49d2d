using System.Text.Json.Nodes;
using Dapr.Workflow;
using Scorpius.Notifications.Endpoints;

namespace Scorpius.Notifications.Delivery;

/// <summary>An event a tenant may subscribe to, as it arrived: its type (topic), tenant, id and data.</summary>
public sealed record SubscribedEvent(string EventType, string TenantId, string EventId, DateTimeOffset OccurredAt, JsonNode Data);

/// <summary>
/// Turns an event into one message and one delivery workflow per subscribed endpoint. Idempotent: the message id
/// derives from the event, the delivery ids from the message and the endpoints, and a workflow that exists is not
/// scheduled again, so a redelivered event changes nothing.
/// </summary>
public sealed class DeliveryScheduler(EndpointStore endpoints, DeliveryStore deliveries, IDaprWorkflowClient workflows, TimeProvider time)
{
    /// <summary>Schedules the deliveries of <paramref name="e"/>; returns how many endpoints it goes to.</summary>
    public async Task<int> AcceptAsync(SubscribedEvent e, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        var messageId = WebhookMessage.IdFor(e.TenantId, e.EventType, e.EventId);
        var message = await deliveries.GetMessageAsync(e.TenantId, messageId, cancellationToken);
        if (message is null)
        {
            var targets = (await endpoints.ListAsync(e.TenantId, cancellationToken)).Where(ep => ep.Wants(e.EventType)).ToList();
            if (targets.Count == 0) return 0;
            var now = time.GetUtcNow();
            message = new WebhookMessage(messageId, e.TenantId, e.EventType, e.EventId, Payloads.Standard(e.EventType, e.OccurredAt, e.Data),
                e.OccurredAt, now, [.. targets.Select(ep => MessageDelivery.IdFor(messageId, ep.Id))]);
            await deliveries.SaveNewAsync(message, [.. targets.Select(ep => MessageDelivery.New(MessageDelivery.IdFor(messageId, ep.Id), message, ep.Id, now))], cancellationToken);
        }

        foreach (var deliveryId in message.DeliveryIds)
        {
            await StartAsync(deliveryId, cancellationToken);
        }
        return message.DeliveryIds.Count;
    }

    /// <summary>Delivers a stored message again to one of the tenant's endpoints, under the same webhook-id.</summary>
    public async Task<MessageDelivery?> ReplayAsync(WebhookMessage message, WebhookEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(endpoint);
        var delivery = MessageDelivery.New(MessageDelivery.ReplayIdFor(message.Id, endpoint.Id), message, endpoint.Id, time.GetUtcNow());
        if (!await deliveries.AddDeliveryAsync(message, delivery, cancellationToken)) return null;
        await StartAsync(delivery.Id, cancellationToken);
        return delivery;
    }

    private async Task StartAsync(string deliveryId, CancellationToken cancellationToken)
    {
        var state = await workflows.GetWorkflowStateAsync(deliveryId, getInputsAndOutputs: false, cancellationToken);
        if (state.Exists) return;
        await workflows.ScheduleNewWorkflowAsync(nameof(DeliveryWorkflow), deliveryId, new DeliveryRequest(deliveryId), startTime: null, cancellationToken);
    }
}
