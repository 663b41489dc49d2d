using Dapr.Client;
using Scorpius.Contracts;

namespace Scorpius.ChainMonitor;

/// <summary>Checkpoints in the Dapr state store (<see cref="DaprNames.StateStore"/>), so a restarted monitor resumes where it stopped.</summary>
public sealed class DaprMonitorCheckpoints(DaprClient dapr) : IMonitorCheckpoints
{
    public Task<MonitorCheckpoint?> LoadAsync(string key, CancellationToken cancellationToken) =>
        dapr.GetStateAsync<MonitorCheckpoint?>(DaprNames.StateStore, key, cancellationToken: cancellationToken);

    public Task SaveAsync(string key, MonitorCheckpoint checkpoint, CancellationToken cancellationToken) =>
        dapr.SaveStateAsync(DaprNames.StateStore, key, checkpoint, cancellationToken: cancellationToken);
}
