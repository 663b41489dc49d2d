using Dapr.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Scorpius.ServiceDefaults.Health;

/// <summary>
/// The app's Dapr sidecar is up for outbound calls (<c>GET /v1.0/healthz/outbound</c>). The outbound probe is used,
/// not <c>/v1.0/healthz</c>, because the sidecar's full health waits on this very app being reachable.
/// </summary>
public sealed class DaprSidecarHealthCheck(DaprClient dapr) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await dapr.CheckOutboundHealthAsync(cancellationToken)
                ? HealthCheckResult.Healthy("Dapr sidecar answers.")
                : HealthCheckResult.Unhealthy("Dapr sidecar is not ready for outbound calls.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Dapr sidecar unreachable: {ex.GetBaseException().Message}");
        }
    }
}
