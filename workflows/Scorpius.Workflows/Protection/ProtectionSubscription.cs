using System.Text.Json;
using System.Text.RegularExpressions;
using Dapr;
using Dapr.Workflow;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;

namespace Scorpius.Workflows.Protection;

/// <summary>The answer daprd reads from a subscriber: SUCCESS, RETRY (redeliver) or DROP (to the dead-letter topic).</summary>
public sealed record SubscriberAnswer(string Status)
{
    public static readonly SubscriberAnswer Success = new("SUCCESS");
    public static readonly SubscriberAnswer Retry = new("RETRY");
    public static readonly SubscriberAnswer Drop = new("DROP");
}

/// <summary>
/// The protection.requested subscription: one <see cref="ProtectionWorkflow"/> per tenant and assessment, instance id
/// <see cref="ProtectionInstance.Id"/>. Idempotent: an instance that exists (in any state) is not scheduled again, and a
/// concurrent redelivery that loses the race (AlreadyExists) is a success too. A message that can never be processed
/// (not JSON, not the contract, ids that cannot make a workflow instance id) is answered 200 DROP, never 400, which
/// daprd would redeliver; a failure of the workflow engine, or no answer within <c>Workflows:HandlerTimeout</c>, RETRY.
/// </summary>
public static partial class ProtectionSubscription
{
    public const string Route = "/events/protection-requested";

    private static readonly SemaphoreSlim[] Stripes = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    private static readonly JsonSerializerOptions Contract = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static IEndpointRouteBuilder MapProtectionSubscription(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, HandleAsync)
            .WithTopic(new TopicOptions { PubsubName = DaprNames.PubSub, Name = DaprNames.Topics.ProtectionRequested, DeadLetterTopic = DaprNames.Topics.DeadLetter })
            .ExcludeFromDescription()
            .RequireDaprCallback();
        return app;
    }

    public static async Task<Ok<SubscriberAnswer>> HandleAsync(
        HttpRequest request, IDaprWorkflowClient workflows, IOptions<WorkflowsOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(workflows);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger(typeof(ProtectionSubscription));
        ProtectionRequested e;
        try
        {
            e = await JsonSerializer.DeserializeAsync<ProtectionRequested>(request.Body, Contract, cancellationToken)
                ?? throw new JsonException("The event data is null.");
            Validate(e);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            LogPoison(logger, ex.Message);
            return TypedResults.Ok(SubscriberAnswer.Drop);
        }

        var instanceId = e.InstanceId;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.Value.HandlerTimeout);
        var stripe = Stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(instanceId) % (uint)Stripes.Length)];
        var entered = false;
        try
        {
            // Deliveries of one assessment that reach this replica together are handled one after the other, so the
            // second sees the instance the first scheduled; across replicas the engine refuses a second start (AlreadyExists).
            await stripe.WaitAsync(limit.Token);
            entered = true;
            var state = await workflows.GetWorkflowStateAsync(instanceId, getInputsAndOutputs: false, limit.Token);
            if (state.Exists)
            {
                LogDuplicate(logger, instanceId);
                return TypedResults.Ok(SubscriberAnswer.Success);
            }
            await workflows.ScheduleNewWorkflowAsync(nameof(ProtectionWorkflow), instanceId, e, startTime: null, limit.Token);
            LogScheduled(logger, instanceId);
            return TypedResults.Ok(SubscriberAnswer.Success);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
        {
            LogDuplicate(logger, instanceId);
            return TypedResults.Ok(SubscriberAnswer.Success);
        }
        catch (Exception ex) when (ex is DaprException or RpcException or HttpRequestException
            || (ex is OperationCanceledException && limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            LogRetry(logger, instanceId, ex);
            return TypedResults.Ok(SubscriberAnswer.Retry);
        }
        finally
        {
            if (entered) stripe.Release();
        }
    }

    /// <summary>What the JSON contract cannot say: the ids must make a workflow instance id, and the enums hold.</summary>
    private static void Validate(ProtectionRequested e)
    {
        if (!TenantId().IsMatch(e.TenantId)) throw new JsonException("The tenant id is not valid.");
        if (string.IsNullOrWhiteSpace(e.AssessmentId)) throw new JsonException("The assessment id is empty.");
        // daprd accepts letters, digits, '-' and '_' in a workflow instance id (dapr/dapr#6156).
        if (!InstanceId().IsMatch(e.InstanceId)) throw new JsonException($"'{e.InstanceId}' cannot be a workflow instance id.");
        if (e.Source is not (ProtectionRequested.FromApi or ProtectionRequested.FromMonitor)) throw new JsonException($"Unknown source '{e.Source}'.");
        if (e.Request.ValueKind != JsonValueKind.Object) throw new JsonException("The request is not a JSON object.");
    }

    /// <summary>Tenant ids become parts of state keys and instance ids, so they are kept to a safe alphabet.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    public static partial Regex TenantId();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex InstanceId();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a protection.requested event that cannot be processed: {Reason}")]
    private static partial void LogPoison(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Protection workflow {InstanceId} scheduled")]
    private static partial void LogScheduled(ILogger logger, string instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Protection workflow {InstanceId} exists already; the redelivered event changes nothing")]
    private static partial void LogDuplicate(ILogger logger, string instanceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The protection.requested event of {InstanceId} will be redelivered")]
    private static partial void LogRetry(ILogger logger, string instanceId, Exception exception);
}
