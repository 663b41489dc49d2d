using Dapr.Actors.Runtime;
using Scorpius.RiskEngine;
using Scorpius.RiskEngine.Intel;
using Scorpius.ServiceDefaults;
using Scorpius.WalletGuard.Actors;
using Scorpius.WalletGuard.Assessments;
using Scorpius.WalletGuard.Monitoring;
using Scorpius.WalletGuard.Policies;
using Scorpius.WalletGuard.Wallets;

namespace Scorpius.WalletGuard;

/// <summary>wallet-guard's services and routes: pre-sign assessments, protected wallets, policies, the per-wallet actor.</summary>
public static class WalletGuardExtensions
{
    // The bundled intelligence is immutable and costly to load: once per process, shared by every host in it.
    private static readonly Lazy<IThreatIntel> Intel = new(BundledThreatIntel.Load);

    /// <param name="configuration">Read at registration for the chain monitor, which is registered only when <c>Monitor:Ethereum:RpcUrl</c> is set.</param>
    public static IServiceCollection AddWalletGuard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WalletGuardOptions>().BindConfiguration(WalletGuardOptions.Section);
        services.AddSingleton(sp => new RiskAssessor(Intel.Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ReadCache>();
        services.AddSingleton<WalletStore>();
        services.AddSingleton<PolicyStore>();
        services.AddSingleton<WalletActors>();
        services.AddSingleton<AssessmentService>();
        services.AddWalletGuardMonitor(configuration);

        services.AddActors(options =>
        {
            options.Actors.RegisterActor<WalletActor>();
            // Actor calls carry records: JSON on both sides (the default remoting serializer needs data contracts).
            options.UseJsonSerialization = true;
        });
        // The actor runtime and proxies reach the sidecar named by configuration, like the Dapr client.
        services.AddOptions<ActorRuntimeOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            options.HttpEndpoint = DaprEndpoints.HttpEndpoint(configuration);
            options.DaprApiToken = DaprEndpoints.ApiToken(configuration);
        });
        return services;
    }

    public static WebApplication MapWalletGuard(this WebApplication app)
    {
        app.MapAssessmentEndpoints();
        app.MapWalletEndpoints();
        app.MapPolicyEndpoints();
        app.MapWalletActorEndpoints();
        return app;
    }
}

/// <summary>Settings under <c>WalletGuard</c>.</summary>
public sealed class WalletGuardOptions
{
    public const string Section = "WalletGuard";

    /// <summary>Most requests in one <c>POST /v1/assessments</c> batch.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>Largest <c>POST /v1/assessments</c> body, in bytes.</summary>
    public long MaxAssessmentBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Most protected wallets per tenant.</summary>
    public int MaxWalletsPerTenant { get; set; } = 1000;

    /// <summary>How many wallets of one batch are assessed at once (requests of one wallet always run in order).</summary>
    public int BatchParallelism { get; set; } = 8;

    /// <summary>How long the assessment path reuses a tenant's wallets and policies read from the state store (see <see cref="ReadCache"/>).</summary>
    public TimeSpan ReadCacheLifetime { get; set; } = TimeSpan.FromSeconds(2);
}
