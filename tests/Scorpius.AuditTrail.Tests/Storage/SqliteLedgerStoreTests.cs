using Microsoft.Data.Sqlite;
using Scorpius.AuditTrail.Storage;
using Scorpius.AuditTrail.Tests.TestSupport;

namespace Scorpius.AuditTrail.Tests.Storage;

/// <summary>The repository suite against the embedded SQLite store, in a temporary file.</summary>
public sealed class SqliteLedgerStoreTests : LedgerStoreContract
{
    private readonly string folder = Directory.CreateTempSubdirectory("scorpius-ledger-").FullName;
    private string Path => System.IO.Path.Combine(folder, "audit-trail.db");

    protected override Task CreateDatabaseAsync() => Task.CompletedTask;

    protected override ILedgerStore OpenStore() => new SqliteLedgerStore(Path);

    protected override Task TamperAsync(string sql, params object[] args) => SqliteAdmin.TamperAsync(Path, sql, args);

    protected override async Task<Exception> RefusedAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        await connection.OpenAsync();
        await using var command = new SqliteCommand(sql, connection);
        return await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}
