using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Scorpius.Testing.Workflows;
using DaprProto = Dapr.DurableTask.Protobuf;
using MicrosoftProto = Microsoft.DurableTask.Protobuf;

namespace Scorpius.Platform.Tests.Workflows;

/// <summary>The shim at byte level: what the Dapr worker sends to CompleteOrchestratorTask, parsed by Microsoft's server types.</summary>
public sealed class DaprToMicrosoftProtocolShimTests
{
    [Fact]
    public void Without_the_shim_Microsoft_cannot_parse_the_workers_completion()
    {
        var bytes = WorkerCompletion().ToByteArray();

        Assert.Throws<InvalidProtocolBufferException>(() => MicrosoftProto.OrchestratorResponse.Parser.ParseFrom(bytes));
    }

    [Fact]
    public async Task With_the_shim_Microsoft_parses_it_and_keeps_what_it_needs()
    {
        var invoker = new CapturingInvoker();
        var client = new DaprProto.TaskHubSidecarService.TaskHubSidecarServiceClient(invoker.Intercept(new DaprToMicrosoftProtocolShim()));

        // Deprecated in Dapr's proto, yet it is the RPC and overload the 1.19 worker calls.
#pragma warning disable CS0612
        await client.CompleteOrchestratorTaskAsync(WorkerCompletion(), new CallOptions());
#pragma warning restore CS0612
        var parsed = MicrosoftProto.OrchestratorResponse.Parser.ParseFrom(Assert.Single(invoker.Requests).ToByteArray());

        Assert.Equal("instance-1", parsed.InstanceId);
        Assert.Equal("token-1", parsed.CompletionToken);
        Assert.Null(parsed.OrchestrationTraceContext);
        Assert.Collection(parsed.Actions,
            a =>
            {
                Assert.Equal(0, a.Id);
                Assert.Equal("ScoreActivity", a.ScheduleTask.Name);
                Assert.Equal("{\"amount\":1}", a.ScheduleTask.Input);
                Assert.Null(a.ScheduleTask.ParentTraceContext);
                Assert.Empty(a.ScheduleTask.Tags);
            },
            a =>
            {
                Assert.Equal(1, a.Id);
                Assert.Equal("GreetWorkflow", a.CreateSubOrchestration.Name);
                Assert.Equal("child-1", a.CreateSubOrchestration.InstanceId);
                Assert.Null(a.CreateSubOrchestration.ParentTraceContext);
                Assert.Empty(a.CreateSubOrchestration.Tags);
            });
    }

    /// <summary>A completion as the Dapr 1.19 worker builds it: version, routers, task execution id, propagation scope.</summary>
    private static DaprProto.WorkflowResponse WorkerCompletion()
    {
        var router = new DaprProto.TaskRouter { SourceAppID = "workflows" };
        var response = new DaprProto.WorkflowResponse
        {
            InstanceId = "instance-1",
            CompletionToken = "token-1",
            Version = new DaprProto.WorkflowVersion { Name = "v1" },
        };
        response.Actions.Add(new DaprProto.WorkflowAction
        {
            Id = 0,
            Router = router,
            ScheduleTask = new DaprProto.ScheduleTaskAction
            {
                Name = "ScoreActivity",
                Input = "{\"amount\":1}",
                Router = router,
                TaskExecutionId = "0f8fad5b-d9cb-469f-a165-70867728950e",
                HistoryPropagationScope = DaprProto.HistoryPropagationScope.OwnHistory,
            },
        });
        response.Actions.Add(new DaprProto.WorkflowAction
        {
            Id = 1,
            Router = router,
            CreateChildWorkflow = new DaprProto.CreateChildWorkflowAction
            {
                Name = "GreetWorkflow",
                InstanceId = "child-1",
                Router = router,
                HistoryPropagationScope = DaprProto.HistoryPropagationScope.Lineage,
            },
        });
        return response;
    }

    private sealed class CapturingInvoker : CallInvoker
    {
        public List<IMessage> Requests { get; } = [];

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            Requests.Add((IMessage)request);
            return new AsyncUnaryCall<TResponse>(
                Task.FromResult(Activator.CreateInstance<TResponse>()), Task.FromResult(new Metadata()),
                () => Status.DefaultSuccess, () => [], () => { });
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();
        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw new NotSupportedException();
        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();
        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();
    }
}
