using Dapr.Client;
using Microsoft.Extensions.Configuration;

namespace Scorpius.ServiceDefaults;

/// <summary>
/// Points the Dapr client at the sidecar named by configuration (environment variables included), so tests can
/// aim an app at an in-process fake sidecar with plain settings.
/// </summary>
public static class DaprEndpoints
{
    public static void Configure(DaprClientBuilder dapr, IConfiguration configuration)
    {
        var http = configuration["DAPR_HTTP_ENDPOINT"]
            ?? (configuration["DAPR_HTTP_PORT"] is { Length: > 0 } httpPort ? $"http://127.0.0.1:{httpPort}" : null);
        var grpc = configuration["DAPR_GRPC_ENDPOINT"]
            ?? (configuration["DAPR_GRPC_PORT"] is { Length: > 0 } grpcPort ? $"http://127.0.0.1:{grpcPort}" : null);
        if (http is not null) dapr.UseHttpEndpoint(http);
        if (grpc is not null) dapr.UseGrpcEndpoint(grpc);
        // Always set the token explicitly, so a stray DAPR_API_TOKEN in a process environment cannot leak into another app's client.
        dapr.UseDaprApiToken(configuration["DAPR_API_TOKEN"] ?? string.Empty);
    }
}
