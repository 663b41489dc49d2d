using System.Security.Cryptography;
using System.Text;

namespace Scorpius.AuthProxy.Mfa;

/// <summary>
/// AES-256-GCM for secrets kept at rest (TOTP seeds). The key is the entry <c>data-key</c> (base64, 32 bytes) of the
/// <c>auth-proxy</c> secret, loaded with the signing keys. Blobs are <c>nonce(12) ‖ tag(16) ‖ ciphertext</c>; the owner's id is
/// bound in as associated data, so a blob copied to another user does not decrypt.
/// </summary>
public sealed class SecretBox
{
    public const string SecretEntry = "data-key";
    private volatile byte[]? key;

    public bool IsAvailable => key is not null;

    /// <summary>Takes the key from the secret; a missing or malformed entry leaves the box unavailable (MFA enrolment then answers 503).</summary>
    public void Load(IReadOnlyDictionary<string, string> secret)
    {
        key = null;
        if (!secret.TryGetValue(SecretEntry, out var encoded) || string.IsNullOrWhiteSpace(encoded)) return;
        try
        {
            var bytes = Convert.FromBase64String(encoded.Trim());
            if (bytes.Length == 32) key = bytes;
        }
        catch (FormatException)
        {
        }
    }

    public byte[] Seal(byte[] plaintext, string owner)
    {
        using var aes = new AesGcm(Key, 16);
        var blob = new byte[12 + 16 + plaintext.Length];
        RandomNumberGenerator.Fill(blob.AsSpan(0, 12));
        aes.Encrypt(blob.AsSpan(0, 12), plaintext, blob.AsSpan(28), blob.AsSpan(12, 16), Encoding.UTF8.GetBytes(owner));
        return blob;
    }

    public byte[] Open(byte[] blob, string owner)
    {
        if (blob.Length < 28) throw new CryptographicException("The sealed secret is too short.");
        using var aes = new AesGcm(Key, 16);
        var plaintext = new byte[blob.Length - 28];
        aes.Decrypt(blob.AsSpan(0, 12), blob.AsSpan(28), blob.AsSpan(12, 16), plaintext, Encoding.UTF8.GetBytes(owner));
        return plaintext;
    }

    private byte[] Key => key ?? throw new InvalidOperationException($"The '{SecretEntry}' entry of the auth-proxy secret is missing.");
}
