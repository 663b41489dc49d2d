using Dapr.Workflow;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Scorpius.Workflows;

public sealed record WorkflowStatusResponse(
    string InstanceId, string? Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, WorkflowFailure? Failure);

public sealed record WorkflowFailure(string ErrorType, string ErrorMessage);

public static class WorkflowEndpoints
{
    public static IEndpointRouteBuilder MapWorkflowEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("v1/workflows").WithTags("Workflows");
        group.MapGet("{instanceId}", GetStatusAsync).WithName("GetWorkflowStatus");
        return app;
    }

    /// <summary>Status of one workflow instance, without its inputs and outputs.</summary>
    public static async Task<Results<Ok<WorkflowStatusResponse>, ProblemHttpResult>> GetStatusAsync(
        string instanceId, IDaprWorkflowClient workflows, CancellationToken cancellationToken)
    {
        // Failure details may come only with the payloads (Microsoft's durabletask server does so); payloads are not passed on.
        var state = await workflows.GetWorkflowStateAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
        if (!state.Exists)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Workflow instance not found",
                detail: $"There is no workflow instance '{instanceId}'.");
        }
        var failure = state.FailureDetails is { } f ? new WorkflowFailure(f.ErrorType, f.ErrorMessage) : null;
        return TypedResults.Ok(new WorkflowStatusResponse(
            instanceId, state.WorkflowName, state.RuntimeStatus.ToString(), state.CreatedAt, state.LastUpdatedAt, failure));
    }
}
