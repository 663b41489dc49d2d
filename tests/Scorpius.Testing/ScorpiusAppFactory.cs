using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scorpius.Testing.Sidecar;

namespace Scorpius.Testing;

/// <summary>
/// Starts a Scorpius app in process (WebApplicationFactory) with its Dapr client aimed at a fake sidecar, or at a
/// closed port when there is none, so "no sidecar" is deterministic. The Dapr workflow worker, which would dial the
/// sidecar's gRPC port in the background, is removed unless <see cref="KeepWorkflowWorker"/> is set.
/// </summary>
public class ScorpiusAppFactory<TProgram>(FakeDaprSidecar? sidecar = null, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<TProgram> where TProgram : class
{
    /// <summary>An endpoint nothing listens on (port 9 is "discard" and closed on test machines).</summary>
    public const string NoSidecar = "http://127.0.0.1:9";

    public bool KeepWorkflowWorker { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        var dapr = sidecar?.AppSettings ?? new Dictionary<string, string>
        {
            ["DAPR_GRPC_ENDPOINT"] = NoSidecar,
            ["DAPR_HTTP_ENDPOINT"] = NoSidecar,
            ["DAPR_API_TOKEN"] = "",
        };
        foreach (var (key, value) in dapr) builder.UseSetting(key, value);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);

        builder.ConfigureServices(services =>
        {
            if (KeepWorkflowWorker) return;
            foreach (var worker in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "WorkflowWorker").ToArray())
                services.Remove(worker);
        });
    }
}
