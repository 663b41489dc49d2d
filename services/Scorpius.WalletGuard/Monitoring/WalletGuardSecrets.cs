using System.Collections.Concurrent;
using Dapr;
using Dapr.Client;
using Scorpius.Contracts;

namespace Scorpius.WalletGuard.Monitoring;

/// <summary>
/// The entries of the secret <c>wallet-guard</c> (node RPC keys and credentials), read through the Dapr secret store on
/// first need and kept for the process, whichever HTTP handler asks; an entry that is missing is looked up again next
/// time, so adding it needs no restart. Values are never logged.
/// </summary>
public sealed class WalletGuardSecrets(DaprClient dapr) : IDisposable
{
    public const string SecretName = ScorpiusApps.WalletGuardId;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly ConcurrentDictionary<string, string> known = new(StringComparer.Ordinal);

    /// <param name="purpose">What needs the entry, for the error (e.g. "The RPC URL names {apiKey}").</param>
    public async Task<string> GetAsync(string entry, string purpose, CancellationToken cancellationToken)
    {
        if (known.TryGetValue(entry, out var value)) return value;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (known.TryGetValue(entry, out value)) return value;
            Dictionary<string, string> secret;
            try
            {
                secret = await dapr.GetSecretAsync(DaprNames.SecretStore, SecretName, cancellationToken: cancellationToken);
            }
            catch (DaprException ex)
            {
                throw new InvalidOperationException($"{purpose} but the secret '{SecretName}' could not be read from {DaprNames.SecretStore}.", ex);
            }
            foreach (var (name, found) in secret)
            {
                if (!string.IsNullOrEmpty(found)) known[name] = found;
            }
            return known.TryGetValue(entry, out value) ? value
                : throw new InvalidOperationException($"{purpose} but the secret '{SecretName}' has no entry '{entry}' in {DaprNames.SecretStore}.");
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
