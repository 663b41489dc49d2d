using System.Security.Cryptography;
using NSec.Cryptography;

namespace Scorpius.Notifications.Signing;

/// <summary>
/// Signs webhooks per Standard Webhooks: <c>v1,</c> HMAC-SHA256 for each <c>whsec_</c> secret and <c>v1a,</c> Ed25519
/// for each <c>whsk_</c> private key, over <c>{id}.{timestamp}.{body}</c>; the entries are space-separated, so during a
/// rotation the old and the new key both sign. Also creates the keys, in the spec's serialisations.
/// </summary>
public static class WebhookSigner
{
    public const string PrivateKeyPrefix = "whsk_";

    /// <summary>The value of the <c>webhook-signature</c> header.</summary>
    public static string Sign(string id, long timestamp, ReadOnlySpan<byte> body, IEnumerable<string> keys)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        // The id and timestamp are delimited by full stops in the signed content, so the id must not contain one.
        if (id.Contains('.', StringComparison.Ordinal)) throw new ArgumentException("A webhook id must not contain '.'.", nameof(id));

        var content = WebhookVerifier.ContentToSign(id, timestamp, body);
        var signatures = new List<string>();
        foreach (var key in keys)
        {
            if (key.StartsWith(PrivateKeyPrefix, StringComparison.Ordinal))
            {
                using var privateKey = Key.Import(SignatureAlgorithm.Ed25519, PrivateKeySeed(key), KeyBlobFormat.RawPrivateKey);
                signatures.Add("v1a," + Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(privateKey, content)));
            }
            else
            {
                signatures.Add("v1," + Convert.ToBase64String(HMACSHA256.HashData(WebhookVerifier.DecodeKey(key, WebhookVerifier.SecretPrefix), content)));
            }
        }
        if (signatures.Count == 0) throw new ArgumentException("At least one signing key is needed.", nameof(keys));
        return string.Join(' ', signatures);
    }

    /// <summary>A new symmetric signing secret: 32 random bytes (the spec allows 24 to 64), as <c>whsec_…</c>.</summary>
    public static string NewSecret() => WebhookVerifier.SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>A new Ed25519 key pair as (<c>whsk_…</c> 32-byte seed, <c>whpk_…</c> 32-byte public key).</summary>
    public static (string PrivateKey, string PublicKey) NewEd25519KeyPair()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return (PrivateKeyPrefix + Convert.ToBase64String(key.Export(KeyBlobFormat.RawPrivateKey)),
            WebhookVerifier.PublicKeyPrefix + Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)));
    }

    /// <summary>The <c>whpk_</c> public key that belongs to a <c>whsk_</c> private key.</summary>
    public static string PublicKeyOf(string privateKey)
    {
        using var key = Key.Import(SignatureAlgorithm.Ed25519, PrivateKeySeed(privateKey), KeyBlobFormat.RawPrivateKey);
        return WebhookVerifier.PublicKeyPrefix + Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    // A whsk_ key is the 32-byte seed; the 64-byte libsodium form (seed followed by the public key) is accepted too.
    private static byte[] PrivateKeySeed(string key)
    {
        var bytes = WebhookVerifier.DecodeKey(key, PrivateKeyPrefix);
        return bytes.Length switch
        {
            32 => bytes,
            64 => bytes[..32],
            _ => throw new FormatException($"An Ed25519 private key is 32 bytes (or 64 with its public key), not {bytes.Length}."),
        };
    }
}
