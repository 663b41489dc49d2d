using Microsoft.Data.Sqlite;

namespace Scorpius.AuditTrail.Tests.TestSupport;

/// <summary>Direct access to a ledger's SQLite file, behind the service's back.</summary>
internal static class SqliteAdmin
{
    /// <summary>Runs SQL (parameters @a, @b, …) after dropping the append-only triggers, as someone with the file could.</summary>
    public static async Task TamperAsync(string path, string sql, params object[] args)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        var triggers = new List<string>();
        await using (var list = new SqliteCommand("SELECT name FROM sqlite_master WHERE type = 'trigger'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) triggers.Add(reader.GetString(0));
        }
        foreach (var trigger in triggers)
        {
            await using var drop = new SqliteCommand($"DROP TRIGGER {trigger}", connection);
            await drop.ExecuteNonQueryAsync();
        }
        await using var command = new SqliteCommand(sql, connection);
        for (var i = 0; i < args.Length; i++) command.Parameters.AddWithValue("@" + (char)('a' + i), args[i]);
        Assert.True(await command.ExecuteNonQueryAsync() >= 1, $"Tampering changed nothing: {sql}");
    }
}
