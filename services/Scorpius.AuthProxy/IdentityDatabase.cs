using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Scorpius.AuthProxy;

/// <summary>
/// Chooses the identity store. <c>AuthProxy:Store=Postgres</c> needs <c>ConnectionStrings:Identity</c>. With SQLite and no
/// connection string, the store is an in-memory shared-cache SQLite database private to this host instance
/// (<c>file:scorpius-auth-{guid}?mode=memory&amp;cache=shared</c>), kept alive by one open connection and gone when the host
/// stops: runs need no setup, and nothing is written to disk. Set <c>ConnectionStrings:Identity</c> (for example
/// <c>Data Source=auth-proxy.db</c>) to keep data between runs.
/// </summary>
public sealed class IdentityDatabase : IDisposable
{
    private readonly IdentityStore store;
    private readonly string connectionString;
    private readonly SqliteConnection? keepAlive;

    public IdentityDatabase(IOptions<AuthProxyOptions> options, IConfiguration configuration)
    {
        store = options.Value.Store;
        var configured = configuration.GetConnectionString("Identity");
        if (store == IdentityStore.Postgres)
        {
            connectionString = string.IsNullOrWhiteSpace(configured)
                ? throw new InvalidOperationException("AuthProxy:Store is Postgres but ConnectionStrings:Identity is not set.")
                : configured;
        }
        else if (!string.IsNullOrWhiteSpace(configured))
        {
            connectionString = configured;
        }
        else
        {
            connectionString = $"Data Source=file:scorpius-auth-{Guid.NewGuid():N}?mode=memory&cache=shared";
            keepAlive = new SqliteConnection(connectionString);
            keepAlive.Open();
        }
    }

    public bool IsEphemeral => keepAlive is not null;

    public void Configure(DbContextOptionsBuilder db)
    {
        if (store == IdentityStore.Postgres) db.UseNpgsql(connectionString);
        else db.UseSqlite(connectionString);
    }

    public void Dispose() => keepAlive?.Dispose();
}

/// <summary>The routes served by the token server and the identity API.</summary>
public static class IdentityRoutes
{
    public static bool Matches(PathString path) =>
        path.StartsWithSegments("/connect") || path.StartsWithSegments("/.well-known") || path.StartsWithSegments("/v1");
}
