using System.Text.Json;
using Scorpius.AuditTrail.Storage;
using Scorpius.Contracts;
using Scorpius.Ledger.Canonical;
using Scorpius.Ledger.Entries;
using Scorpius.Ledger.Merkle;

namespace Scorpius.AuditTrail.Ledger;

/// <summary>Where an entry ended up: its index, and whether this call appended it or found it already recorded.</summary>
public readonly record struct AppendResult(long Index, bool Appended);

/// <summary>A redaction: the index whose payload was erased and the index of the entry that records the erasure.</summary>
public sealed record RedactionResult(long RedactedIndex, long RedactionIndex, bool Appended);

/// <summary>The request is about an index or size the ledger does not have.</summary>
public sealed class LedgerRangeException(string message) : Exception(message);

/// <summary>
/// The ledger's operations over any <see cref="ILedgerStore"/>: batched, idempotent appends in one transaction;
/// GDPR redaction; tree roots and proofs from the stored nodes.
/// </summary>
public sealed class AuditLedger(ILedgerStore store, TimeProvider time)
{
    public ILedgerStore Store => store;

    /// <summary>
    /// Appends a batch in one transaction. An event already in the ledger (same source and id), or repeated within the
    /// batch, is not appended again: its result names the existing index.
    /// </summary>
    public async Task<IReadOnlyList<AppendResult>> AppendAsync(IReadOnlyList<PendingEntry> batch, CancellationToken cancellationToken)
    {
        await using var transaction = await store.BeginAsync(cancellationToken);
        var results = await AppendInAsync(transaction, batch, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return results;
    }

    /// <summary>
    /// Erases the payload of entry <paramref name="index"/> and, in the same transaction, appends a redaction entry that
    /// records who asked and why. The erased entry's leaf (and so every proof) is unchanged. Redacting twice is a no-op.
    /// </summary>
    public async Task<RedactionResult> RedactAsync(long index, string reason, string requestedBy, CancellationToken cancellationToken, string? tenant = null)
    {
        var details = JsonSerializer.SerializeToUtf8Bytes(new { index, reason, requestedBy });
        // The redaction record belongs to the tenant of the erased entry, so that tenant can see who erased what and why.
        var redaction = new PendingEntry(EntryKinds.Redaction, ScorpiusApps.AuditTrailId, $"redaction:{index}", null, null,
            JsonCanonicalizer.Canonicalize(details), PayloadFormats.Rfc8785, Redacts: index, Tenant: tenant);

        await using var transaction = await store.BeginAsync(cancellationToken);
        if (index < 0 || index >= transaction.Size) throw new LedgerRangeException($"The ledger has no entry {index} (size {transaction.Size}).");
        var result = (await AppendInAsync(transaction, [redaction], cancellationToken))[0];
        if (result.Appended) await transaction.ErasePayloadAsync(index, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RedactionResult(index, result.Index, result.Appended);
    }

    private async Task<IReadOnlyList<AppendResult>> AppendInAsync(ILedgerTransaction transaction, IReadOnlyList<PendingEntry> batch, CancellationToken cancellationToken)
    {
        var known = new Dictionary<EventKey, long>(await transaction.FindAsync(batch.Select(e => e.Key).ToHashSet(), cancellationToken));
        var edge = MerkleMath.Decompose(new LeafRange(0, transaction.Size));
        var edgeHashes = await transaction.GetNodesAsync(edge, cancellationToken);
        var tree = new CompactRange(transaction.Size, edge.Select(id => edgeHashes.TryGetValue(id, out var h) ? h
            : throw new InvalidOperationException($"The stored tree lacks its edge node {id}.")).ToList());

        var recordedAt = time.GetUtcNow();
        var sealedEntries = new List<SealedEntry>();
        var nodes = new List<TreeNode>();
        var results = new AppendResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            if (known.TryGetValue(batch[i].Key, out var existing))
            {
                results[i] = new AppendResult(existing, false);
                continue;
            }
            var entry = batch[i].Seal(recordedAt);
            var index = tree.Size;
            nodes.AddRange(tree.Append(entry.LeafHash).Where(n => n.Id.Level > 0));
            sealedEntries.Add(entry);
            known[batch[i].Key] = index;
            results[i] = new AppendResult(index, true);
        }
        if (sealedEntries.Count > 0) await transaction.AppendAsync(sealedEntries, nodes, cancellationToken);
        return results;
    }

    /// <summary>The root hash of the tree of the first <paramref name="size"/> entries, from stored nodes.</summary>
    public async Task<byte[]> RootAsync(long size, CancellationToken cancellationToken) =>
        (await ResolveAsync([new LeafRange(0, size)], cancellationToken))[0];

    public async Task<byte[][]> InclusionProofAsync(long index, long size, CancellationToken cancellationToken)
    {
        await RequireSizeAsync(size, cancellationToken);
        if (index < 0 || index >= size) throw new LedgerRangeException($"Entry {index} is not in a tree of size {size}.");
        return await ResolveAsync(MerkleMath.InclusionRanges(index, size), cancellationToken);
    }

    public async Task<byte[][]> ConsistencyProofAsync(long first, long second, CancellationToken cancellationToken)
    {
        await RequireSizeAsync(second, cancellationToken);
        if (first <= 0 || first > second) throw new LedgerRangeException($"No consistency proof exists from tree size {first} to {second}: sizes must satisfy 0 < first ≤ second.");
        return await ResolveAsync(MerkleMath.ConsistencyRanges(first, second), cancellationToken);
    }

    /// <summary>The inclusion proofs of many entries in one tree, with one read of the nodes they share.</summary>
    public async Task<IReadOnlyList<byte[][]>> InclusionProofsAsync(IReadOnlyList<long> indexes, long size, CancellationToken cancellationToken)
    {
        var ranges = indexes.Select(i => MerkleMath.InclusionRanges(i, size)).ToList();
        var nodes = await ReadNodesAsync(ranges.SelectMany(r => r), cancellationToken);
        return ranges.Select(r => MerkleMath.Resolve(r, nodes)).ToList();
    }

    private async Task RequireSizeAsync(long size, CancellationToken cancellationToken)
    {
        var current = await store.GetSizeAsync(cancellationToken);
        if (size < 0 || size > current) throw new LedgerRangeException($"Tree size {size} is beyond the ledger's size {current}.");
    }

    private async Task<byte[][]> ResolveAsync(IReadOnlyList<LeafRange> ranges, CancellationToken cancellationToken) =>
        MerkleMath.Resolve(ranges, await ReadNodesAsync(ranges, cancellationToken));

    private async Task<IReadOnlyDictionary<NodeId, byte[]>> ReadNodesAsync(IEnumerable<LeafRange> ranges, CancellationToken cancellationToken)
    {
        var ids = ranges.SelectMany(MerkleMath.Decompose).ToHashSet();
        var nodes = await store.GetNodesAsync(ids, cancellationToken);
        if (nodes.Count < ids.Count)
        {
            var missing = ids.First(id => !nodes.ContainsKey(id));
            throw new LedgerIntegrityException($"The stored tree lacks {missing}.", missing.FirstLeaf);
        }
        return nodes;
    }
}

/// <summary>The stored ledger contradicts itself; <see cref="FirstBadIndex"/> names the first entry involved, when known.</summary>
public sealed class LedgerIntegrityException(string message, long? firstBadIndex = null) : Exception(message)
{
    public long? FirstBadIndex { get; } = firstBadIndex;
}
