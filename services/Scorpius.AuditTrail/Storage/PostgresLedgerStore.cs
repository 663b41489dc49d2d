using Npgsql;
using NpgsqlTypes;
using Scorpius.Ledger.Entries;
using Scorpius.Ledger.Merkle;

namespace Scorpius.AuditTrail.Storage;

/// <summary>
/// The ledger in PostgreSQL. Writers serialise on the single row of <c>ledger_head</c> (SELECT … FOR UPDATE), so
/// any number of audit-trail instances append in one total order without gaps; a batch is written with binary COPY
/// in that transaction. Triggers refuse UPDATE, DELETE and TRUNCATE on entries, nodes, checkpoints and keys.
/// </summary>
public sealed class PostgresLedgerStore(NpgsqlDataSource dataSource) : ILedgerStore
{
    private const string Schema = """
        SELECT pg_advisory_xact_lock(7373210042);
        CREATE TABLE IF NOT EXISTS ledger_head (id int PRIMARY KEY CHECK (id = 1), size bigint NOT NULL CHECK (size >= 0));
        INSERT INTO ledger_head (id, size) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
        CREATE TABLE IF NOT EXISTS ledger_entries (
            idx bigint PRIMARY KEY,
            source text NOT NULL,
            event_id text NOT NULL,
            recorded_at timestamptz NOT NULL,
            entry bytea NOT NULL,
            leaf_hash bytea NOT NULL,
            UNIQUE (event_id, source));
        -- BRIN: recorded_at grows with idx, so block-range summaries find a time range at almost no insert cost.
        CREATE INDEX IF NOT EXISTS ledger_entries_recorded_at ON ledger_entries USING brin (recorded_at);
        CREATE TABLE IF NOT EXISTS ledger_payloads (idx bigint PRIMARY KEY, salt bytea NOT NULL, payload bytea NOT NULL);
        CREATE TABLE IF NOT EXISTS ledger_nodes (level int NOT NULL, idx bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, idx));
        CREATE TABLE IF NOT EXISTS ledger_checkpoints (tree_size bigint PRIMARY KEY, root_hash bytea NOT NULL, signed_at timestamptz NOT NULL, note text NOT NULL);
        CREATE TABLE IF NOT EXISTS ledger_keys (vkey text PRIMARY KEY, first_used timestamptz NOT NULL);
        CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the audit ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME; END $$;
        CREATE OR REPLACE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
        CREATE OR REPLACE TRIGGER ledger_nodes_append_only BEFORE UPDATE OR DELETE ON ledger_nodes FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
        CREATE OR REPLACE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
        CREATE OR REPLACE TRIGGER ledger_keys_append_only BEFORE UPDATE OR DELETE ON ledger_keys FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
        CREATE OR REPLACE TRIGGER ledger_payloads_no_update BEFORE UPDATE ON ledger_payloads FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
        CREATE OR REPLACE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
        CREATE OR REPLACE TRIGGER ledger_nodes_no_truncate BEFORE TRUNCATE ON ledger_nodes FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
        CREATE OR REPLACE TRIGGER ledger_payloads_no_truncate BEFORE TRUNCATE ON ledger_payloads FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
        CREATE OR REPLACE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
        REVOKE UPDATE, DELETE, TRUNCATE ON ledger_entries, ledger_nodes, ledger_checkpoints, ledger_keys FROM PUBLIC;
        """;

    private const string EntryColumns = "e.idx, e.source, e.event_id, e.recorded_at, e.entry, e.leaf_hash, p.salt, p.payload";
    private const string EntryFrom = "ledger_entries e LEFT JOIN ledger_payloads p ON p.idx = e.idx";
    private readonly Once initialization = new();

