using System.Text;
using Microsoft.Extensions.Options;
using Scorpius.Ledger.Bundles;
using Scorpius.Ledger.Entries;

namespace Scorpius.AuditTrail.Ledger;

/// <summary>The requested export is larger than <see cref="AuditTrailOptions.MaxBundleEntries"/>.</summary>
public sealed class BundleTooLargeException(string message) : Exception(message);

/// <summary>
/// Builds offline-verifiable bundles: the entries recorded in a time range, each with its inclusion proof against a
/// freshly ensured signed checkpoint, plus every earlier checkpoint with a consistency proof to it, and all of the
/// log's verifier keys (current and retired).
/// </summary>
public sealed class BundleExporter(AuditLedger ledger, Checkpointer checkpointer, IOptions<AuditTrailOptions> options, TimeProvider time)
{
    public async Task<LedgerBundle> ExportAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var store = ledger.Store;
        var checkpoint = await checkpointer.EnsureLatestAsync(cancellationToken);
        var limit = options.Value.MaxBundleEntries;
        var entries = await store.GetEntriesRecordedAsync(from, to, checkpoint.TreeSize, limit + 1, cancellationToken);
        if (entries.Count > limit)
            throw new BundleTooLargeException($"More than {limit} entries were recorded between {from:O} and {to:O}; export a shorter range.");

        var proofs = await ledger.InclusionProofsAsync(entries.Select(e => e.Index).ToList(), checkpoint.TreeSize, cancellationToken);
        var bundleEntries = entries.Select((e, i) =>
        {
            var format = LedgerEntry.Decode(e.Entry).PayloadFormat;
            return new BundleEntry(e.Index, Encoding.UTF8.GetString(e.Entry),
                e.Payload is null ? null : BundleEntry.EncodePayload(format, e.Payload),
                e.Salt is null ? null : Convert.ToBase64String(e.Salt),
                proofs[i].Select(Convert.ToBase64String).ToList());
        }).ToList();

        var consistency = new List<BundleConsistency>();
        foreach (var earlier in (await store.GetCheckpointsSignedAsync(from, to, cancellationToken)).Where(c => c.TreeSize > 0 && c.TreeSize < checkpoint.TreeSize))
        {
            var proof = await ledger.ConsistencyProofAsync(earlier.TreeSize, checkpoint.TreeSize, cancellationToken);
            consistency.Add(new BundleConsistency(earlier.Note, proof.Select(Convert.ToBase64String).ToList()));
        }

        return new LedgerBundle
        {
            Format = LedgerBundle.FormatV1,
            Origin = options.Value.Origin,
            ExportedAt = time.GetUtcNow(),
            From = from,
            To = to,
            Checkpoint = checkpoint.Note,
            VerifierKeys = await store.GetVerifierKeysAsync(cancellationToken),
            Entries = bundleEntries,
            Consistency = consistency,
        };
    }
}
