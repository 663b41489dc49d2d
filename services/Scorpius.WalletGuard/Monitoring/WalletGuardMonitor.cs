using Dapr.Client;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
    public const string BitcoinRpcHttpClient = "bitcoin-rpc";

    public static IServiceCollection AddWalletGuardMonitor(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        AddBitcoin(services, configuration);
        var options = configuration.GetSection(EthereumMonitorOptions.Section).Get<EthereumMonitorOptions>() ?? new EthereumMonitorOptions();
        if (options.RpcUrl is null) return services;
        if (!options.RpcUrl.IsAbsoluteUri)
            throw new InvalidOperationException($"{EthereumMonitorOptions.Section}:RpcUrl must be an absolute http(s) URL.");

        services.AddSingleton(options);
        AddShared(services);
        services.AddHttpClient(RpcHttpClient).AddHttpMessageHandler(sp => new RpcApiKeyHandler(sp.GetRequiredService<WalletGuardSecrets>()));
        services.AddSingleton<IWeb3>(sp =>
            new Web3(new RpcClient(options.RpcUrl, sp.GetRequiredService<IHttpClientFactory>().CreateClient(RpcHttpClient))));
        services.AddSingleton<EthereumMonitor>();
        services.AddHostedService<EthereumMonitorService>();
        return services;
    }

    /// <summary>
    /// The Bitcoin monitor, when <c>Monitor:Bitcoin:RpcUrl</c> is set: bitcoin wallets (chain id <see cref="BitcoinMonitor.ChainId"/>)
    /// on <c>Monitor:Bitcoin:Network</c>, Bitcoin Core's RPC credentials from the secret store (<see cref="BitcoinRpcCredentialsHandler"/>).
    /// </summary>
    private static void AddBitcoin(IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(BitcoinMonitorOptions.Section).Get<BitcoinMonitorOptions>() ?? new BitcoinMonitorOptions();
        if (options.RpcUrl is null) return;
        if (!options.RpcUrl.IsAbsoluteUri) throw new InvalidOperationException($"{BitcoinMonitorOptions.Section}:RpcUrl must be an absolute http(s) URL.");
        services.AddSingleton(options);
        AddShared(services);
        services.AddHttpClient(BitcoinRpcHttpClient).AddHttpMessageHandler(sp => new BitcoinRpcCredentialsHandler(sp.GetRequiredService<WalletGuardSecrets>()));
        // The credentials below are placeholders: the handler sets the real ones from the secret store on every request.
        services.AddSingleton(sp => BitcoinMonitor.CreateRpcClient(options, new System.Net.NetworkCredential("from-secret-store", "from-secret-store"),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(BitcoinRpcHttpClient)));
        services.AddSingleton<BitcoinMonitor>();
        services.AddHostedService<BitcoinMonitorService>();
    }

    private static void AddShared(IServiceCollection services)
    {
        services.TryAddSingleton<IWatchedWallets, WatchedWalletDirectory>();
        services.TryAddSingleton<IObservedTransactionSink, MonitorAssessmentSink>();
        services.TryAddSingleton<IMonitorCheckpoints, DaprMonitorCheckpoints>();
        services.TryAddSingleton<WalletGuardSecrets>();
    }
}
