using Dapr;
using Dapr.Client;
using Scorpius.Contracts;

namespace Scorpius.WalletGuard.Monitoring;

/// <summary>
/// Puts the node provider's API key into JSON-RPC requests whose URL holds <c>{apiKey}</c> (e.g.
/// <c>https://eth-mainnet.example/v2/{apiKey}</c>). The key is read once, through the Dapr secret store (secret
/// <see cref="SecretName"/>, entry <see cref="SecretKey"/>), on the first request that needs it; a URL without the
/// placeholder is sent as it is and never reads the secret store. The key is never written to configuration or logs.
/// </summary>
public sealed class RpcApiKeyHandler(DaprClient dapr) : DelegatingHandler
{
    public const string Placeholder = "{apiKey}";
    public const string SecretName = ScorpiusApps.WalletGuardId;
    public const string SecretKey = "ethereumRpcApiKey";

    // Uri escapes the braces of the placeholder.
    private static readonly string[] Forms = [Placeholder, Uri.EscapeDataString(Placeholder), "%7bapiKey%7d"];
    private readonly SemaphoreSlim gate = new(1, 1);
    private string? apiKey;

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

    private async Task<string> ApiKeyAsync(CancellationToken cancellationToken)
    {
        if (apiKey is { } cached) return cached;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (apiKey is { } again) return again;
            Dictionary<string, string> secret;
            try
            {
                secret = await dapr.GetSecretAsync(DaprNames.SecretStore, SecretName, cancellationToken: cancellationToken);
            }
            catch (DaprException ex)
            {
                throw new InvalidOperationException(
                    $"The RPC URL names {Placeholder} but the secret '{SecretName}' could not be read from {DaprNames.SecretStore}.", ex);
            }
            apiKey = secret.TryGetValue(SecretKey, out var value) && !string.IsNullOrEmpty(value) ? value
                : throw new InvalidOperationException(
                    $"The RPC URL names {Placeholder} but the secret '{SecretName}' has no entry '{SecretKey}' in {DaprNames.SecretStore}.");
            return apiKey;
        }
        finally
        {
            gate.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) gate.Dispose();
        base.Dispose(disposing);
    }
}
