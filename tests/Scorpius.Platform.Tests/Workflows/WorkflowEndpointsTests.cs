extern alias workflows;

using System.Net;
using System.Net.Http.Json;
using Dapr.Workflow;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Scorpius.Platform.Tests.Workflows.TestWorkflows;
using Scorpius.Testing;
using Scorpius.Testing.Identity;
using Scorpius.Testing.Sidecar;
using Scorpius.Testing.Workflows;
using WorkflowStatusResponse = workflows::Scorpius.Workflows.WorkflowStatusResponse;

namespace Scorpius.Platform.Tests.Workflows;

/// <summary>
/// GET /v1/workflows/{instanceId} of the workflows app, with the app's real DaprWorkflowClient aimed at the
/// in-process engine. The instances come from the test worker's own workflows on the same engine
/// (the app's own worker is removed: one worker per engine).
/// </summary>
public sealed class WorkflowEndpointsTests(WorkflowRuntimeFixture fixture) : IClassFixture<WorkflowRuntimeFixture>, IAsyncLifetime
{
    private ScorpiusAppFactory<workflows::Program> app = null!;
    private HttpClient http = null!;
    private FakeDaprSidecar sidecar = null!;

    public async Task InitializeAsync()
    {
        // The sidecar serves only the token server's keys here; the workflow client is aimed at the in-process engine.
        sidecar = await FakeDaprSidecar.StartAsync();
        var identity = TestIdentity.On(sidecar);
        app = new ScorpiusAppFactory<workflows::Program>(sidecar);
        http = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.UseInProcessWorkflowEngine(fixture.Host.Engine))).CreateClient();
        http.Timeout = WorkflowRuntimeFixture.WaitLimit;
        // The test workflows' inputs name no tenant: only the platform operator sees them.
        TestIdentity.Authorize(http, identity.Token(Scorpius.Contracts.ScorpiusTenants.Platform, Scorpius.Contracts.Permissions.WalletsRead));
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await app.DisposeAsync();
        await sidecar.DisposeAsync();
    }

    [Fact]
    public async Task An_unknown_instance_is_a_404_problem()
    {
        var response = await http.GetAsync(new Uri("/v1/workflows/no-such-instance", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.NotNull(problem);
        Assert.Equal(404, problem.Status);
        Assert.Contains("no-such-instance", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completed_instance_reports_its_name_and_status()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        var id = await fixture.Host.Client.ScheduleNewWorkflowAsync(nameof(GreetWorkflow), WorkflowRuntimeFixture.NewInstanceId("status"), "ana");
        await fixture.Host.Client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: false, timeout.Token);

        var status = await http.GetFromJsonAsync<WorkflowStatusResponse>(new Uri($"/v1/workflows/{id}", UriKind.Relative), timeout.Token);

        Assert.NotNull(status);
        Assert.Equal(id, status.InstanceId);
        Assert.Equal(nameof(GreetWorkflow), status.Name);
        Assert.Equal(nameof(WorkflowRuntimeStatus.Completed), status.Status);
        Assert.Null(status.Failure);
        Assert.True(status.LastUpdatedAt >= status.CreatedAt);
    }

    [Fact]
    public async Task A_failed_instance_reports_the_failure_type()
    {
        using var timeout = new CancellationTokenSource(WorkflowRuntimeFixture.WaitLimit);
        var request = new FlakyRequest(Guid.NewGuid().ToString("N"), FailuresBeforeSuccess: int.MaxValue, MaxAttempts: 1);
        var id = await fixture.Host.Client.ScheduleNewWorkflowAsync(nameof(RetryWorkflow), WorkflowRuntimeFixture.NewInstanceId("failed"), request);
        await fixture.Host.Client.WaitForWorkflowCompletionAsync(id, getInputsAndOutputs: false, timeout.Token);

        var status = await http.GetFromJsonAsync<WorkflowStatusResponse>(new Uri($"/v1/workflows/{id}", UriKind.Relative), timeout.Token);

        Assert.NotNull(status);
        Assert.Equal(nameof(WorkflowRuntimeStatus.Failed), status.Status);
        Assert.Equal(typeof(WorkflowTaskFailedException).FullName, status.Failure?.ErrorType);
    }
}
