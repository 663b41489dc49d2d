using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Scorpius.Ledger.Benchmarks;

/// <summary>
/// A PostgreSQL server for the benchmarks with its durability settings left at their defaults (fsync, synchronous
/// commit, full page writes all on), unlike the test fixture's throwaway cluster, so append figures are honest.
/// </summary>
internal static class BenchmarkPostgres
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? server, dataRoot, pgCtl;

    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        await Gate.WaitAsync();
        try { server ??= Environment.GetEnvironmentVariable("SCORPIUS_BENCH_POSTGRES") ?? await StartAsync(); }
        finally { Gate.Release(); }
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public static async Task StopAsync()
    {
        if (dataRoot is null || pgCtl is null) return;
        NpgsqlConnection.ClearAllPools();
        await RunAsync(pgCtl, ["-D", Path.Combine(dataRoot, "data"), "-m", "fast", "-w", "stop"]);
        Directory.Delete(dataRoot, recursive: true);
    }

    private static async Task<string> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "bin")).LastOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException("PostgreSQL server binaries not found: apt-get install postgresql, or set SCORPIUS_BENCH_POSTGRES.");
        dataRoot = Directory.CreateTempSubdirectory("scorpius-bench-pg-").FullName;
        pgCtl = Path.Combine(bin, "pg_ctl");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        if (Environment.UserName == "root") await RunAsync("chown", ["postgres:postgres", dataRoot], asPostgres: false);
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", Path.Combine(dataRoot, "data"), "-A", "trust", "-U", "scorpius", "-E", "UTF8"]);
        await RunAsync(pgCtl, ["-D", Path.Combine(dataRoot, "data"), "-l", Path.Combine(dataRoot, "server.log"), "-w", "-t", "60", "-o",
            $"-p {port} -k {dataRoot} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB", "start"]);
        return $"Host=127.0.0.1;Port={port};Username=scorpius;Database=postgres";
    }

    private static async Task RunAsync(string file, string[] args, bool asPostgres = true)
    {
        var psi = Environment.UserName == "root" && asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {await output}{await errors}");
    }
}
