using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scorpius.ChainMonitor;

/// <summary>Runs <see cref="BitcoinMonitor.PollOnceAsync"/> every poll interval (at once again while it is catching up); errors back off and retry.</summary>
public sealed class BitcoinMonitorService(BitcoinMonitor monitor, BitcoinMonitorOptions options, TimeProvider clock, ILogger<BitcoinMonitorService> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        PollingLoop.RunAsync("Bitcoin", monitor.PollOnceAsync, options.PollInterval, options.MaxBlocksPerPoll, clock, logger, stoppingToken);
}
