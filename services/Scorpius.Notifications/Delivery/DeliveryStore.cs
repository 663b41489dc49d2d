using System.Text.Json;
using Dapr.Client;
using Scorpius.Contracts;

namespace Scorpius.Notifications.Delivery;

/// <summary>Messages and deliveries in the Dapr state store.</summary>
public sealed class DeliveryStore(DaprClient dapr)
{
    // What DaprClient uses for the state API, so transaction values read back like saved ones.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string MessageKey(string tenantId, string messageId) => $"message||{tenantId}||{messageId}";
    public static string DeliveryKey(string deliveryId) => $"delivery||{deliveryId}";

    public Task<WebhookMessage?> GetMessageAsync(string tenantId, string messageId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<WebhookMessage?>(DaprNames.StateStore, MessageKey(tenantId, messageId), cancellationToken: cancellationToken);

    public Task<MessageDelivery?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<MessageDelivery?>(DaprNames.StateStore, DeliveryKey(deliveryId), cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<MessageDelivery>> GetDeliveriesAsync(IReadOnlyList<string> deliveryIds, CancellationToken cancellationToken)
    {
        if (deliveryIds.Count == 0) return [];
        var items = await dapr.GetBulkStateAsync<MessageDelivery?>(DaprNames.StateStore, [.. deliveryIds.Select(DeliveryKey)], parallelism: null, cancellationToken: cancellationToken);
        return [.. items.Select(i => i.Value).OfType<MessageDelivery>()];
    }

    public Task SaveDeliveryAsync(MessageDelivery delivery, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(DaprNames.StateStore, DeliveryKey(delivery.Id), delivery, cancellationToken: cancellationToken);

    /// <summary>
    /// Saves a new message with its first deliveries in one transaction. (Not SaveBulkStateAsync: in Dapr .NET SDK
    /// 1.19 it does not send the API token, so daprd with token auth refuses it; a test pins this.)
    /// </summary>
    public Task SaveNewAsync(WebhookMessage message, IReadOnlyList<MessageDelivery> deliveries, CancellationToken cancellationToken) =>
        dapr.ExecuteStateTransactionAsync(DaprNames.StateStore,
        [
            Upsert(MessageKey(message.TenantId, message.Id), message),
            .. deliveries.Select(d => Upsert(DeliveryKey(d.Id), d)),
        ], cancellationToken: cancellationToken);

    private static StateTransactionRequest Upsert<T>(string key, T value) =>
        new(key, JsonSerializer.SerializeToUtf8Bytes(value, Json), StateOperationType.Upsert);

    /// <summary>Adds a replay's delivery to the message and saves it, guarded by the message's ETag.</summary>
    public async Task<bool> AddDeliveryAsync(WebhookMessage message, MessageDelivery delivery, CancellationToken cancellationToken)
    {
        await SaveDeliveryAsync(delivery, cancellationToken);
        for (var i = 0; i < 8; i++)
        {
            var (current, etag) = await dapr.GetStateAndETagAsync<WebhookMessage?>(
                DaprNames.StateStore, MessageKey(message.TenantId, message.Id), cancellationToken: cancellationToken);
            if (current is null) return false;
            var next = current with { DeliveryIds = [.. current.DeliveryIds, delivery.Id] };
            if (await dapr.TrySaveStateAsync(DaprNames.StateStore, MessageKey(message.TenantId, message.Id), next, etag, cancellationToken: cancellationToken))
                return true;
        }
        throw new InvalidOperationException($"Message '{message.Id}' kept changing concurrently.");
    }
}
