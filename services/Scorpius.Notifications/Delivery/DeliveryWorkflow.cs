using Dapr.Workflow;

namespace Scorpius.Notifications.Delivery;

public sealed record DeliveryRequest(string DeliveryId);

public sealed record AttemptRequest(string DeliveryId, int Attempt);

/// <summary>
/// Delivers one message to one endpoint: an attempt, then a durable timer for as long as the attempt says, until the
/// delivery is no longer pending. The instance id is the delivery id. The retry state lives in the workflow's history
/// and timers (Dapr), never in this process; every decision is made in the activity, so the workflow stays deterministic.
/// </summary>
public sealed class DeliveryWorkflow : Workflow<DeliveryRequest, DeliveryStatus>
{
    /// <summary>
    /// For an activity that throws (the state store or secret store is down; answers of the endpoint never throw):
    /// run it again, for about four hours, before the workflow fails. A repeated attempt never sends twice.
    /// </summary>
    public static readonly WorkflowTaskOptions ActivityRetry = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 30, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(10)));

    public override async Task<DeliveryStatus> RunAsync(WorkflowContext context, DeliveryRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await context.CallActivityAsync<AttemptOutcome>(nameof(DeliverAttemptActivity), new AttemptRequest(input.DeliveryId, attempt), ActivityRetry);
            if (outcome.RetryIn is not { } wait) return outcome.Status;
            await context.CreateTimer(wait);
        }
    }
}

public sealed class DeliverAttemptActivity(DeliveryAttempts attempts) : WorkflowActivity<AttemptRequest, AttemptOutcome>
{
    public override Task<AttemptOutcome> RunAsync(WorkflowActivityContext context, AttemptRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return attempts.RunAsync(input.DeliveryId, input.Attempt, CancellationToken.None);
    }
}
