using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Scorpius.Ledger.Entries;

namespace Scorpius.AuditTrail.Ledger;

/// <summary>
/// Group commit: callers hand in one entry each and wait; a single loop commits whatever has queued up (up to
/// <see cref="AuditTrailOptions.MaxBatchSize"/>) in one transaction, then releases every waiter of that batch.
/// A caller's task completes only after its entry is committed, so an acknowledgement never precedes durability;
/// if the commit fails, every waiter of the batch sees the failure and nothing of the batch is stored.
/// </summary>
public sealed partial class BatchAppender(AuditLedger ledger, IOptions<AuditTrailOptions> options, ILogger<BatchAppender> logger) : BackgroundService
{
    private sealed record Request(PendingEntry Entry, TaskCompletionSource<AppendResult> Done);

    private readonly Channel<Request> queue = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });

    public Task<AppendResult> AppendAsync(PendingEntry entry, CancellationToken cancellationToken)
    {
        var request = new Request(entry, new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!queue.Writer.TryWrite(request)) throw new OperationCanceledException("The audit trail is shutting down.");
        return request.Done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Request>();
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < options.Value.MaxBatchSize && queue.Reader.TryRead(out var request)) batch.Add(request);
                try
                {
                    var results = await ledger.AppendAsync(batch.Select(r => r.Entry).ToList(), stoppingToken);
                    LedgerMetrics.BatchSize.Record(batch.Count);
                    LedgerMetrics.Appended.Add(results.Count(r => r.Appended));
                    for (var i = 0; i < batch.Count; i++) batch[i].Done.TrySetResult(results[i]);
                }
                catch (Exception ex)
                {
                    LogBatchFailed(logger, batch.Count, ex.Message, ex);
                    foreach (var request in batch) request.Done.TrySetException(ex);
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Writer.TryComplete();
            foreach (var request in batch) request.Done.TrySetCanceled(stoppingToken);
            while (queue.Reader.TryRead(out var request)) request.Done.TrySetCanceled(stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} audit entries was not committed: {Reason}")]
    private static partial void LogBatchFailed(ILogger logger, int count, string reason, Exception exception);
}
