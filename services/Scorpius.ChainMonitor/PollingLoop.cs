using Microsoft.Extensions.Logging;

namespace Scorpius.ChainMonitor;

/// <summary>
/// The loop both monitors run: poll every <paramref name="interval"/>, at once again while a poll processed a full batch
/// (catching up); a failure backs off 2, 4, … up to 60 s and is retried.
/// </summary>
internal static partial class PollingLoop
{
    public static async Task RunAsync(string chain, Func<CancellationToken, Task<int>> poll, TimeSpan interval, int maxBlocksPerPoll,
        TimeProvider clock, ILogger logger, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = interval;
            try
            {
                var processed = await poll(stoppingToken);
                failures = 0;
                if (processed >= maxBlocksPerPoll) delay = TimeSpan.Zero;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                failures++;
                delay = TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, Math.Min(failures, 6))));
                LogPollFailed(logger, chain, failures, delay.TotalSeconds, ex);
            }
            if (delay > TimeSpan.Zero) await Task.Delay(delay, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Chain} monitor poll failed ({Failures} in a row); retrying in {Seconds} s")]
    private static partial void LogPollFailed(ILogger logger, string chain, int failures, double seconds, Exception ex);
}
