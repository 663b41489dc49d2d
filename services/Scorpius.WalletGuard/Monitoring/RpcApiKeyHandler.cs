
namespace Scorpius.WalletGuard.Monitoring;

/// <summary>
/// Puts the node provider's API key into JSON-RPC requests whose URL holds <c>{apiKey}</c> (e.g.
/// <c>https://eth-mainnet.example/v2/{apiKey}</c>). The key is read once, through the Dapr secret store (secret
/// <see cref="SecretName"/>, entry <see cref="SecretKey"/>, through <see cref="WalletGuardSecrets"/>) on the first request that needs it; a URL without the
/// placeholder is sent as it is and never reads the secret store. The key is never written to configuration or logs.
/// </summary>
public sealed class RpcApiKeyHandler(WalletGuardSecrets secrets) : DelegatingHandler
{
    public const string Placeholder = "{apiKey}";
    public const string SecretName = WalletGuardSecrets.SecretName;
    public const string SecretKey = "ethereumRpcApiKey";

    // Uri escapes the braces of the placeholder.
    private static readonly string[] Forms = [Placeholder, Uri.EscapeDataString(Placeholder), "%7bapiKey%7d"];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is { } uri && Forms.FirstOrDefault(f => uri.OriginalString.Contains(f, StringComparison.Ordinal)) is { } form)
        {
            var key = await ApiKeyAsync(cancellationToken);
            request.RequestUri = new Uri(uri.OriginalString.Replace(form, Uri.EscapeDataString(key), StringComparison.Ordinal), UriKind.RelativeOrAbsolute);
        }
        return await base.SendAsync(request, cancellationToken);
    }

    private Task<string> ApiKeyAsync(CancellationToken cancellationToken) =>
        secrets.GetAsync(SecretKey, $"The RPC URL names {Placeholder}", cancellationToken);
}
