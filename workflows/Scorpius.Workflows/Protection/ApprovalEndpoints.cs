using System.Security.Claims;
using System.Text.Json;
using Dapr;
using Dapr.Workflow;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;

namespace Scorpius.Workflows.Protection;

/// <summary>An approver's answer to a require-approval hold. <c>approved</c> is required: no answer is not a rejection.</summary>
public sealed record ProtectionApprovalRequest(bool? Approved, string? Reason);

/// <summary>The answer was handed to the waiting workflow.</summary>
public sealed record ProtectionApprovalAccepted(string InstanceId, bool Approved, string By);

public static class ApprovalEndpoints
{
    public const int MaxReasonLength = 2000;

    public static IEndpointRouteBuilder MapProtectionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("v1/protections").WithTags("Protections");
        group.MapPost("{instanceId}/approval", DecideAsync).WithName("DecideProtectionApproval")
            .WithSummary("Approve or reject a transaction held for approval (the instance's tenant, or the platform).")
            .RequireScope(Permissions.PoliciesWrite);
        return app;
    }

    /// <summary>
    /// Raises <see cref="ProtectionInstance.ApprovalEvent"/> on a protection instance that waits for it, with the
    /// caller's subject as approver. 404: no such protection instance; 403: another tenant's (unless the caller is the
    /// platform); 409: the instance does not wait for an approval (decided, timed out, or never held).
    /// </summary>
    public static async Task<Results<Ok<ProtectionApprovalAccepted>, ValidationProblem, ProblemHttpResult>> DecideAsync(
        string instanceId, ProtectionApprovalRequest body, IDaprWorkflowClient workflows, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(workflows);
        ArgumentNullException.ThrowIfNull(user);
        if (body.Approved is not { } approved)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["approved"] = ["Say true (approve) or false (reject)."] });
        if (body.Reason is { Length: > MaxReasonLength })
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = [$"At most {MaxReasonLength} characters."] });
        try
        {
            var state = await workflows.GetWorkflowStateAsync(instanceId, getInputsAndOutputs: true, cancellationToken);
            if (!state.Exists || state.WorkflowName != nameof(ProtectionWorkflow))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Protection not found",
                    detail: $"There is no protection instance '{instanceId}'.");
            }
            if (!user.IsPlatform() && WorkflowEndpoints.TenantOf(state) != user.TenantId())
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Another tenant's resource",
                    detail: "A principal can only reach the resources of its own tenant.");
            }
            if (state.RuntimeStatus != WorkflowRuntimeStatus.Running || StageOf(state) != ProtectionProgress.AwaitingApproval)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not awaiting approval",
                    detail: $"Protection '{instanceId}' is {state.RuntimeStatus.ToString().ToLowerInvariant()} and does not wait for an approval.");
            }
            var by = user.SubjectId();
            await workflows.RaiseEventAsync(instanceId, ProtectionInstance.ApprovalEvent, new ApprovalDecision(approved, by, body.Reason), cancellationToken);
            return TypedResults.Ok(new ProtectionApprovalAccepted(instanceId, approved, by));
        }
        catch (Exception ex) when (ex is RpcException or DaprException or HttpRequestException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Workflow engine unavailable",
                detail: "The workflow engine did not answer; try again.");
        }
    }

    private static string? StageOf(WorkflowState state)
    {
        try
        {
            return state.ReadCustomStatusAs<ProtectionProgress>()?.Stage;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