    private Task ReadyAsync(CancellationToken cancellationToken) => initialization.RunAsync(async () =>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(Schema, connection, transaction)) await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    });

    public async Task<ILedgerTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        await ReadyAsync(cancellationToken);
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT size FROM ledger_head WHERE id = 1 FOR UPDATE", connection, transaction);
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
        await ReadyAsync(cancellationToken);
        await using var command = dataSource.CreateCommand("SELECT size FROM ledger_head WHERE id = 1");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<StoredEntry?> GetEntryAsync(long index, CancellationToken cancellationToken) =>
        (await QueryEntriesAsync($"SELECT {EntryColumns} FROM {EntryFrom} WHERE e.idx = $1", cancellationToken, index)).SingleOrDefault();

    public async Task<IReadOnlyList<StoredEntry>> FindByEventIdAsync(string eventId, string? source, CancellationToken cancellationToken) =>
        source is null
            ? await QueryEntriesAsync($"SELECT {EntryColumns} FROM {EntryFrom} WHERE e.event_id = $1 ORDER BY e.idx", cancellationToken, eventId)
            : await QueryEntriesAsync($"SELECT {EntryColumns} FROM {EntryFrom} WHERE e.event_id = $1 AND e.source = $2", cancellationToken, eventId, source);

    public Task<IReadOnlyList<StoredEntry>> GetEntriesAsync(long fromIndex, int count, CancellationToken cancellationToken) =>
        QueryEntriesAsync($"SELECT {EntryColumns} FROM {EntryFrom} WHERE e.idx >= $1 ORDER BY e.idx LIMIT $2", cancellationToken, fromIndex, count);

    public Task<IReadOnlyList<StoredEntry>> GetEntriesRecordedAsync(DateTimeOffset from, DateTimeOffset to, long belowIndex, int limit, CancellationToken cancellationToken) =>
        QueryEntriesAsync($"SELECT {EntryColumns} FROM {EntryFrom} WHERE e.recorded_at >= $1 AND e.recorded_at < $2 AND e.idx < $3 ORDER BY e.idx LIMIT $4",
            cancellationToken, from.UtcDateTime, to.UtcDateTime, belowIndex, limit);

    public async Task<IReadOnlyDictionary<NodeId, byte[]>> GetNodesAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken)
    {
        await ReadyAsync(cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadNodesAsync(connection, null, ids, cancellationToken);
    }

    public async Task<StoredCheckpoint?> GetLatestCheckpointAsync(CancellationToken cancellationToken) =>
        (await QueryCheckpointsAsync("SELECT tree_size, root_hash, signed_at, note FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1", cancellationToken)).SingleOrDefault();

    public async Task<StoredCheckpoint?> GetCheckpointAsync(long treeSize, CancellationToken cancellationToken) =>
        (await QueryCheckpointsAsync("SELECT tree_size, root_hash, signed_at, note FROM ledger_checkpoints WHERE tree_size = $1", cancellationToken, treeSize)).SingleOrDefault();

    public Task<IReadOnlyList<StoredCheckpoint>> GetCheckpointsAsync(CancellationToken cancellationToken) =>
        QueryCheckpointsAsync("SELECT tree_size, root_hash, signed_at, note FROM ledger_checkpoints ORDER BY tree_size", cancellationToken);

    public Task<IReadOnlyList<StoredCheckpoint>> GetCheckpointsSignedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        QueryCheckpointsAsync("SELECT tree_size, root_hash, signed_at, note FROM ledger_checkpoints WHERE signed_at >= $1 AND signed_at < $2 ORDER BY tree_size",
            cancellationToken, from.UtcDateTime, to.UtcDateTime);

    public async Task<bool> AddCheckpointAsync(StoredCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        await ReadyAsync(cancellationToken);
        await using var command = dataSource.CreateCommand(
            "INSERT INTO ledger_checkpoints (tree_size, root_hash, signed_at, note) VALUES ($1, $2, $3, $4) ON CONFLICT (tree_size) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = checkpoint.TreeSize });
        command.Parameters.Add(new NpgsqlParameter { Value = checkpoint.RootHash });
        command.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Timestamp.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = checkpoint.Note });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task AddVerifierKeyAsync(string vkey, DateTimeOffset firstUsed, CancellationToken cancellationToken)
    {
        await ReadyAsync(cancellationToken);
        await using var command = dataSource.CreateCommand("INSERT INTO ledger_keys (vkey, first_used) VALUES ($1, $2) ON CONFLICT (vkey) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = vkey });
        command.Parameters.Add(new NpgsqlParameter { Value = firstUsed.UtcDateTime });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> GetVerifierKeysAsync(CancellationToken cancellationToken)
    {
        await ReadyAsync(cancellationToken);
        await using var command = dataSource.CreateCommand("SELECT vkey FROM ledger_keys ORDER BY first_used, vkey");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<string>();
        while (await reader.ReadAsync(cancellationToken)) keys.Add(reader.GetString(0));
        return keys;
    }

    /// <summary>Disposes the data source: the store owns it.</summary>
    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    private async Task<IReadOnlyList<StoredEntry>> QueryEntriesAsync(string sql, CancellationToken cancellationToken, params object[] args)
    {
        await ReadyAsync(cancellationToken);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var arg in args) command.Parameters.Add(new NpgsqlParameter { Value = arg });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<StoredEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new StoredEntry(reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero), (byte[])reader[4], (byte[])reader[5],
                reader.IsDBNull(6) ? null : (byte[])reader[6], reader.IsDBNull(7) ? null : (byte[])reader[7]));
        }
        return entries;
    }

    private async Task<IReadOnlyList<StoredCheckpoint>> QueryCheckpointsAsync(string sql, CancellationToken cancellationToken, params object[] args)
    {
        await ReadyAsync(cancellationToken);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var arg in args) command.Parameters.Add(new NpgsqlParameter { Value = arg });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var checkpoints = new List<StoredCheckpoint>();
        while (await reader.ReadAsync(cancellationToken))
            checkpoints.Add(new StoredCheckpoint(reader.GetInt64(0), (byte[])reader[1], new DateTimeOffset(reader.GetDateTime(2), TimeSpan.Zero), reader.GetString(3)));
        return checkpoints;
    }

    private static async Task<IReadOnlyDictionary<NodeId, byte[]>> ReadNodesAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken)
    {
        var found = new Dictionary<NodeId, byte[]>(ids.Count);
        if (ids.Count == 0) return found;
        var distinct = ids.Distinct().ToArray();
        // One round trip: level 0 is the leaf hash kept with the entry, higher levels are in ledger_nodes.
        await using var command = new NpgsqlCommand("""
            SELECT 0, e.idx, e.leaf_hash FROM ledger_entries e WHERE e.idx = ANY($1)
            UNION ALL
            SELECT n.level, n.idx, n.hash FROM ledger_nodes n JOIN unnest($2::int[], $3::bigint[]) AS k(level, idx) ON n.level = k.level AND n.idx = k.idx
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = distinct.Where(i => i.Level == 0).Select(i => i.Index).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = distinct.Where(i => i.Level > 0).Select(i => i.Level).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = distinct.Where(i => i.Level > 0).Select(i => i.Index).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) found[new NodeId(reader.GetInt32(0), reader.GetInt64(1))] = (byte[])reader[2];
        return found;
    }

    private sealed class Transaction(NpgsqlConnection connection, NpgsqlTransaction transaction, long size) : ILedgerTransaction
    {
        public long Size { get; } = size;

        public async Task<IReadOnlyDictionary<EventKey, long>> FindAsync(IReadOnlyCollection<EventKey> keys, CancellationToken cancellationToken)
        {
            var found = new Dictionary<EventKey, long>();
            if (keys.Count == 0) return found;
            await using var command = new NpgsqlCommand(
                "SELECT e.source, e.event_id, e.idx FROM ledger_entries e JOIN unnest($1::text[], $2::text[]) AS k(source, event_id) ON e.source = k.source AND e.event_id = k.event_id",
                connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.Source).ToArray() });
            command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k.EventId).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) found[new EventKey(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            return found;
        }

        public Task<IReadOnlyDictionary<NodeId, byte[]>> GetNodesAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken) =>
            ReadNodesAsync(connection, transaction, ids, cancellationToken);

        public async Task AppendAsync(IReadOnlyList<SealedEntry> entries, IReadOnlyList<TreeNode> interiorNodes, CancellationToken cancellationToken)
        {
            await using (var copy = await connection.BeginBinaryImportAsync(
                "COPY ledger_entries (idx, source, event_id, recorded_at, entry, leaf_hash) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                for (var i = 0; i < entries.Count; i++)
                {
                    var e = entries[i];
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(Size + i, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(e.Header.Source, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(e.Header.EventId, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(e.Header.RecordedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                    await copy.WriteAsync(e.Entry, NpgsqlDbType.Bytea, cancellationToken);
                    await copy.WriteAsync(e.LeafHash, NpgsqlDbType.Bytea, cancellationToken);
                }
                await copy.CompleteAsync(cancellationToken);
            }
            await using (var copy = await connection.BeginBinaryImportAsync("COPY ledger_payloads (idx, salt, payload) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                for (var i = 0; i < entries.Count; i++)
                {
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(Size + i, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(entries[i].Salt, NpgsqlDbType.Bytea, cancellationToken);
                    await copy.WriteAsync(entries[i].Payload, NpgsqlDbType.Bytea, cancellationToken);
                }
                await copy.CompleteAsync(cancellationToken);
            }
            await using (var copy = await connection.BeginBinaryImportAsync("COPY ledger_nodes (level, idx, hash) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                foreach (var node in interiorNodes)
                {
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(node.Id.Level, NpgsqlDbType.Integer, cancellationToken);
                    await copy.WriteAsync(node.Id.Index, NpgsqlDbType.Bigint, cancellationToken);
                    await copy.WriteAsync(node.Hash, NpgsqlDbType.Bytea, cancellationToken);
                }
                await copy.CompleteAsync(cancellationToken);
            }
            await using var head = new NpgsqlCommand("UPDATE ledger_head SET size = $1 WHERE id = 1 AND size = $2", connection, transaction);
            head.Parameters.Add(new NpgsqlParameter { Value = Size + entries.Count });
            head.Parameters.Add(new NpgsqlParameter { Value = Size });
            if (await head.ExecuteNonQueryAsync(cancellationToken) != 1) throw new InvalidOperationException("The ledger head moved during an exclusive append.");
        }

        public async Task ErasePayloadAsync(long index, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand("DELETE FROM ledger_payloads WHERE idx = $1", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = index });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
