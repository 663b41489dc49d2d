using Microsoft.Extensions.Options;
using Scorpius.AuditTrail.Ledger;
using Scorpius.AuditTrail.Storage;
using Scorpius.Ledger.Entries;
using Scorpius.Ledger.Merkle;
using Scorpius.Ledger.Notes;

namespace Scorpius.AuditTrail.Verification;

/// <summary>The outcome of a full verification. <see cref="FirstBadIndex"/> is the first entry involved in the first problem, when one is.</summary>
public sealed record VerificationReport(bool Consistent, long TreeSize, int CheckpointsChecked, long? FirstBadIndex, string? Problem, DateTimeOffset CheckedAt);

/// <summary>
/// Recomputes the whole tree from the stored entries and checks everything the ledger stores against it: each entry's
/// canonical form, leaf hash and payload commitment; every stored interior node; every checkpoint's signature (with
/// the stored verifier keys) and root; and that no entry is missing. Stops at the first problem.
/// </summary>
public sealed class LedgerVerifier(ILedgerStore store, IOptions<AuditTrailOptions> options, TimeProvider time)
{
    private const int Chunk = 2000;

    public async Task<VerificationReport> VerifyAsync(CancellationToken cancellationToken)
    {
        var size = await store.GetSizeAsync(cancellationToken);
        var checkpoints = await store.GetCheckpointsAsync(cancellationToken);
        try
        {
            var keys = (await store.GetVerifierKeysAsync(cancellationToken)).Select(ParseKey).ToList();
            var signed = checkpoints.Select(c => (Stored: c, Parsed: CheckSignature(c, keys))).ToList();
            var next = 0;
            var tree = new CompactRange(0, []);
            var roots = new List<(StoredCheckpoint Stored, Checkpoint Signed, byte[] Root)>();
            RootsAt(tree, signed, ref next, roots);
            CheckRoots(roots);
            while (tree.Size < size)
            {
                var entries = await store.GetEntriesAsync(tree.Size, Chunk, cancellationToken);
                if (entries.Count == 0 || entries[0].Index != tree.Size)
                    throw new LedgerIntegrityException($"entry {tree.Size} is missing (the ledger head says {size} entries)", tree.Size);
                var computed = new List<TreeNode>();
                foreach (var entry in entries)
                {
                    if (entry.Index != tree.Size) throw new LedgerIntegrityException($"entry {tree.Size} is missing", tree.Size);
                    CheckEntry(entry);
                    computed.AddRange(tree.Append(entry.LeafHash).Where(n => n.Id.Level > 0));
                    RootsAt(tree, signed, ref next, roots);
                }
                // Stored nodes first: a wrong node names its entries, a wrong checkpoint root cannot.
                await CheckNodesAsync(computed, cancellationToken);
                CheckRoots(roots);
            }
            if (next < signed.Count)
            {
                var beyond = signed[next].Stored;
                throw new LedgerIntegrityException($"checkpoint of tree size {beyond.TreeSize} is beyond the stored ledger of {size} entries: entries were removed", size);
            }
            return new VerificationReport(true, size, checkpoints.Count, null, null, time.GetUtcNow());
        }
        catch (LedgerIntegrityException ex)
        {
            return new VerificationReport(false, size, checkpoints.Count, ex.FirstBadIndex, ex.Message, time.GetUtcNow());
        }
    }

    private static void CheckEntry(StoredEntry entry)
    {
        var i = entry.Index;
        if (!MerkleHash.Leaf(entry.Entry).AsSpan().SequenceEqual(entry.LeafHash))
            throw new LedgerIntegrityException($"entry {i}: the stored leaf hash is not the hash of the stored entry", i);
        try
        {
            var header = LedgerEntry.Decode(entry.Entry);
            if (header.Source != entry.Source || header.EventId != entry.EventId)
                throw new LedgerIntegrityException($"entry {i}: its indexed source and id are not the entry's", i);
            if (entry.Payload is not null) header.VerifyPayload(entry.Payload, entry.Salt ?? []);
        }
        catch (LedgerVerificationException ex)
        {
            throw new LedgerIntegrityException($"entry {i}: {ex.Message}", i);
        }
    }

    private async Task CheckNodesAsync(List<TreeNode> computed, CancellationToken cancellationToken)
    {
        var stored = await store.GetNodesAsync(computed.Select(n => n.Id).ToList(), cancellationToken);
        foreach (var node in computed)
        {
            var last = node.Id.FirstLeaf + node.Id.LeafCount - 1;
            if (!stored.TryGetValue(node.Id, out var hash))
                throw new LedgerIntegrityException($"tree node {node.Id} over entries {node.Id.FirstLeaf}..{last} is missing", node.Id.FirstLeaf);
            if (!hash.AsSpan().SequenceEqual(node.Hash))
                throw new LedgerIntegrityException($"tree node {node.Id} over entries {node.Id.FirstLeaf}..{last} is not the hash of those entries", node.Id.FirstLeaf);
        }
    }

    private static void RootsAt(CompactRange tree, List<(StoredCheckpoint Stored, Checkpoint Parsed)> signed, ref int next,
        List<(StoredCheckpoint, Checkpoint, byte[])> roots)
    {
        while (next < signed.Count && signed[next].Stored.TreeSize == tree.Size)
        {
            var (stored, parsed) = signed[next++];
            roots.Add((stored, parsed, tree.Root()));
        }
    }

    private static void CheckRoots(List<(StoredCheckpoint Stored, Checkpoint Signed, byte[] Root)> roots)
    {
        foreach (var (stored, parsed, root) in roots)
        {
            if (!parsed.RootHash.AsSpan().SequenceEqual(root) || !stored.RootHash.AsSpan().SequenceEqual(root))
                throw new LedgerIntegrityException(
                    $"checkpoint of tree size {stored.TreeSize}: its signed root is not the root recomputed from the stored entries 0..{stored.TreeSize - 1}");
        }
        roots.Clear();
    }

    private Checkpoint CheckSignature(StoredCheckpoint stored, IReadOnlyCollection<NoteVerifierKey> keys)
    {
        try
        {
            var (parsed, _) = Checkpoint.Verify(stored.Note, keys);
            if (parsed.Size != stored.TreeSize || parsed.Origin != options.Value.Origin)
                throw new LedgerVerificationException($"the signed note says origin \"{parsed.Origin}\" and size {parsed.Size}");
            return parsed;
        }
        catch (LedgerVerificationException ex)
        {
            throw new LedgerIntegrityException($"checkpoint of tree size {stored.TreeSize}: {ex.Message}");
        }
    }

    private static NoteVerifierKey ParseKey(string vkey)
    {
        try { return NoteVerifierKey.Parse(vkey); }
        catch (LedgerVerificationException ex) { throw new LedgerIntegrityException($"stored {ex.Message}"); }
    }
}
