using System.Net.Http.Headers;
using System.Text;
using Dapr;
using Dapr.Client;
using Scorpius.Contracts;

namespace Scorpius.WalletGuard.Monitoring;

/// <summary>
/// Authenticates JSON-RPC requests to Bitcoin Core with the user and password of the secret <c>wallet-guard</c>
/// (entries <see cref="UserKey"/> and <see cref="PasswordKey"/>), read once through the Dapr secret store; the
/// credentials are never in configuration or logs. It replaces the Basic header NBitcoin's client builds from the
/// placeholder credentials it is constructed with.
/// </summary>
public sealed class BitcoinRpcCredentialsHandler(DaprClient dapr) : DelegatingHandler
{
    public const string UserKey = "bitcoinRpcUser";
    public const string PasswordKey = "bitcoinRpcPassword";
    private readonly SemaphoreSlim gate = new(1, 1);
    private AuthenticationHeaderValue? header;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization = await HeaderAsync(cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }

    private async Task<AuthenticationHeaderValue> HeaderAsync(CancellationToken cancellationToken)
    {
        if (header is { } cached) return cached;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (header is { } again) return again;
            Dictionary<string, string> secret;
            try
            {
                secret = await dapr.GetSecretAsync(DaprNames.SecretStore, ScorpiusApps.WalletGuardId, cancellationToken: cancellationToken);
            }
            catch (DaprException ex)
            {
                throw new InvalidOperationException($"The secret '{ScorpiusApps.WalletGuardId}' could not be read from {DaprNames.SecretStore}.", ex);
            }
            if (!secret.TryGetValue(UserKey, out var user) || !secret.TryGetValue(PasswordKey, out var password) || user.Length == 0)
                throw new InvalidOperationException($"The secret '{ScorpiusApps.WalletGuardId}' needs '{UserKey}' and '{PasswordKey}' for Bitcoin Core's RPC.");
            header = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
            return header;
        }
        finally
        {
            gate.Release();
        }
    }
}
