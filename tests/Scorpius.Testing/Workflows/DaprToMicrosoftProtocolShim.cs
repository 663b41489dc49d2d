using Dapr.DurableTask.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Scorpius.Testing.Workflows;

/// <summary>
/// Client interceptor that lets the Dapr.Workflow 1.19 worker talk to Microsoft's durabletask server. Dapr's fork of
/// the protobuf reuses field numbers that Microsoft gave other meanings (see ProtocolTripwireTests), so the server
/// cannot parse the worker's <c>CompleteOrchestratorTask</c> and every workflow hangs. Clearing the Dapr-only fields
/// on the outgoing <see cref="WorkflowResponse"/> keeps them off the wire; the SDK then matches completions by task id.
/// </summary>
public sealed class DaprToMicrosoftProtocolShim : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (request is WorkflowResponse response) Clear(response);
        return continuation(request, context);
    }

    private static void Clear(WorkflowResponse response)
    {
        response.Version = null;
        foreach (var action in response.Actions)
        {
            action.Router = null;
            if (action.ScheduleTask is { } task)
            {
                task.Router = null;
                task.TaskExecutionId = string.Empty;
                task.HistoryPropagationScope = default;
            }
            if (action.CreateChildWorkflow is { } child)
            {
                child.Router = null;
                child.HistoryPropagationScope = default;
            }
        }
    }
}
