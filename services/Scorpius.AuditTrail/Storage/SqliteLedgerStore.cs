using Microsoft.Data.Sqlite;
using Scorpius.Ledger.Entries;
using Scorpius.Ledger.Merkle;

namespace Scorpius.AuditTrail.Storage;

/// <summary>
/// The ledger in one SQLite file: the embedded default for local runs. Appends take SQLite's write lock with
/// BEGIN IMMEDIATE, so processes sharing the file append one at a time; WAL with synchronous=FULL makes a commit
/// durable before it is acknowledged, and secure_delete overwrites an erased payload. Triggers refuse UPDATE and DELETE on entries, nodes, checkpoints and keys.
/// </summary>
public sealed class SqliteLedgerStore(string path) : ILedgerStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS ledger_head (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL CHECK (size >= 0));
        INSERT OR IGNORE INTO ledger_head (id, size) VALUES (1, 0);
        CREATE TABLE IF NOT EXISTS ledger_entries (
            idx INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            event_id TEXT NOT NULL,
            recorded_at INTEGER NOT NULL,
            entry BLOB NOT NULL,
            leaf_hash BLOB NOT NULL,
            UNIQUE (event_id, source));
        CREATE INDEX IF NOT EXISTS ledger_entries_recorded_at ON ledger_entries (recorded_at);
        CREATE TABLE IF NOT EXISTS ledger_payloads (idx INTEGER PRIMARY KEY, salt BLOB NOT NULL, payload BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS ledger_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS ledger_checkpoints (tree_size INTEGER PRIMARY KEY, root_hash BLOB NOT NULL, signed_at INTEGER NOT NULL, note TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS ledger_keys (vkey TEXT PRIMARY KEY, first_used INTEGER NOT NULL);
        CREATE TRIGGER IF NOT EXISTS ledger_entries_no_update BEFORE UPDATE ON ledger_entries BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: UPDATE on ledger_entries is refused'); END;
        CREATE TRIGGER IF NOT EXISTS ledger_entries_no_delete BEFORE DELETE ON ledger_entries BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: DELETE on ledger_entries is refused'); END;
        CREATE TRIGGER IF NOT EXISTS ledger_nodes_no_update BEFORE UPDATE ON ledger_nodes BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: UPDATE on ledger_nodes is refused'); END;
        CREATE TRIGGER IF NOT EXISTS ledger_nodes_no_delete BEFORE DELETE ON ledger_nodes BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: DELETE on ledger_nodes is refused'); END;
        CREATE TRIGGER IF NOT EXISTS ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: UPDATE on ledger_checkpoints is refused'); END;
        CREATE TRIGGER IF NOT EXISTS ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: DELETE on ledger_checkpoints is refused'); END;
        CREATE TRIGGER IF NOT EXISTS ledger_keys_no_update BEFORE UPDATE ON ledger_keys BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: UPDATE on ledger_keys is refused'); END;
        CREATE TRIGGER IF NOT EXISTS ledger_keys_no_delete BEFORE DELETE ON ledger_keys BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: DELETE on ledger_keys is refused'); END;
        CREATE TRIGGER IF NOT EXISTS ledger_payloads_no_update BEFORE UPDATE ON ledger_payloads BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: UPDATE on ledger_payloads is refused'); END;
        """;

    private const string EntryColumns = "e.idx, e.source, e.event_id, e.recorded_at, e.entry, e.leaf_hash, p.salt, p.payload";
    private const string EntryFrom = "ledger_entries e LEFT JOIN ledger_payloads p ON p.idx = e.idx";
    private readonly string connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 60, Pooling = true }.ToString();
    private readonly Once initialization = new();

    public string Path { get; } = path;

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await initialization.RunAsync(async () =>
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
            await using var connection = await OpenRawAsync(cancellationToken);
            await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, Schema, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        return await OpenRawAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        // FULL: a commit is on disk before it is acknowledged. secure_delete: an erased (redacted) payload is overwritten, not just unlinked.
        await ExecuteAsync(connection, null, "PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;", cancellationToken);
        return connection;
    }

    public async Task<ILedgerTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        try
        {
            // Not deferred: BEGIN IMMEDIATE takes the database's write lock now, so writers in any process queue here.
            var transaction = connection.BeginTransaction(deferred: false);
            await using var command = Command(connection, transaction, "SELECT size FROM ledger_head WHERE id = 1");
            var size = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            return new Transaction(connection, transaction, size);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<long> GetSizeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT size FROM ledger_head WHERE id = 1");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<StoredEntry?> GetEntryAsync(long index, CancellationToken cancellationToken) =>
        (await QueryEntriesAsync($"SELECT {EntryColumns} FROM {EntryFrom} WHERE e.idx = $a", cancellationToken, index)).SingleOrDefault();

    public async Task<IReadOnlyList<StoredEntry>> FindByEventIdAsync(string eventId, string? source, CancellationToken cancellationToken) =>
        source is null
            ? await QueryEntriesAsync($"SELECT {EntryColumns} FROM {EntryFrom} WHERE e.event_id = $a ORDER BY e.idx", cancellationToken, eventId)
            : await QueryEntriesAsync($"SELECT {EntryColumns} FROM {EntryFrom} WHERE e.event_id = $a AND e.source = $b", cancellationToken, eventId, source);

    public Task<IReadOnlyList<StoredEntry>> GetEntriesAsync(long fromIndex, int count, CancellationToken cancellationToken) =>
        QueryEntriesAsync($"SELECT {EntryColumns} FROM {EntryFrom} WHERE e.idx >= $a ORDER BY e.idx LIMIT $b", cancellationToken, fromIndex, count);

    public Task<IReadOnlyList<StoredEntry>> GetEntriesRecordedAsync(DateTimeOffset from, DateTimeOffset to, long belowIndex, int limit, CancellationToken cancellationToken) =>
        QueryEntriesAsync($"SELECT {EntryColumns} FROM {EntryFrom} WHERE e.recorded_at >= $a AND e.recorded_at < $b AND e.idx < $c ORDER BY e.idx LIMIT $d",
            cancellationToken, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), belowIndex, limit);

    public async Task<IReadOnlyDictionary<NodeId, byte[]>> GetNodesAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadNodesAsync(connection, null, ids, cancellationToken);
    }

    public async Task<StoredCheckpoint?> GetLatestCheckpointAsync(CancellationToken cancellationToken) =>
        (await QueryCheckpointsAsync("SELECT tree_size, root_hash, signed_at, note FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1", cancellationToken)).SingleOrDefault();

    public async Task<StoredCheckpoint?> GetCheckpointAsync(long treeSize, CancellationToken cancellationToken) =>
        (await QueryCheckpointsAsync("SELECT tree_size, root_hash, signed_at, note FROM ledger_checkpoints WHERE tree_size = $a", cancellationToken, treeSize)).SingleOrDefault();

    public Task<IReadOnlyList<StoredCheckpoint>> GetCheckpointsAsync(CancellationToken cancellationToken) =>
        QueryCheckpointsAsync("SELECT tree_size, root_hash, signed_at, note FROM ledger_checkpoints ORDER BY tree_size", cancellationToken);

    public Task<IReadOnlyList<StoredCheckpoint>> GetCheckpointsSignedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        QueryCheckpointsAsync("SELECT tree_size, root_hash, signed_at, note FROM ledger_checkpoints WHERE signed_at >= $a AND signed_at < $b ORDER BY tree_size",
            cancellationToken, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());

    public async Task<bool> AddCheckpointAsync(StoredCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "INSERT OR IGNORE INTO ledger_checkpoints (tree_size, root_hash, signed_at, note) VALUES ($a, $b, $c, $d)",
            checkpoint.TreeSize, checkpoint.RootHash, checkpoint.Timestamp.ToUnixTimeMilliseconds(), checkpoint.Note);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task AddVerifierKeyAsync(string vkey, DateTimeOffset firstUsed, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "INSERT OR IGNORE INTO ledger_keys (vkey, first_used) VALUES ($a, $b)", vkey, firstUsed.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> GetVerifierKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT vkey FROM ledger_keys ORDER BY first_used, vkey");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<string>();
        while (await reader.ReadAsync(cancellationToken)) keys.Add(reader.GetString(0));
        return keys;
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private async Task<IReadOnlyList<StoredEntry>> QueryEntriesAsync(string sql, CancellationToken cancellationToken, params object[] args)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql, args);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<StoredEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new StoredEntry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), (byte[])reader[4], (byte[])reader[5],
                reader.IsDBNull(6) ? null : (byte[])reader[6], reader.IsDBNull(7) ? null : (byte[])reader[7]));
        }
        return entries;
    }

    private async Task<IReadOnlyList<StoredCheckpoint>> QueryCheckpointsAsync(string sql, CancellationToken cancellationToken, params object[] args)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql, args);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var checkpoints = new List<StoredCheckpoint>();
        while (await reader.ReadAsync(cancellationToken))
            checkpoints.Add(new StoredCheckpoint(reader.GetInt64(0), (byte[])reader[1], DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3)));
        return checkpoints;
    }

    private static async Task<IReadOnlyDictionary<NodeId, byte[]>> ReadNodesAsync(
        SqliteConnection connection, SqliteTransaction? transaction, IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken)
    {
        var found = new Dictionary<NodeId, byte[]>(ids.Count);
        await using var leaf = Command(connection, transaction, "SELECT leaf_hash FROM ledger_entries WHERE idx = $a", 0L);
        await using var node = Command(connection, transaction, "SELECT hash FROM ledger_nodes WHERE level = $a AND idx = $b", 0L, 0L);
        foreach (var id in ids.Distinct())
        {
            var command = id.Level == 0 ? leaf : node;
            if (id.Level == 0) command.Parameters[0].Value = id.Index;
            else { command.Parameters[0].Value = id.Level; command.Parameters[1].Value = id.Index; }
            if (await command.ExecuteScalarAsync(cancellationToken) is byte[] hash) found[id] = hash;
        }
        return found;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params object[] args)
    {
        var command = new SqliteCommand(sql, connection, transaction);
        for (var i = 0; i < args.Length; i++) command.Parameters.AddWithValue("$" + (char)('a' + i), args[i]);
        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed class Transaction(SqliteConnection connection, SqliteTransaction transaction, long size) : ILedgerTransaction
    {
        public long Size { get; } = size;

        public async Task<IReadOnlyDictionary<EventKey, long>> FindAsync(IReadOnlyCollection<EventKey> keys, CancellationToken cancellationToken)
        {
            var found = new Dictionary<EventKey, long>();
            await using var command = Command(connection, transaction, "SELECT idx FROM ledger_entries WHERE source = $a AND event_id = $b", "", "");
            foreach (var key in keys)
            {
                command.Parameters[0].Value = key.Source;
                command.Parameters[1].Value = key.EventId;
                if (await command.ExecuteScalarAsync(cancellationToken) is long index) found[key] = index;
            }
            return found;
        }

        public Task<IReadOnlyDictionary<NodeId, byte[]>> GetNodesAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken) =>
            ReadNodesAsync(connection, transaction, ids, cancellationToken);

        public async Task AppendAsync(IReadOnlyList<SealedEntry> entries, IReadOnlyList<TreeNode> interiorNodes, CancellationToken cancellationToken)
        {
            await using var entry = Command(connection, transaction,
                "INSERT INTO ledger_entries (idx, source, event_id, recorded_at, entry, leaf_hash) VALUES ($a, $b, $c, $d, $e, $f)", 0L, "", "", 0L, Array.Empty<byte>(), Array.Empty<byte>());
            await using var payload = Command(connection, transaction, "INSERT INTO ledger_payloads (idx, salt, payload) VALUES ($a, $b, $c)", 0L, Array.Empty<byte>(), Array.Empty<byte>());
            for (var i = 0; i < entries.Count; i++)
            {
                var e = entries[i];
                Set(entry, Size + i, e.Header.Source, e.Header.EventId, e.Header.RecordedAt.ToUnixTimeMilliseconds(), e.Entry, e.LeafHash);
                await entry.ExecuteNonQueryAsync(cancellationToken);
                Set(payload, Size + i, e.Salt, e.Payload);
                await payload.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var node = Command(connection, transaction, "INSERT INTO ledger_nodes (level, idx, hash) VALUES ($a, $b, $c)", 0L, 0L, Array.Empty<byte>());
            foreach (var n in interiorNodes)
            {
                Set(node, (long)n.Id.Level, n.Id.Index, n.Hash);
                await node.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var head = Command(connection, transaction, "UPDATE ledger_head SET size = $a WHERE id = 1 AND size = $b", Size + entries.Count, Size);
            if (await head.ExecuteNonQueryAsync(cancellationToken) != 1) throw new InvalidOperationException("The ledger head moved during an exclusive append.");
        }

        public async Task ErasePayloadAsync(long index, CancellationToken cancellationToken)
        {
            await using var command = Command(connection, transaction, "DELETE FROM ledger_payloads WHERE idx = $a", index);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }

        private static void Set(SqliteCommand command, params object[] values)
        {
            for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
        }
    }
}
