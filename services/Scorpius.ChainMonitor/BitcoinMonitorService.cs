using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Scorpius.ChainMonitor;

/// <summary>Runs <see cref="BitcoinMonitor.PollOnceAsync"/> every poll interval (at once again while it is catching up); errors back off and retry.</summary>
public sealed partial class BitcoinMonitorService(BitcoinMonitor monitor, BitcoinMonitorOptions options, TimeProvider clock, ILogger<BitcoinMonitorService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = options.PollInterval;
            try
            {
                var processed = await monitor.PollOnceAsync(stoppingToken);
                failures = 0;
                if (processed >= options.MaxBlocksPerPoll) delay = TimeSpan.Zero; // catching up
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                failures++;
                delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(failures, 6))));
                LogPollFailed(logger, failures, delay.TotalSeconds, ex);
            }
            if (delay > TimeSpan.Zero) await Task.Delay(delay, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bitcoin monitor poll failed ({Failures} in a row); retrying in {Seconds} s")]
    private static partial void LogPollFailed(ILogger logger, int failures, double seconds, Exception ex);
}
