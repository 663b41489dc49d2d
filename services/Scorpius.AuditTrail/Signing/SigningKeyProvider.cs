using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Scorpius.Contracts;
using Scorpius.Ledger.Notes;

namespace Scorpius.AuditTrail.Signing;

/// <summary>No signing key can be read: checkpoints cannot be signed until the secret exists.</summary>
public sealed class SigningKeyUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The checkpoint signing key, read from the Dapr secret store (<see cref="DaprNames.SecretStore"/>) and never from
/// code or configuration files. It is re-read every <see cref="AuditTrailOptions.SigningKeyRefresh"/>, so rotating
/// the secret rotates the key; retired keys stay verifiable because every public key used is kept in the ledger.
/// </summary>
public sealed class SigningKeyProvider(DaprClient dapr, IOptions<AuditTrailOptions> options, TimeProvider time) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly List<NoteSigner> signers = [];
    private (NoteSigner Signer, string Secret, DateTimeOffset ReadAt)? current;

    public async Task<NoteSigner> GetAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var settings = options.Value;
            if (current is { } cached && time.GetUtcNow() - cached.ReadAt < settings.SigningKeyRefresh) return cached.Signer;

            string secret;
            try
            {
                var values = await dapr.GetSecretAsync(DaprNames.SecretStore, settings.SigningKeySecret, cancellationToken: cancellationToken);
                secret = values.TryGetValue(settings.SigningKeySecretKey, out var value) && !string.IsNullOrWhiteSpace(value) ? value
                    : throw new SigningKeyUnavailableException(
                        $"Secret '{settings.SigningKeySecret}' in {DaprNames.SecretStore} has no key '{settings.SigningKeySecretKey}'.");
            }
            catch (DaprException ex)
            {
                throw new SigningKeyUnavailableException(
                    $"The checkpoint signing key could not be read from secret '{settings.SigningKeySecret}' in {DaprNames.SecretStore}: {ex.GetBaseException().Message}", ex);
            }

            if (current is { } previous && previous.Secret == secret)
            {
                current = (previous.Signer, secret, time.GetUtcNow());
                return previous.Signer;
            }
            NoteSigner signer;
            try { signer = NoteSigner.Import(settings.Origin, secret); }
            catch (FormatException ex) { throw new SigningKeyUnavailableException($"Secret '{settings.SigningKeySecret}/{settings.SigningKeySecretKey}': {ex.Message}", ex); }
            signers.Add(signer);
            current = (signer, secret, time.GetUtcNow());
            return signer;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        foreach (var signer in signers) signer.Dispose();
        gate.Dispose();
    }
}
