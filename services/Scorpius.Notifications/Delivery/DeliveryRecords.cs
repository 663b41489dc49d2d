using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Scorpius.Notifications.Delivery;

/// <summary>
/// One event for one tenant, with the exact payload bytes every attempt and every replay sends. <see cref="Id"/> is the
/// <c>webhook-id</c>: derived from the event, so a redelivered event maps to the same message.
/// </summary>
public sealed record WebhookMessage(
    string Id, string TenantId, string EventType, string EventId, string Payload, DateTimeOffset OccurredAt, DateTimeOffset CreatedAt,
    IReadOnlyList<string> DeliveryIds)
{
    /// <summary><c>msg_</c> and 32 hex digits of SHA-256 over tenant, type and event id: stable, and free of '.'.</summary>
    public static string IdFor(string tenantId, string eventType, string eventId) =>
        "msg_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{tenantId}\n{eventType}\n{eventId}")))[..32];
}

[JsonConverter(typeof(JsonStringEnumConverter<DeliveryStatus>))]
public enum DeliveryStatus
{
    /// <summary>Not delivered yet; another attempt is due at <see cref="MessageDelivery.NextAttemptAt"/>.</summary>
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("delivered")] Delivered,

    /// <summary>Every attempt of the retry schedule failed.</summary>
    [JsonStringEnumMemberName("exhausted")] Exhausted,

    /// <summary>The endpoint answered 410 Gone; it was disabled.</summary>
    [JsonStringEnumMemberName("gone")] Gone,

    /// <summary>Stopped without sending: the endpoint was disabled or deleted meanwhile.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,
}

[JsonConverter(typeof(JsonStringEnumConverter<AttemptResult>))]
public enum AttemptResult
{
    [JsonStringEnumMemberName("delivered")] Delivered,

    /// <summary>A non-2xx answer (3xx included: redirects are not followed), or a binding error.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("timed-out")] TimedOut,

    /// <summary>No answer: the connection failed.</summary>
    [JsonStringEnumMemberName("unreachable")] Unreachable,

    /// <summary>The SSRF guard refused the URL; nothing was sent.</summary>
    [JsonStringEnumMemberName("refused")] Refused,
    [JsonStringEnumMemberName("gone")] Gone,
}

/// <summary>One attempt: when, where, the answer's status and an excerpt of its body (or the error), and how long it took.</summary>
public sealed record DeliveryAttempt(
    int Number, DateTimeOffset At, string Target, AttemptResult Result, int? StatusCode, double LatencyMs, string? Detail, DateTimeOffset? NextAttemptAt);

/// <summary>A message on its way to one endpoint: one workflow instance with the same id, and every attempt it made.</summary>
public sealed record MessageDelivery(
    string Id, string TenantId, string MessageId, string EndpointId, DeliveryStatus Status, IReadOnlyList<DeliveryAttempt> Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt)
{
    /// <summary>The first delivery of a message to an endpoint; also its workflow instance id.</summary>
    public static string IdFor(string messageId, string endpointId) => $"{messageId}-{endpointId}";

    /// <summary>A manual replay: a new delivery (and workflow) of the same message with the same webhook-id.</summary>
    public static string ReplayIdFor(string messageId, string endpointId) =>
        $"{messageId}-{endpointId}-rpl_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";

    public static MessageDelivery New(string id, WebhookMessage message, string endpointId, DateTimeOffset now) =>
        new(id, message.TenantId, message.Id, endpointId, DeliveryStatus.Pending, [], now, now);
}
