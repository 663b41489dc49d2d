using Dapr.Client;
using Scorpius.Contracts;

namespace Scorpius.AuthProxy;

/// <summary>Publishes <see cref="AuditEvent"/>s on the audit topic through the Dapr sidecar.</summary>
public sealed class AuditPublisher(DaprClient dapr, TimeProvider clock)
{
    public Task PublishAsync(string? tenantId, string actor, string action, string resource, string outcome, string? reason,
        IReadOnlyDictionary<string, string>? details, CancellationToken cancellationToken) =>
        dapr.PublishEventAsync(DaprNames.PubSub, AuditEvent.Topic,
            new AuditEvent(tenantId, actor, action, resource, outcome, reason, details ?? new Dictionary<string, string>(), clock.GetUtcNow()),
            cancellationToken);
}
