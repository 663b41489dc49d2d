using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Scorpius.Notifications.Endpoints;

namespace Scorpius.Notifications.Delivery;

public sealed record DeliveryResponse(string Id, string EndpointId, DeliveryStatus Status, DateTimeOffset? NextAttemptAt, IReadOnlyList<DeliveryAttempt> Attempts)
{
    public static DeliveryResponse From(MessageDelivery d) => new(d.Id, d.EndpointId, d.Status, d.NextAttemptAt, d.Attempts);
}

/// <summary>A message as it was sent (<see cref="Payload"/> is the exact body of standard webhooks) and every attempt of every delivery.</summary>
public sealed record MessageResponse(string Id, string EventType, string EventId, DateTimeOffset OccurredAt, JsonElement Payload, IReadOnlyList<DeliveryResponse> Deliveries);

public sealed record ReplayRequest(string? EndpointId);

/// <summary>REST API of a tenant's messages: <c>/v1/tenants/{tenantId}/messages</c>, for visibility into failures and manual replay.</summary>
public static class MessageApi
{
    public static IEndpointRouteBuilder MapMessageApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("v1/tenants/{tenantId}/messages").WithTags("Notification messages")
            .RequireScope(Permissions.WebhooksManage).RequireRouteTenant();
        group.MapGet("{messageId}", GetAsync).WithName("GetMessage");
        group.MapPost("{messageId}/replay", ReplayAsync).WithName("ReplayMessage");
        return app;
    }

    public static async Task<Results<Ok<MessageResponse>, ProblemHttpResult>> GetAsync(
        string tenantId, string messageId, DeliveryStore store, CancellationToken cancellationToken)
    {
        var message = await store.GetMessageAsync(tenantId, messageId, cancellationToken);
        if (message is null) return NotFound(tenantId, messageId);
        var deliveries = await store.GetDeliveriesAsync(message.DeliveryIds, cancellationToken);
        using var payload = JsonDocument.Parse(message.Payload);
        return TypedResults.Ok(new MessageResponse(message.Id, message.EventType, message.EventId, message.OccurredAt, payload.RootElement.Clone(),
            [.. deliveries.Select(DeliveryResponse.From)]));
    }

    /// <summary>Sends a stored message again to one enabled endpoint of the tenant, with the same webhook-id, as a new delivery.</summary>
    public static async Task<Results<Accepted<DeliveryResponse>, ValidationProblem, ProblemHttpResult>> ReplayAsync(
        string tenantId, string messageId, ReplayRequest request, DeliveryStore store, EndpointStore endpoints, DeliveryScheduler scheduler,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.EndpointId))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["endpointId"] = ["The endpoint to replay to."] });
        var message = await store.GetMessageAsync(tenantId, messageId, cancellationToken);
        if (message is null) return NotFound(tenantId, messageId);
        var endpoint = await endpoints.GetAsync(tenantId, request.EndpointId, cancellationToken);
        if (endpoint is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Endpoint not found",
                detail: $"Tenant '{tenantId}' has no endpoint '{request.EndpointId}'.");
        if (!endpoint.Enabled)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Endpoint disabled",
                detail: $"Endpoint '{endpoint.Id}' is disabled ({endpoint.DisabledReason}); enable it before replaying.");

        var delivery = await scheduler.ReplayAsync(message, endpoint, cancellationToken);
        return delivery is null
            ? NotFound(tenantId, messageId)
            : TypedResults.Accepted($"/v1/tenants/{tenantId}/messages/{messageId}", DeliveryResponse.From(delivery));
    }

    private static ProblemHttpResult NotFound(string tenantId, string messageId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Message not found", detail: $"Tenant '{tenantId}' has no message '{messageId}'.");
}
