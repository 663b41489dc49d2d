using Microsoft.Extensions.Logging;

namespace Scorpius.ChainMonitor;

/// <summary>
/// The checkpoint both monitors keep: where a monitor without one starts, how a checkpointed block the chain no longer has
/// (a reorg) is rewound to the newest block both branches share (within the reorg depth; deeper, it resumes below the
/// window), and how a processed block is appended. Chains differ only in how they tell the hash at a height
/// (<paramref name="hashAt"/>: null when the chain is not that high).
/// </summary>
internal sealed partial class CheckpointTrail(IMonitorCheckpoints checkpoints, string key, int reorgDepth,
    Func<long, CancellationToken, Task<string?>> hashAt, string chain, ILogger logger)
{
    /// <summary>The checkpoint to continue from: the stored one (rewound past a reorg), or a new one before <paramref name="start"/> (default: after <paramref name="head"/>).</summary>
    public async Task<MonitorCheckpoint> LoadAsync(long head, long? start, CancellationToken cancellationToken)
    {
        var checkpoint = await checkpoints.LoadAsync(key, cancellationToken);
        if (checkpoint is null)
        {
            var before = Math.Max(-1, (start ?? head + 1) - 1);
            var hash = before < 0 ? "" : await hashAt(before, cancellationToken) ?? throw new InvalidOperationException($"Block {before} is not on the node.");
            checkpoint = await SaveAsync(At(before, hash), cancellationToken);
            LogStarting(logger, chain, before + 1);
            return checkpoint;
        }
        return await RewindAsync(checkpoint, cancellationToken);
    }

    /// <summary>Records a processed block on top of the checkpoint, keeping the hashes of the last <c>reorgDepth</c> blocks.</summary>
    public Task<MonitorCheckpoint> AdvanceAsync(MonitorCheckpoint checkpoint, long number, string hash, CancellationToken cancellationToken) =>
        SaveAsync(new MonitorCheckpoint(number, hash, [.. checkpoint.Recent.Append(new BlockRef(number, hash)).Where(r => r.Number > number - reorgDepth - 1)]),
            cancellationToken);

    /// <summary>True when a block's parent is the checkpointed block (or nothing is checkpointed yet).</summary>
    public bool Extends(MonitorCheckpoint checkpoint, long number, string? parentHash)
    {
        if (checkpoint.Number < 0 || SameHash(parentHash, checkpoint.Hash)) return true;
        LogForkWhileScanning(logger, chain, number);
        return false;
    }

    private async Task<MonitorCheckpoint> RewindAsync(MonitorCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        if (checkpoint.Number < 0 || SameHash(await hashAt(checkpoint.Number, cancellationToken), checkpoint.Hash)) return checkpoint;
        foreach (var known in checkpoint.Recent.OrderByDescending(r => r.Number))
        {
            if (known.Number >= checkpoint.Number) continue;
            if (!SameHash(await hashAt(known.Number, cancellationToken), known.Hash)) continue;
            LogReorg(logger, chain, checkpoint.Number, known.Number);
            return await SaveAsync(new MonitorCheckpoint(known.Number, known.Hash, [.. checkpoint.Recent.Where(r => r.Number <= known.Number)]), cancellationToken);
        }
        // Deeper than we remember: resume below the window; the sink sees those blocks again and must be idempotent.
        var below = Math.Max(-1, checkpoint.Number - reorgDepth - 1);
        var hash = below < 0 ? "" : await hashAt(below, cancellationToken) ?? "";
        LogDeepReorg(logger, chain, checkpoint.Number, reorgDepth, below + 1);
        return await SaveAsync(At(below, hash), cancellationToken);
    }

    private static MonitorCheckpoint At(long number, string hash) => new(number, hash, number < 0 ? [] : [new BlockRef(number, hash)]);

    private async Task<MonitorCheckpoint> SaveAsync(MonitorCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        await checkpoints.SaveAsync(key, checkpoint, cancellationToken);
        return checkpoint;
    }

    private static bool SameHash(string? a, string? b) => a is not null && b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Chain} monitor starts at block {Block}")]
    private static partial void LogStarting(ILogger logger, string chain, long block);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Chain} reorg: block {Checkpointed} is no longer on the chain; rewound to {Common}")]
    private static partial void LogReorg(ILogger logger, string chain, long checkpointed, long common);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Chain} reorg deeper than {Depth} blocks below {Checkpointed}; resuming at {Resume}")]
    private static partial void LogDeepReorg(ILogger logger, string chain, long checkpointed, int depth, long resume);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Chain} block {Block} does not extend the checkpoint (a fork appeared while scanning); the next poll rewinds")]
    private static partial void LogForkWhileScanning(ILogger logger, string chain, long block);
}
