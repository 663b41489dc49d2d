using System.Security.Claims;
using System.Text.Json;
using Dapr.Workflow;
using Microsoft.AspNetCore.Http.HttpResults;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;

namespace Scorpius.Workflows;

public sealed record WorkflowStatusResponse(
    string InstanceId, string? Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, WorkflowFailure? Failure);

public sealed record WorkflowFailure(string ErrorType, string ErrorMessage);

public static class WorkflowEndpoints
{
    public static IEndpointRouteBuilder MapWorkflowEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("v1/workflows").WithTags("Workflows");
        group.MapGet("{instanceId}", GetStatusAsync).WithName("GetWorkflowStatus").RequireScope(Permissions.WalletsRead);
        return app;
    }

    /// <summary>
    /// Status of one workflow instance, without its inputs and outputs. Every Scorpius workflow input names its tenant
    /// (<c>tenantId</c>); only principals of that tenant (or the platform operator) see the instance.
    /// </summary>
    public static async Task<Results<Ok<WorkflowStatusResponse>, ProblemHttpResult>> GetStatusAsync(
        string instanceId, IDaprWorkflowClient workflows, ClaimsPrincipal user, CancellationToken cancellationToken)
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
        if (!user.IsPlatform() && TenantOf(state) != user.TenantId())
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Another tenant's resource",
                detail: "A principal can only reach the resources of its own tenant.");
        }
        var failure = state.FailureDetails is { } f ? new WorkflowFailure(f.ErrorType, f.ErrorMessage) : null;
        return TypedResults.Ok(new WorkflowStatusResponse(
            instanceId, state.WorkflowName, state.RuntimeStatus.ToString(), state.CreatedAt, state.LastUpdatedAt, failure));
    }

    /// <summary>The tenant an instance's input names (<c>tenantId</c>), or null.</summary>
    internal static string? TenantOf(WorkflowState state)
    {
        try
        {
            var input = state.ReadInputAs<JsonElement>();
            return input.ValueKind == JsonValueKind.Object && input.TryGetProperty("tenantId", out var tenant) && tenant.ValueKind == JsonValueKind.String
                ? tenant.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
