using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Scorpius.Notifications.Signing;

/// <summary>What <see cref="WebhookVerifier.Verify"/> found.</summary>
public enum WebhookVerification
{
    Valid,
    MissingHeader,
    InvalidTimestamp,
    TimestampTooOld,
    TimestampTooNew,
    NoMatchingSignature,
}

/// <summary>
/// Verifies a Standard Webhooks request (https://www.standardwebhooks.com): the headers <c>webhook-id</c>,
/// <c>webhook-timestamp</c> and <c>webhook-signature</c> and the raw body bytes. This is the function we offer to
/// customers; it depends on the .NET base library and, for <c>v1a</c> (Ed25519) signatures only, on the
/// NSec.Cryptography package.
/// <code>
/// // ASP.NET Core: read the raw body, never a re-serialised object (a stray space breaks the signature).
/// using var buffer = new MemoryStream();
/// await request.Body.CopyToAsync(buffer);
/// var result = WebhookVerifier.Verify(
///     request.Headers["webhook-id"], request.Headers["webhook-timestamp"], request.Headers["webhook-signature"],
///     buffer.ToArray(), ["whsec_..."], DateTimeOffset.UtcNow);
/// if (result != WebhookVerification.Valid) return Results.Unauthorized();
/// // Then use webhook-id as an idempotency key: the same event may arrive more than once.
/// </code>
/// </summary>
public static class WebhookVerifier
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";
    public const string PublicKeyPrefix = "whpk_";

    /// <summary>How far the timestamp may be from <c>now</c>, either way; every reference library uses five minutes.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Checks the headers and the raw <paramref name="body"/> against <paramref name="keys"/>: signing secrets
    /// (<c>whsec_…</c>, or the bare base64) for <c>v1</c> HMAC-SHA256 signatures and public keys (<c>whpk_…</c>) for
    /// <c>v1a</c> Ed25519 signatures. One matching signature is enough; entries of other versions are ignored.
    /// </summary>
    public static WebhookVerification Verify(
        string? id, string? timestamp, string? signature, ReadOnlySpan<byte> body, IEnumerable<string> keys,
        DateTimeOffset now, TimeSpan? tolerance = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
            return WebhookVerification.MissingHeader;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return WebhookVerification.InvalidTimestamp;

        var age = now.ToUnixTimeSeconds() - seconds;
        var limit = (long)(tolerance ?? DefaultTolerance).TotalSeconds;
        if (age > limit) return WebhookVerification.TimestampTooOld;
        if (age < -limit) return WebhookVerification.TimestampTooNew;

        var content = ContentToSign(id, seconds, body);
        var secrets = new List<byte[]>();
        var publicKeys = new List<PublicKey>();
        foreach (var key in keys)
        {
            if (key.StartsWith(PublicKeyPrefix, StringComparison.Ordinal))
                publicKeys.Add(PublicKey.Import(SignatureAlgorithm.Ed25519, DecodeKey(key, PublicKeyPrefix), KeyBlobFormat.RawPublicKey));
            else
                secrets.Add(DecodeKey(key, SecretPrefix));
        }

        foreach (var entry in signature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = entry.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || !TryFromBase64(entry[(comma + 1)..], out var presented)) continue;
            var version = entry[..comma];
            if (version == "v1" && secrets.Any(s => CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(s, content), presented)))
                return WebhookVerification.Valid;
            if (version == "v1a" && publicKeys.Any(k => SignatureAlgorithm.Ed25519.Verify(k, content, presented)))
                return WebhookVerification.Valid;
        }
        return WebhookVerification.NoMatchingSignature;
    }

    /// <summary>What is signed: <c>{webhook-id}.{webhook-timestamp}.{raw body}</c>.</summary>
    public static byte[] ContentToSign(string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}.{timestamp}."));
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return content;
    }

    /// <summary>The bytes of a serialised key: base64 after the optional <paramref name="prefix"/>; padding may be omitted.</summary>
    public static byte[] DecodeKey(string key, string prefix)
    {
        ArgumentNullException.ThrowIfNull(key);
        var text = key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : key;
        if (text.Length % 4 != 0) text = text.PadRight(text.Length + (4 - text.Length % 4), '=');
        if (text.Length == 0 || !TryFromBase64(text, out var bytes))
            throw new FormatException($"The key is empty or not base64 (expected {prefix}<base64>).");
        return bytes;
    }

    private static bool TryFromBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out var written) && written > 0)
        {
            Array.Resize(ref bytes, written);
            return true;
        }
        return false;
    }
}
