using System.Diagnostics;
using Dapr.Workflow;
using Scorpius.Platform.Tests.Workflows.TestWorkflows;

namespace Scorpius.Platform.Tests.Workflows;

/// <summary>
/// Tier 7: test workflows run by the real Dapr.Workflow worker and client on Microsoft's in-memory engine (a test
/// double, not daprd). Proves serialization, the SDK's retry policy, timers, events, child workflows and terminate.
/// </summary>
public sealed class WorkflowRuntimeTests(WorkflowRuntimeFixture fixture) : IClassFixture<WorkflowRuntimeFixture>
{
    private readonly DaprWorkflowClient client = fixture.Host.Client;

    [Fact]
    public async Task Activity_chaining_round_trips_sealed_records_as_json()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        var placedAt = new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.FromHours(2));
        var shipment = new Shipment("order-1", 120.45m, "CHF", new Address("Bahnhofstrasse 1", "CH"), placedAt, ShipmentSpeed.Express);

        var id = await client.ScheduleNewWorkflowAsync(nameof(ShipmentWorkflow), WorkflowRuntimeFixture.NewInstanceId("chain"), shipment);
        var state = await client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(shipment, state.ReadInputAs<Shipment>());
        var quote = state.ReadOutputAs<Quote>();
        Assert.NotNull(quote);
        Assert.Equal(new Quote("order-1", 120.45m + 2 * fixture.Rates.Domestic, "CHF", IsDomestic: true, placedAt), quote);
        Assert.Equal(placedAt.Offset, quote.PlacedAt.Offset);
    }

    [Fact]
    public async Task Retry_policy_retries_a_failing_activity_after_durable_timers_until_it_succeeds()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        var request = new FlakyRequest(Guid.NewGuid().ToString("N"), FailuresBeforeSuccess: 2, MaxAttempts: 3);
        var clock = Stopwatch.StartNew();

        var id = await client.ScheduleNewWorkflowAsync(nameof(RetryWorkflow), WorkflowRuntimeFixture.NewInstanceId("retry"), request);
        var state = await client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(3, state.ReadOutputAs<int>());
        Assert.Equal(3, fixture.Attempts.Count(request.Key));
        // Two retries, each behind a durable timer of FirstRetryInterval (backoff coefficient 1).
        Assert.True(clock.Elapsed >= 2 * RetryWorkflow.FirstRetryInterval - TimeSpan.FromMilliseconds(50), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Exhausted_retries_fail_the_instance_with_the_task_failure_type()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        var request = new FlakyRequest(Guid.NewGuid().ToString("N"), FailuresBeforeSuccess: int.MaxValue, MaxAttempts: 3);

        var id = await client.ScheduleNewWorkflowAsync(nameof(RetryWorkflow), WorkflowRuntimeFixture.NewInstanceId("exhausted"), request);
        var state = await client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(WorkflowRuntimeStatus.Failed, state.RuntimeStatus);
        Assert.Equal(3, fixture.Attempts.Count(request.Key));
        Assert.NotNull(state.FailureDetails);
        Assert.Equal(typeof(WorkflowTaskFailedException).FullName, state.FailureDetails.ErrorType);
        Assert.Contains($"attempt 3 of {request.Key} failed", state.FailureDetails.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caught_activity_failure_names_the_activity_exception_type_but_IsCausedBy_misses_it()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        var request = new FlakyRequest(Guid.NewGuid().ToString("N"), FailuresBeforeSuccess: int.MaxValue, MaxAttempts: 2);

        var id = await client.ScheduleNewWorkflowAsync(nameof(CatchingRetryWorkflow), WorkflowRuntimeFixture.NewInstanceId("caught"), request);
        var state = await client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        var failure = state.ReadOutputAs<CaughtFailure?>();
        Assert.NotNull(failure);
        Assert.Equal(typeof(TransientDependencyException).FullName, failure.ErrorType);
        Assert.Contains($"attempt 2 of {request.Key} failed", failure.ErrorMessage, StringComparison.Ordinal);
        Assert.False(failure.IsCausedByTransientDependency); // the IsCausedBy<T>() bug, see WorkflowFailureDetailsTests
    }

    [Fact]
    public async Task Durable_timer_delays_the_workflow()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        const int delayMs = 1000;
        var clock = Stopwatch.StartNew();

        var id = await client.ScheduleNewWorkflowAsync(nameof(TimerWorkflow), WorkflowRuntimeFixture.NewInstanceId("timer"), delayMs);
        var state = await client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        // The engine fires timers with Task.Delay, so allow a few milliseconds against the wall clock.
        Assert.True(state.ReadOutputAs<double>() >= delayMs - 15, $"workflow time across the timer: {state.ReadOutputAs<double>()} ms");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(delayMs - 50), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task External_event_raised_by_the_client_completes_the_waiting_workflow()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        var id = await client.ScheduleNewWorkflowAsync(
            nameof(ApprovalWorkflow), WorkflowRuntimeFixture.NewInstanceId("approve"), new ApprovalRequest("tx-42", TimeoutSeconds: 25));
        await client.WaitForWorkflowStartAsync(id, getInputsAndOutputs: false, timeout.Token);

        await client.RaiseEventAsync(id, ApprovalWorkflow.EventName, new Approval("alice", Approved: true), timeout.Token);
        var state = await client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(new ApprovalOutcome("tx-42", "approved", "alice"), state.ReadOutputAs<ApprovalOutcome>());
    }

    [Fact]
    public async Task External_event_not_raised_in_time_takes_the_timeout_branch()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        var id = await client.ScheduleNewWorkflowAsync(
            nameof(ApprovalWorkflow), WorkflowRuntimeFixture.NewInstanceId("no-approval"), new ApprovalRequest("tx-43", TimeoutSeconds: 1));

        var state = await client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(new ApprovalOutcome("tx-43", ApprovalWorkflow.TimedOut, null), state.ReadOutputAs<ApprovalOutcome>());
    }

    [Fact]
    public async Task Child_workflows_run_under_their_own_instance_ids_and_return_their_outputs()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        var id = await client.ScheduleNewWorkflowAsync(nameof(ParentWorkflow), WorkflowRuntimeFixture.NewInstanceId("parent"), new[] { "ana", "ben" });

        var state = await client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        var greetings = state.ReadOutputAs<Greeting[]>();
        Assert.NotNull(greetings);
        Assert.Equal([new Greeting("ana", "Hello, ana"), new Greeting("ben", "Hello, ben")], greetings);
        for (var i = 0; i < 2; i++)
        {
            var child = await client.GetWorkflowStateAsync(ParentWorkflow.ChildId(id, i), getInputsAndOutputs: false, timeout.Token);
            Assert.True(child.Exists);
            Assert.Equal(nameof(GreetWorkflow), child.WorkflowName);
            Assert.Equal(WorkflowRuntimeStatus.Completed, child.RuntimeStatus);
        }
    }

    [Fact]
    public async Task Terminate_stops_a_running_workflow()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        var id = await client.ScheduleNewWorkflowAsync(nameof(WaitForeverWorkflow), WorkflowRuntimeFixture.NewInstanceId("terminate"), "input");
        var started = await client.WaitForWorkflowStartAsync(id, getInputsAndOutputs: false, timeout.Token);
        Assert.Equal(WorkflowRuntimeStatus.Running, started.RuntimeStatus);

        await client.TerminateWorkflowAsync(id, "stopped by test", timeout.Token);
        var state = await client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(WorkflowRuntimeStatus.Terminated, state.RuntimeStatus);
    }

    [Fact]
    public async Task An_unknown_instance_does_not_exist()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        var state = await client.GetWorkflowStateAsync("no-such-instance", getInputsAndOutputs: false, timeout.Token);
        Assert.False(state.Exists);
    }
}
