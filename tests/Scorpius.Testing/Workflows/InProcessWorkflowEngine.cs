using System.Net;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Scorpius.Testing.Workflows;

/// <summary>
/// A workflow engine for tests: Microsoft's in-memory durabletask backend (<see cref="InMemoryOrchestrationService"/>)
/// behind its gRPC <c>TaskHubSidecarService</c> (<see cref="TaskHubGrpcServer"/>), hosted without Microsoft's worker.
/// It is a test double, not Dapr: daprd runs a durabletask-go fork on actors. The real Dapr.Workflow worker and
/// <c>DaprWorkflowClient</c> reach it through <see cref="WorkflowEngineServiceCollectionExtensions.UseInProcessWorkflowEngine"/>,
/// which also installs <see cref="DaprToMicrosoftProtocolShim"/>. One worker per engine: a second
/// <c>GetWorkItems</c> stream is rejected.
/// </summary>
public sealed class InProcessWorkflowEngine : IAsyncDisposable
{
    private readonly WebApplication host;

    private InProcessWorkflowEngine(WebApplication host)
    {
        this.host = host;
        Endpoint = host.Urls.Single();
    }

    /// <summary>The engine's gRPC endpoint, <c>http://127.0.0.1:PORT</c> (cleartext HTTP/2).</summary>
    public string Endpoint { get; }

    public static async Task<InProcessWorkflowEngine> StartAsync(ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (loggerFactory is not null) builder.Services.AddSingleton(loggerFactory);
        // gRPC over cleartext must be HTTP/2 only; with Http1AndHttp2 the client fails with HTTP_1_1_REQUIRED.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<InMemoryOrchestrationService>();
        builder.Services.AddSingleton<IOrchestrationService>(sp => sp.GetRequiredService<InMemoryOrchestrationService>());
        builder.Services.AddSingleton<IOrchestrationServiceClient>(sp => sp.GetRequiredService<InMemoryOrchestrationService>());
        builder.Services.AddSingleton<TaskHubGrpcServer>();

        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);
        return new InProcessWorkflowEngine(app);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        await host.DisposeAsync();
    }
}
