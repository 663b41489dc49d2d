using System.Net.Http.Headers;
using System.Text;

namespace Scorpius.WalletGuard.Monitoring;

/// <summary>
/// Authenticates JSON-RPC requests to Bitcoin Core with the user and password of the secret <c>wallet-guard</c>
/// (entries <see cref="UserKey"/> and <see cref="PasswordKey"/>), read once through <see cref="WalletGuardSecrets"/>; the
/// credentials are never in configuration or logs. It replaces the Basic header NBitcoin's client builds from the
/// placeholder credentials it is constructed with.
/// </summary>
public sealed class BitcoinRpcCredentialsHandler(WalletGuardSecrets secrets) : DelegatingHandler
{
    public const string UserKey = "bitcoinRpcUser";
    public const string PasswordKey = "bitcoinRpcPassword";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.Authorization = await HeaderAsync(cancellationToken);
        return await base.SendAsync(request, cancellationToken);
    }

    private async Task<AuthenticationHeaderValue> HeaderAsync(CancellationToken cancellationToken)
    {
        const string purpose = "Bitcoin Core's RPC needs a user and password,";
        var user = await secrets.GetAsync(UserKey, purpose, cancellationToken);
        var password = await secrets.GetAsync(PasswordKey, purpose, cancellationToken);
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }
}
