using System.Security.Cryptography;
using System.Text;
using Dapr.Client;
using Scorpius.Contracts;

namespace Scorpius.Notifications.Endpoints;

/// <summary>
/// Encrypts signing secrets for the state store with AES-256-GCM. The key is derived (HKDF-SHA256) from secret
/// <c>notifications</c>, key <c>webhookSecretsKey</c>, of the Dapr secret store, read once per process; it is never in
/// code or configuration. The associated data binds each ciphertext to its tenant, endpoint and key id, so a
/// ciphertext copied to another record does not decrypt.
/// </summary>
public sealed class SecretProtector(DaprClient dapr)
{
    public const string SecretName = "notifications";
    public const string SecretKey = "webhookSecretsKey";
    private const string Version = "v1.";
    private static readonly byte[] Info = Encoding.UTF8.GetBytes("scorpius notifications webhook secrets v1");

    private readonly SemaphoreSlim gate = new(1, 1);
    private byte[]? key;

    public async Task<string> ProtectAsync(string plaintext, string context, CancellationToken cancellationToken)
    {
        var aesKey = await KeyAsync(cancellationToken);
        var data = Encoding.UTF8.GetBytes(plaintext);
        var sealedBox = new byte[12 + 16 + data.Length];
        var nonce = sealedBox.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(aesKey, 16);
        aes.Encrypt(nonce, data, sealedBox.AsSpan(28), sealedBox.AsSpan(12, 16), Encoding.UTF8.GetBytes(context));
        return Version + Convert.ToBase64String(sealedBox);
    }

    /// <exception cref="CryptographicException">The value was altered, belongs to another context or another key.</exception>
    public async Task<string> UnprotectAsync(string protectedValue, string context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        if (!protectedValue.StartsWith(Version, StringComparison.Ordinal)) throw new CryptographicException("Unknown protected-secret format.");
        var aesKey = await KeyAsync(cancellationToken);
        var sealedBox = Convert.FromBase64String(protectedValue[Version.Length..]);
        if (sealedBox.Length < 28) throw new CryptographicException("The protected secret is truncated.");
        var plaintext = new byte[sealedBox.Length - 28];
        using var aes = new AesGcm(aesKey, 16);
        aes.Decrypt(sealedBox.AsSpan(0, 12), sealedBox.AsSpan(28), sealedBox.AsSpan(12, 16), plaintext, Encoding.UTF8.GetBytes(context));
        return Encoding.UTF8.GetString(plaintext);
    }

    private async Task<byte[]> KeyAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref key) is { } cached) return cached;
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (key is not null) return key;
            var secret = await dapr.GetSecretAsync(DaprNames.SecretStore, SecretName, cancellationToken: cancellationToken);
            if (!secret.TryGetValue(SecretKey, out var material) || material.Length < 32)
                throw new InvalidOperationException(
                    $"Secret '{SecretName}' of store '{DaprNames.SecretStore}' needs a key '{SecretKey}' of at least 32 characters (e.g. openssl rand -base64 32).");
            key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(material), 32, info: Info);
            return key;
        }
        finally
        {
            gate.Release();
        }
    }
}
