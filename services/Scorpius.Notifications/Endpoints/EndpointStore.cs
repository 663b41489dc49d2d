using Dapr;
using Dapr.Client;
using Scorpius.Contracts;

namespace Scorpius.Notifications.Endpoints;

/// <summary>
/// A tenant's endpoints in the Dapr state store, as one document (a tenant has at most
/// <see cref="NotificationsOptions.MaxEndpointsPerTenant"/>), so the fan-out of an event is one read. Every change
/// is a read-modify-write guarded by the document's ETag and retried on a conflict.
/// </summary>
public sealed class EndpointStore(DaprClient dapr)
{
    private const int MaxConflicts = 8;
    private static readonly StateOptions CreateOnly = new() { Concurrency = ConcurrencyMode.FirstWrite };

    public static string Key(string tenantId) => $"endpoints||{tenantId}";

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        (await dapr.GetStateAsync<TenantEndpoints>(DaprNames.StateStore, Key(tenantId), cancellationToken: cancellationToken))?.Endpoints ?? [];

    public async Task<WebhookEndpoint?> GetAsync(string tenantId, string endpointId, CancellationToken cancellationToken) =>
        (await ListAsync(tenantId, cancellationToken)).FirstOrDefault(e => e.Id == endpointId);

    /// <summary>
    /// Applies <paramref name="change"/> to the tenant's endpoints and saves the list it returns (null: save nothing);
    /// on a concurrent write, reads again and re-applies, so <paramref name="change"/> must be a pure function.
    /// </summary>
    public async Task<T> UpdateAsync<T>(
        string tenantId, Func<IReadOnlyList<WebhookEndpoint>, (IReadOnlyList<WebhookEndpoint>? Next, T Result)> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var i = 0; i < MaxConflicts; i++)
        {
            var (current, etag) = await dapr.GetStateAndETagAsync<TenantEndpoints>(DaprNames.StateStore, Key(tenantId), cancellationToken: cancellationToken);
            var (next, result) = change(current?.Endpoints ?? []);
            if (next is null) return result;
            var saved = string.IsNullOrEmpty(etag)
                ? await TryCreateAsync(tenantId, new TenantEndpoints(next), cancellationToken)
                : await dapr.TrySaveStateAsync(DaprNames.StateStore, Key(tenantId), new TenantEndpoints(next), etag, cancellationToken: cancellationToken);
            if (saved) return result;
        }
        throw new InvalidOperationException($"The endpoints of tenant '{tenantId}' kept changing concurrently; giving up after {MaxConflicts} tries.");
    }

    /// <summary>Changes one endpoint; null when the tenant has no such endpoint.</summary>
    public Task<WebhookEndpoint?> UpdateOneAsync(string tenantId, string endpointId, Func<WebhookEndpoint, WebhookEndpoint> change, CancellationToken cancellationToken) =>
        UpdateAsync<WebhookEndpoint?>(tenantId, endpoints =>
        {
            if (endpoints.FirstOrDefault(e => e.Id == endpointId) is not { } endpoint) return (null, null);
            var changed = change(endpoint);
            return ([.. endpoints.Select(e => e.Id == endpointId ? changed : e)], changed);
        }, cancellationToken);

    // The first document of a tenant: first-write-wins without an ETag may only create the key.
    private async Task<bool> TryCreateAsync(string tenantId, TenantEndpoints value, CancellationToken cancellationToken)
    {
        try
        {
            await dapr.SaveStateAsync(DaprNames.StateStore, Key(tenantId), value, CreateOnly, cancellationToken: cancellationToken);
            return true;
        }
        catch (DaprException ex) when (ex.InnerException is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Aborted })
        {
            return false;
        }
    }
}
