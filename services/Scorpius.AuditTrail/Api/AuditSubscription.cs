using Scorpius.ServiceDefaults.Security;
using Dapr;
using Scorpius.AuditTrail.Ledger;
using Scorpius.Contracts;

namespace Scorpius.AuditTrail.Api;

/// <summary>
/// The subscription to the <c>audit</c> topic. Every delivery is appended exactly once (idempotent on CloudEvent
/// source and id) and acknowledged only after its transaction commits: SUCCESS for an audit event, DROP for poison
/// (which is itself recorded as a rejected-input entry); a failure to commit answers 500, so daprd redelivers.
/// </summary>
public static class AuditSubscription
{
    public const string Route = "/v1/events/audit";

    public static IEndpointRouteBuilder MapAuditSubscription(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Route, ReceiveAsync)
            .WithTopic(new TopicOptions { PubsubName = DaprNames.PubSub, Name = DaprNames.Topics.Audit, DeadLetterTopic = DaprNames.Topics.DeadLetter })
            .WithMetadata(new WholeCloudEvent())
            .WithName("ReceiveAuditEvent")
            .WithSummary("Dapr delivery of the audit topic (called by the sidecar).")
            .ExcludeFromDescription()
            .RequireDaprCallback();
        return endpoints;
    }

    private static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<DeliveryAnswer>> ReceiveAsync(
        HttpRequest request, AuditIntake intake, BatchAppender appender, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        var result = intake.Read(body.ToArray());
        await appender.AppendAsync(result.Entry, cancellationToken);
        return TypedResults.Ok(result.Accepted ? DeliveryAnswer.Success : DeliveryAnswer.Drop);
    }

    /// <summary>
    /// Lets endpoints marked <see cref="WholeCloudEvent"/> read the structured CloudEvent as delivered. The Dapr
    /// CloudEvents middleware (UseCloudEvents, in the service defaults) would otherwise replace the body with its
    /// <c>data</c> and drop <c>source</c> and <c>id</c>, and would fail with 500 (so endless redelivery) on an envelope
    /// that is not JSON. Must run before it: call this before <c>MapDefaultEndpoints</c>.
    /// </summary>
    public static IApplicationBuilder UseWholeCloudEvents(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<WholeCloudEvent>() is not null &&
            context.Request.ContentType?.StartsWith("application/cloudevents+json", StringComparison.OrdinalIgnoreCase) == true)
        {
            context.Request.ContentType = "application/octet-stream";
        }
        return next(context);
    });

    /// <summary>Endpoint metadata: this endpoint reads the whole CloudEvent envelope itself.</summary>
    public sealed class WholeCloudEvent;
}

/// <summary>daprd's reading of a subscriber's answer.</summary>
public sealed record DeliveryAnswer(string Status)
{
    public static readonly DeliveryAnswer Success = new("SUCCESS");
    public static readonly DeliveryAnswer Drop = new("DROP");
}
