using Microsoft.Extensions.DependencyInjection;
using Scorpius.Platform.Tests.Workflows.TestWorkflows;
using Scorpius.Testing.Workflows;

namespace Scorpius.Platform.Tests.Workflows;

/// <summary>One in-process engine and one real Dapr worker with the test workflows, shared by a test class.</summary>
public sealed class WorkflowRuntimeFixture : IAsyncLifetime
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private WorkflowTestHost? host;

    public WorkflowTestHost Host => host ?? throw new InvalidOperationException("Not started.");
    public AttemptCounter Attempts { get; } = new();
    public ShippingRates Rates { get; } = new() { Domestic = 5m, International = 25m };

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(WaitLimit);
        host = await WorkflowTestHost.StartAsync(TestWorkflowRegistration.Register, services =>
        {
            services.AddSingleton(Attempts);
            services.AddSingleton(Rates);
        }, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (host is not null) await host.DisposeAsync();
    }

    public static string NewInstanceId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
