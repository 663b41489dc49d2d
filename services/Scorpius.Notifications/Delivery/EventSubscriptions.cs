using Scorpius.ServiceDefaults.Security;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Scorpius.Contracts;

namespace Scorpius.Notifications.Delivery;

/// <summary>The answer daprd reads from a subscriber: SUCCESS, RETRY (redeliver) or DROP (to the dead-letter topic).</summary>
public sealed record SubscriberAnswer(string Status)
{
    public static readonly SubscriberAnswer Success = new("SUCCESS");
    public static readonly SubscriberAnswer Retry = new("RETRY");
    public static readonly SubscriberAnswer Drop = new("DROP");
}

/// <summary>
/// The pub/sub subscriptions: every event type a tenant can subscribe an endpoint to. A message that can never be
/// processed (not JSON, not the contract, no valid tenant) is answered 200 DROP, never 400 (daprd would redeliver
/// a 400); a failure of the state store or the workflow engine, or no answer from them within
/// <see cref="NotificationsOptions.HandlerTimeout"/>, is answered RETRY. Handling is idempotent.
/// </summary>
public static partial class EventSubscriptions
{
    private static readonly JsonSerializerOptions Contract = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static IEndpointRouteBuilder MapEventSubscriptions(this IEndpointRouteBuilder app)
    {
        Subscribe<AlertRaised>(app, "/events/alert-raised", a => (a.TenantId, a.AlertId, a.OccurredAt));
        Subscribe<AssessmentCompleted>(app, "/events/assessment-completed", a => (a.TenantId, a.AssessmentId, a.OccurredAt));
        return app;
    }

    private static void Subscribe<T>(IEndpointRouteBuilder app, string route, Func<T, (string TenantId, string EventId, DateTimeOffset OccurredAt)> identify)
        where T : class, IScorpiusEvent =>
        app.MapPost(route, (HttpRequest request, DeliveryScheduler scheduler, IOptions<NotificationsOptions> options, ILoggerFactory loggers,
                CancellationToken cancellationToken) =>
                HandleAsync(request, scheduler, options.Value.HandlerTimeout, loggers.CreateLogger(typeof(EventSubscriptions)), T.Topic, identify, cancellationToken))
            .WithTopic(new TopicOptions { PubsubName = DaprNames.PubSub, Name = T.Topic, DeadLetterTopic = DaprNames.Topics.DeadLetter })
            .ExcludeFromDescription()
            .RequireDaprCallback();

    private static async Task<Ok<SubscriberAnswer>> HandleAsync<T>(
        HttpRequest request, DeliveryScheduler scheduler, TimeSpan timeout, ILogger logger, string eventType,
        Func<T, (string TenantId, string EventId, DateTimeOffset OccurredAt)> identify, CancellationToken cancellationToken) where T : class
    {
        SubscribedEvent e;
        try
        {
            var data = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken) ?? throw new JsonException("The event has no data.");
            var contract = data.Deserialize<T>(Contract) ?? throw new JsonException("The event data is null.");
            var (tenantId, eventId, occurredAt) = identify(contract);
            if (!TenantId().IsMatch(tenantId) || string.IsNullOrWhiteSpace(eventId)) throw new JsonException("The tenant or event id is not valid.");
            // The payload carries the contract's own serialisation of the event, not whatever extra the publisher sent.
            e = new SubscribedEvent(eventType, tenantId, eventId, occurredAt, JsonSerializer.SerializeToNode(contract, Contract)!);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            LogPoison(logger, eventType, ex.Message);
            return TypedResults.Ok(SubscriberAnswer.Drop);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await scheduler.AcceptAsync(e, limit.Token);
            return TypedResults.Ok(SubscriberAnswer.Success);
        }
        catch (Exception ex) when (ex is DaprException or RpcException or HttpRequestException
            || (ex is OperationCanceledException && limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            LogRetry(logger, eventType, e.EventId, ex);
            return TypedResults.Ok(SubscriberAnswer.Retry);
        }
    }

    /// <summary>Tenant ids become parts of state keys, so they are kept to a safe alphabet.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    public static partial Regex TenantId();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a {EventType} event that cannot be processed: {Reason}")]
    private static partial void LogPoison(ILogger logger, string eventType, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {EventType} event {EventId} will be redelivered")]
    private static partial void LogRetry(ILogger logger, string eventType, string eventId, Exception exception);
}
