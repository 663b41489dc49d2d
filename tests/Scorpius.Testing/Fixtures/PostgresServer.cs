using Xunit;
using Npgsql;

namespace Scorpius.Testing.Fixtures;

/// <summary>
/// A real PostgreSQL server for tests. <see cref="StartAsync"/> uses the server named by the environment variable
/// <c>SCORPIUS_TEST_POSTGRES</c> (a connection string; scripts/test.sh starts one) or, without it, a throwaway
/// cluster made with initdb and pg_ctl in a temp folder on a free loopback port. Each test asks for its own
/// database with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "SCORPIUS_TEST_POSTGRES";
    private readonly string? dataRoot;
    private readonly string? pgCtl;

    private PostgresServer(string connectionString, string? dataRoot, string? pgCtl)
    {
        ConnectionString = connectionString;
        this.dataRoot = dataRoot;
        this.pgCtl = pgCtl;
    }

    /// <summary>Connection string of the server's maintenance database.</summary>
    public string ConnectionString { get; }

    /// <summary>True when this instance started (and will stop) its own cluster.</summary>
    public bool IsThrowaway => dataRoot is not null;

    public static Task<PostgresServer> StartAsync() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } external
            ? Task.FromResult(new PostgresServer(external, null, null))
            : StartThrowawayAsync();

    public static async Task<PostgresServer> StartThrowawayAsync()
    {
        var bin = FindBinDirectory();
        var initdb = Path.Combine(bin, "initdb");
        var pgCtl = Path.Combine(bin, "pg_ctl");
        var root = Directory.CreateTempSubdirectory("scorpius-pg-").FullName;
        var data = Path.Combine(root, "data");
        var port = ExternalProcess.FreeTcpPort();
        try
        {
            if (ExternalProcess.IsRoot)
            {
                // initdb refuses to run as root: hand the folder to the postgres user and run as it.
                await ExternalProcess.RunAsync("chown", ["postgres:postgres", root], TimeSpan.FromSeconds(10));
            }
            await RunAsPostgres(initdb, ["-D", data, "-A", "trust", "-U", "scorpius", "-E", "UTF8", "--no-sync"], TimeSpan.FromSeconds(90));
            await RunAsPostgres(pgCtl,
                ["-D", data, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "-o",
                 $"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"],
                TimeSpan.FromSeconds(90));
        }
        catch
        {
            TryDelete(root);
            throw;
        }
        return new PostgresServer($"Host=127.0.0.1;Port={port};Username=scorpius;Database=postgres;Pooling=true", root, pgCtl);
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (dataRoot is null || pgCtl is null) return;
        try { await RunAsPostgres(pgCtl, ["-D", Path.Combine(dataRoot, "data"), "-m", "immediate", "-w", "stop"], TimeSpan.FromSeconds(60)); }
        finally { TryDelete(dataRoot); }
    }

    private static Task<string> RunAsPostgres(string file, string[] args, TimeSpan timeout) =>
        ExternalProcess.IsRoot
            ? ExternalProcess.RunAsync("runuser", ["-u", "postgres", "--", file, .. args], timeout)
            : ExternalProcess.RunAsync(file, args, timeout);

    private static string FindBinDirectory()
    {
        var versioned = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin", "initdb"))
            : [];
        var initdb = ExternalProcess.Find("initdb", versioned)
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them with `apt-get install postgresql` " +
                $"(scripts/test.sh does this), or set {EnvironmentVariable} to the connection string of a server to use.");
        return Path.GetDirectoryName(initdb)!;
    }

    private static void TryDelete(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>xunit fixture: one PostgreSQL server per test class or collection.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? server;

    public PostgresServer Server => server ?? throw new InvalidOperationException("The PostgreSQL fixture is not initialised.");

    public async Task InitializeAsync() => server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (server is not null) await server.DisposeAsync();
    }
}
