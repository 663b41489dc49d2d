using Scorpius.Ledger.Entries;
using Scorpius.Ledger.Merkle;

namespace Scorpius.AuditTrail.Storage;

/// <summary>One stored entry. <see cref="Payload"/> and <see cref="Salt"/> are null once the payload was erased.</summary>
public sealed record StoredEntry(long Index, string Source, string EventId, DateTimeOffset RecordedAt, byte[] Entry, byte[] LeafHash, byte[]? Salt, byte[]? Payload)
{
    public bool Redacted => Payload is null;
}

/// <summary>A signed checkpoint as stored: its tree size, root, signing time and the full signed note.</summary>
public sealed record StoredCheckpoint(long TreeSize, byte[] RootHash, DateTimeOffset Timestamp, string Note);

/// <summary>
/// Where the ledger lives: PostgreSQL in production, SQLite locally. Entries, tree nodes, checkpoints and keys are
/// append-only (the schema refuses UPDATE and DELETE); only a payload can be erased, by a redaction.
/// Appends go through <see cref="BeginAsync"/>: one writer at a time across every process sharing the store.
/// </summary>
public interface ILedgerStore : IAsyncDisposable
{
    /// <summary>Starts the exclusive append transaction; waits while another writer (any process) holds it.</summary>
    Task<ILedgerTransaction> BeginAsync(CancellationToken cancellationToken);

    Task<long> GetSizeAsync(CancellationToken cancellationToken);
    Task<StoredEntry?> GetEntryAsync(long index, CancellationToken cancellationToken);
    Task<IReadOnlyList<StoredEntry>> FindByEventIdAsync(string eventId, string? source, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="count"/> entries from <paramref name="fromIndex"/> on, by index.</summary>
    Task<IReadOnlyList<StoredEntry>> GetEntriesAsync(long fromIndex, int count, CancellationToken cancellationToken);

    /// <summary>Entries recorded in [<paramref name="from"/>, <paramref name="to"/>) below <paramref name="belowIndex"/>, by index; at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<StoredEntry>> GetEntriesRecordedAsync(DateTimeOffset from, DateTimeOffset to, long belowIndex, int limit, CancellationToken cancellationToken);

    /// <summary>The hashes of the given nodes that are stored (level 0 are leaf hashes); missing ones are absent.</summary>
    Task<IReadOnlyDictionary<NodeId, byte[]>> GetNodesAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken);

    Task<StoredCheckpoint?> GetLatestCheckpointAsync(CancellationToken cancellationToken);
    Task<StoredCheckpoint?> GetCheckpointAsync(long treeSize, CancellationToken cancellationToken);

    /// <summary>Every checkpoint, by tree size.</summary>
    Task<IReadOnlyList<StoredCheckpoint>> GetCheckpointsAsync(CancellationToken cancellationToken);

    /// <summary>The checkpoints signed in [<paramref name="from"/>, <paramref name="to"/>), by tree size.</summary>
    Task<IReadOnlyList<StoredCheckpoint>> GetCheckpointsSignedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Stores a checkpoint unless one for its tree size exists; true if stored.</summary>
    Task<bool> AddCheckpointAsync(StoredCheckpoint checkpoint, CancellationToken cancellationToken);

    Task AddVerifierKeyAsync(string vkey, DateTimeOffset firstUsed, CancellationToken cancellationToken);
    Task<IReadOnlyList<string>> GetVerifierKeysAsync(CancellationToken cancellationToken);
}

/// <summary>The exclusive append transaction. Nothing is visible to readers before <see cref="CommitAsync"/>; disposing without it rolls back.</summary>
public interface ILedgerTransaction : IAsyncDisposable
{
    /// <summary>The committed tree size when the transaction began.</summary>
    long Size { get; }

    /// <summary>The indexes of those events that are already in the ledger.</summary>
    Task<IReadOnlyDictionary<EventKey, long>> FindAsync(IReadOnlyCollection<EventKey> keys, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<NodeId, byte[]>> GetNodesAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken);

    /// <summary>Writes entries at consecutive indexes from <see cref="Size"/>, the interior nodes they complete, and the new size.</summary>
    Task AppendAsync(IReadOnlyList<SealedEntry> entries, IReadOnlyList<TreeNode> interiorNodes, CancellationToken cancellationToken);

    /// <summary>Erases the payload and salt of an entry; the entry and its leaf hash stay.</summary>
    Task ErasePayloadAsync(long index, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}
