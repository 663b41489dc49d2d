using Npgsql;
using Scorpius.AuditTrail.Storage;
using Scorpius.AuditTrail.Tests.TestSupport;
using Scorpius.Testing.Fixtures;

namespace Scorpius.AuditTrail.Tests.Storage;

/// <summary>The repository suite against a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLedgerStoreTests(PostgresFixture postgres) : LedgerStoreContract
{
    private readonly List<NpgsqlDataSource> sources = [];
    private string connectionString = "";

    protected override async Task CreateDatabaseAsync() => connectionString = await postgres.Server.CreateDatabaseAsync("ledger");

    protected override ILedgerStore OpenStore()
    {
        var source = NpgsqlDataSource.Create(connectionString);
        sources.Add(source);
        return new PostgresLedgerStore(source);
    }

    protected override async Task TamperAsync(string sql, params object[] args)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // A superuser can switch triggers off for its session: what an attacker with database access would do.
        await using (var off = new NpgsqlCommand("SET session_replication_role = replica", connection)) await off.ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        for (var i = 0; i < args.Length; i++) command.Parameters.AddWithValue(((char)('a' + i)).ToString(), args[i]);
        Assert.True(await command.ExecuteNonQueryAsync() >= 1, $"Tampering changed nothing: {sql}");
    }

    protected override async Task<Exception> RefusedAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var source in sources) await source.DisposeAsync();
    }
}
