using Microsoft.Extensions.Options;
using Scorpius.AuditTrail.Signing;
using Scorpius.AuditTrail.Storage;
using Scorpius.Ledger.Merkle;
using Scorpius.Ledger.Notes;

namespace Scorpius.AuditTrail.Ledger;

/// <summary>
/// Signs checkpoints (C2SP tlog-checkpoint as a signed note, Ed25519). Before signing a larger tree it proves, from
/// the stored nodes, that the new tree is consistent with the last signed one: the log never signs a rewritten history.
/// </summary>
public sealed class Checkpointer(AuditLedger ledger, SigningKeyProvider keys, IOptions<AuditTrailOptions> options, TimeProvider time)
{
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>The latest checkpoint, signing a new one first if the log has grown since.</summary>
    public async Task<StoredCheckpoint> EnsureLatestAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var store = ledger.Store;
            var size = await store.GetSizeAsync(cancellationToken);
            var latest = await store.GetLatestCheckpointAsync(cancellationToken);
            if (latest is not null && latest.TreeSize >= size) return latest;

            var root = await ledger.RootAsync(size, cancellationToken);
            if (latest is { TreeSize: > 0 })
            {
                var proof = await ledger.ConsistencyProofAsync(latest.TreeSize, size, cancellationToken);
                try { ProofVerifier.VerifyConsistency(latest.TreeSize, size, latest.RootHash, root, proof); }
                catch (LedgerVerificationException ex)
                {
                    throw new LedgerIntegrityException($"Refusing to sign tree size {size}: it is not consistent with the checkpoint of size {latest.TreeSize} ({ex.Message}).");
                }
            }

            var signer = await keys.GetAsync(cancellationToken);
            var now = time.GetUtcNow();
            var checkpoint = new Checkpoint(options.Value.Origin, size, root, DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()));
            var note = signer.SignNote(checkpoint.ToNoteText()).ToString();
            await store.AddVerifierKeyAsync(signer.Verifier.VKey, now, cancellationToken);
            var stored = new StoredCheckpoint(size, root, checkpoint.Timestamp, note);
            // Another instance may have signed the same size first; either checkpoint is as good.
            return await store.AddCheckpointAsync(stored, cancellationToken) ? stored : (await store.GetLatestCheckpointAsync(cancellationToken))!;
        }
        finally
        {
            gate.Release();
        }
    }
}

/// <summary>Signs a checkpoint every <see cref="AuditTrailOptions.CheckpointInterval"/> when the log has grown.</summary>
public sealed partial class CheckpointWorker(Checkpointer checkpointer, IOptions<AuditTrailOptions> options, TimeProvider time, ILogger<CheckpointWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await checkpointer.EnsureLatestAsync(stoppingToken); }
            catch (Exception ex) when (ex is not OperationCanceledException) { LogCheckpointFailed(logger, ex.Message, ex); }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sign a checkpoint: {Reason}")]
    private static partial void LogCheckpointFailed(ILogger logger, string reason, Exception exception);
}
