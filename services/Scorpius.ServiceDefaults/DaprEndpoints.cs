using Dapr.Client;
using Microsoft.Extensions.Configuration;

namespace Scorpius.ServiceDefaults;

/// <summary>
/// Points the Dapr client at the sidecar named by configuration (environment variables included), so tests can
/// aim an app at an in-process fake sidecar with plain settings.
/// </summary>
public static class DaprEndpoints
{
    /// <summary>The sidecar's HTTP endpoint (DAPR_HTTP_ENDPOINT, else DAPR_HTTP_PORT on loopback, else daprd's default 3500).</summary>
    public static string HttpEndpoint(IConfiguration configuration) => ConfiguredHttpEndpoint(configuration) ?? "http://127.0.0.1:3500";

    /// <summary>The token this app presents to its sidecar (DAPR_API_TOKEN), empty when none is set.</summary>
    public static string ApiToken(IConfiguration configuration) => configuration["DAPR_API_TOKEN"] ?? string.Empty;

    private static string? ConfiguredHttpEndpoint(IConfiguration configuration) => configuration["DAPR_HTTP_ENDPOINT"]
        ?? (configuration["DAPR_HTTP_PORT"] is { Length: > 0 } httpPort ? $"http://127.0.0.1:{httpPort}" : null);

    public static void Configure(DaprClientBuilder dapr, IConfiguration configuration)
    {
        var http = ConfiguredHttpEndpoint(configuration);
        var grpc = configuration["DAPR_GRPC_ENDPOINT"]
            ?? (configuration["DAPR_GRPC_PORT"] is { Length: > 0 } grpcPort ? $"http://127.0.0.1:{grpcPort}" : null);
        if (http is not null) dapr.UseHttpEndpoint(http);
        if (grpc is not null) dapr.UseGrpcEndpoint(grpc);
        // Always set the token explicitly, so a stray DAPR_API_TOKEN in a process environment cannot leak into another app's client.
        dapr.UseDaprApiToken(ApiToken(configuration));
    }
}
