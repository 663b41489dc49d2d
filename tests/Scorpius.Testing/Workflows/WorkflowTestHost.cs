using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scorpius.Testing.Workflows;

/// <summary>
/// An in-process workflow engine plus a generic host running the real Dapr.Workflow worker against it, with the
/// workflows and activities that <c>register</c> adds. <see cref="Client"/> is the real <see cref="DaprWorkflowClient"/>.
/// Give every wait a timeout: in this tier a protocol failure looks like a hang.
/// </summary>
public sealed class WorkflowTestHost : IAsyncDisposable
{
    private WorkflowTestHost(InProcessWorkflowEngine engine, IHost host)
    {
        Engine = engine;
        Host = host;
    }

    public InProcessWorkflowEngine Engine { get; }
    public IHost Host { get; }
    public IServiceProvider Services => Host.Services;
    public DaprWorkflowClient Client => Host.Services.GetRequiredService<DaprWorkflowClient>();

    public static async Task<WorkflowTestHost> StartAsync(
        Action<WorkflowRuntimeOptions> register,
        Action<IServiceCollection>? configureServices = null,
        CancellationToken cancellationToken = default)
    {
        var engine = await InProcessWorkflowEngine.StartAsync(cancellationToken: cancellationToken);
        try
        {
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            // The token comes from configuration first, so a DAPR_API_TOKEN in the environment cannot leak in.
            builder.Configuration["DAPR_API_TOKEN"] = string.Empty;
            builder.Services.AddDaprWorkflow(register);
            builder.Services.UseInProcessWorkflowEngine(engine);
            configureServices?.Invoke(builder.Services);
            var host = builder.Build();
            await host.StartAsync(cancellationToken);
            return new WorkflowTestHost(engine, host);
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
        await Engine.DisposeAsync();
    }
}
