using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scorpius.ChainMonitor;

/// <summary>Runs <see cref="EthereumMonitor.PollOnceAsync"/> every poll interval (at once again while it is catching up); errors back off and retry.</summary>
public sealed class EthereumMonitorService(EthereumMonitor monitor, EthereumMonitorOptions options, TimeProvider clock, ILogger<EthereumMonitorService> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PollingLoop.RunAsync("Ethereum", monitor.PollOnceAsync, options.PollInterval, options.MaxBlocksPerPoll, clock, logger, stoppingToken);
}
