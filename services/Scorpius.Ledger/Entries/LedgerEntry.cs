using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Scorpius.Ledger.Canonical;
using Scorpius.Ledger.Merkle;

namespace Scorpius.Ledger.Entries;

/// <summary>What an entry records.</summary>
public static class EntryKinds
{
    /// <summary>A CloudEvent from the <c>audit</c> topic; the payload is its <c>data</c>, canonicalized.</summary>
    public const string Event = "event";

    /// <summary>A message that could not be accepted (poison); the payload is the body exactly as received.</summary>
    public const string Rejected = "rejected";

    /// <summary>The erasure of an earlier entry's payload (GDPR); the payload says who asked and why.</summary>
    public const string Redaction = "redaction";
}

/// <summary>How an entry's payload bytes are encoded.</summary>
public static class PayloadFormats
{
    /// <summary>RFC 8785 canonical JSON (UTF-8 text).</summary>
    public const string Rfc8785 = "rfc8785";

    /// <summary>Arbitrary bytes, exactly as received (base64 in JSON documents).</summary>
    public const string Raw = "raw";
}

/// <summary>
/// The leaf data of one ledger entry: a small JSON object in RFC 8785 canonical form whose bytes are hashed into the
/// tree. The payload itself is not in the leaf: the leaf commits to it with
/// <c>payloadHash = SHA-256(salt ‖ payload)</c> (32 random salt bytes). Erasing the payload and its salt (GDPR)
/// therefore leaves the leaf, its hash and every proof intact, and the random salt keeps the erased content from being
/// guessed back from the hash.
/// </summary>
public sealed record LedgerEntry
{
    public const int Version = 1;

    public required string Kind { get; init; }
    /// <summary>CloudEvent <c>source</c> (empty for a rejected message without one).</summary>
    public required string Source { get; init; }
    /// <summary>CloudEvent <c>id</c>; with <see cref="Source"/> it identifies the event, so it is appended once.</summary>
    public required string EventId { get; init; }
    public string? Type { get; init; }
    /// <summary>CloudEvent <c>time</c>, as the producer wrote it.</summary>
    public string? Time { get; init; }
    public required DateTimeOffset RecordedAt { get; init; }
    public required string PayloadFormat { get; init; }
    public required long PayloadSize { get; init; }
    /// <summary>Lower-case hex SHA-256(salt ‖ payload).</summary>
    public required string PayloadHash { get; init; }
    /// <summary>Why a rejected message was rejected.</summary>
    public string? Error { get; init; }
    /// <summary>The index whose payload a redaction erased.</summary>
    public long? Redacts { get; init; }
    /// <summary>The tenant the recorded event belongs to; absent for platform events and rejected input. Part of the leaf, so it cannot be changed afterwards.</summary>
    public string? Tenant { get; init; }

    /// <summary>
    /// The canonical bytes: the leaf data that is hashed. Written directly in RFC 8785 form (members in code-unit
    /// order, canonical strings and integers), which <see cref="Decode"/> checks by re-canonicalizing.
    /// </summary>
    public byte[] Encode()
    {
        var text = new StringBuilder(400);
        text.Append('{');
        var first = true;
        void Member(string name, string? value, long? number = null)
        {
            if (value is null && number is null) return;
            text.Append(first ? "\"" : ",\"").Append(name).Append("\":");
            first = false;
            if (value is not null) JsonCanonicalizer.WriteString(value, text);
            else text.Append(number!.Value.ToString(CultureInfo.InvariantCulture));
        }
        // In RFC 8785 order: sorted by UTF-16 code units.
        Member("error", Error);
        Member("id", EventId);
        Member("kind", Kind);
        Member("payloadFormat", PayloadFormat);
        Member("payloadHash", PayloadHash);
        Member("payloadSize", null, PayloadSize);
        Member("recordedAt", RecordedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Member("redacts", null, Redacts);
        Member("source", Source);
        Member("tenant", Tenant);
        Member("time", Time);
        Member("type", Type);
        Member("v", null, Version);
        text.Append('}');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Reads leaf data back. Throws <see cref="LedgerVerificationException"/> unless it is a canonical v1 entry.</summary>
    public static LedgerEntry Decode(ReadOnlySpan<byte> entry)
    {
        try
        {
            if (!entry.SequenceEqual(JsonCanonicalizer.Canonicalize(entry))) throw new LedgerVerificationException("entry is not in RFC 8785 canonical form");
            using var document = JsonDocument.Parse(entry.ToArray());
            var root = document.RootElement;
            if (root.GetProperty("v").GetInt32() != Version) throw new LedgerVerificationException($"entry version {root.GetProperty("v")} is not {Version}");
            return new LedgerEntry
            {
                Kind = root.GetProperty("kind").GetString()!,
                Source = root.GetProperty("source").GetString()!,
                EventId = root.GetProperty("id").GetString()!,
                Type = root.TryGetProperty("type", out var type) ? type.GetString() : null,
                Time = root.TryGetProperty("time", out var time) ? time.GetString() : null,
                RecordedAt = DateTimeOffset.Parse(root.GetProperty("recordedAt").GetString()!, CultureInfo.InvariantCulture),
                PayloadFormat = root.GetProperty("payloadFormat").GetString()!,
                PayloadSize = root.GetProperty("payloadSize").GetInt64(),
                PayloadHash = root.GetProperty("payloadHash").GetString()!,
                Error = root.TryGetProperty("error", out var error) ? error.GetString() : null,
                Redacts = root.TryGetProperty("redacts", out var redacts) ? redacts.GetInt64() : null,
                Tenant = root.TryGetProperty("tenant", out var tenant) ? tenant.GetString() : null,
            };
        }
        catch (Exception ex) when (ex is JsonException or CanonicalJsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new LedgerVerificationException($"entry is not a valid ledger entry: {ex.Message}");
        }
    }

    /// <summary>Checks that <paramref name="payload"/> and <paramref name="salt"/> are what this entry committed to.</summary>
    public void VerifyPayload(ReadOnlySpan<byte> payload, ReadOnlySpan<byte> salt)
    {
        if (payload.Length != PayloadSize) throw new LedgerVerificationException($"payload has {payload.Length} bytes, the entry says {PayloadSize}");
        if (!string.Equals(Convert.ToHexStringLower(PayloadCommitment.Hash(salt, payload)), PayloadHash, StringComparison.Ordinal))
            throw new LedgerVerificationException("payload does not match the entry's payloadHash");
    }
}

/// <summary>The salted commitment an entry makes to its payload.</summary>
public static class PayloadCommitment
{
    public const int SaltSize = 32;

    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltSize);

    public static byte[] Hash(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> payload)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(salt);
        sha.AppendData(payload);
        return sha.GetHashAndReset();
    }
}
