using Dapr.Client;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3;
using Scorpius.ChainMonitor;

namespace Scorpius.WalletGuard.Monitoring;

/// <summary>
/// wallet-guard hosts the Ethereum chain monitor (<see cref="EthereumMonitor"/>, polled by <see cref="EthereumMonitorService"/>)
/// when <c>Monitor:Ethereum:RpcUrl</c> is set: it watches every tenant's ethereum wallets on <c>Monitor:Ethereum:ChainId</c>
/// (<see cref="WatchedWalletDirectory"/>), checkpoints in the Dapr state store (<see cref="DaprMonitorCheckpoints"/>) and
/// assesses what it sees through the same pipeline as <c>POST /v1/assessments</c> (<see cref="MonitorAssessmentSink"/>).
/// A provider's API key stays out of configuration: write <c>{apiKey}</c> in the URL and put the key in the secret
/// <c>wallet-guard</c>, entry <c>ethereumRpcApiKey</c> (<see cref="RpcApiKeyHandler"/>).
/// </summary>
public static class WalletGuardMonitor
{
    public const string RpcHttpClient = "ethereum-rpc";

    public static IServiceCollection AddWalletGuardMonitor(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(EthereumMonitorOptions.Section).Get<EthereumMonitorOptions>() ?? new EthereumMonitorOptions();
        if (options.RpcUrl is null) return services;
        if (!options.RpcUrl.IsAbsoluteUri)
            throw new InvalidOperationException($"{EthereumMonitorOptions.Section}:RpcUrl must be an absolute http(s) URL.");

        services.AddSingleton(options);
        services.AddSingleton<IWatchedWallets, WatchedWalletDirectory>();
        services.AddSingleton<IObservedTransactionSink, MonitorAssessmentSink>();
        services.AddSingleton<IMonitorCheckpoints, DaprMonitorCheckpoints>();
        services.AddHttpClient(RpcHttpClient).AddHttpMessageHandler(sp => new RpcApiKeyHandler(sp.GetRequiredService<DaprClient>()));
        services.AddSingleton<IWeb3>(sp =>
            new Web3(new RpcClient(options.RpcUrl, sp.GetRequiredService<IHttpClientFactory>().CreateClient(RpcHttpClient))));
        services.AddSingleton<EthereumMonitor>();
        services.AddHostedService<EthereumMonitorService>();
        return services;
    }
}
