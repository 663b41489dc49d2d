using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Scorpius.AuditTrail.Api;
using Scorpius.AuditTrail.Ledger;
using Scorpius.AuditTrail.Signing;
using Scorpius.AuditTrail.Storage;
using Scorpius.AuditTrail.Verification;
using Scorpius.ServiceDefaults;

namespace Scorpius.AuditTrail;

public static class AuditTrailServiceCollectionExtensions
{
    /// <summary>The ledger, its store (chosen by <c>AuditTrail:Store</c>), batching, checkpoints and verification.</summary>
    public static IServiceCollection AddAuditTrail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditTrailOptions>().Bind(configuration.GetSection(AuditTrailOptions.Section))
            .Validate(o => o.UsesPostgres || string.Equals(o.Store, "Sqlite", StringComparison.OrdinalIgnoreCase), "AuditTrail:Store must be 'Sqlite' or 'Postgres'.")
            .Validate(o => !o.UsesPostgres || !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ServiceDefaultsExtensions.PostgresConnectionName)),
                "AuditTrail:Store is 'Postgres' but ConnectionStrings:Postgres is not set.")
            .Validate(o => o.MaxBatchSize > 0 && o.MaxBundleEntries > 0 && o.MaxMessageBytes > 0 && o.CheckpointInterval > TimeSpan.Zero, "AuditTrail limits must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ILedgerStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AuditTrailOptions>>().Value;
            return options.UsesPostgres
                ? new PostgresLedgerStore(NpgsqlDataSource.Create(configuration.GetConnectionString(ServiceDefaultsExtensions.PostgresConnectionName)!))
                : new SqliteLedgerStore(options.SqlitePath);
        });
        services.AddSingleton<AuditLedger>();
        services.AddSingleton(sp => new AuditIntake(sp.GetRequiredService<IOptions<AuditTrailOptions>>().Value.MaxMessageBytes));
        services.AddSingleton<BatchAppender>();
        services.AddHostedService(sp => sp.GetRequiredService<BatchAppender>());
        services.AddSingleton<SigningKeyProvider>();
        services.AddSingleton<Checkpointer>();
        services.AddHostedService<CheckpointWorker>();
        services.AddSingleton<BundleExporter>();
        services.AddSingleton<LedgerVerifier>();
        services.AddSingleton<LedgerAuditor>();
        return services;
    }
}
