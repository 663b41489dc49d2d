using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Scorpius.Ledger.Entries;

namespace Scorpius.Ledger.Bundles;

/// <summary>The file is not a usable bundle (not JSON, wrong format, missing members). Distinct from a bundle that fails verification.</summary>
public sealed class BundleFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// An export of the ledger that anyone can verify offline (format <see cref="FormatV1"/>): the entries of a time
/// range with their inclusion proofs, the signed checkpoint they are proved against, the checkpoints signed during
/// the range with consistency proofs to it (the log only grew), and the public keys that signed them.
/// </summary>
public sealed record LedgerBundle
{
    public const string FormatV1 = "scorpius.audit-bundle.v1";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public required string Format { get; init; }
    /// <summary>The log's origin: the first line of every checkpoint.</summary>
    public required string Origin { get; init; }
    public required DateTimeOffset ExportedAt { get; init; }
    /// <summary>The requested range of <c>recordedAt</c>, inclusive start, exclusive end.</summary>
    public required DateTimeOffset From { get; init; }
    public required DateTimeOffset To { get; init; }
    /// <summary>The signed checkpoint (C2SP signed note) every inclusion proof leads to.</summary>
    public required string Checkpoint { get; init; }
    /// <summary>Verifier keys (vkeys) of the log's signing keys, current and retired, for checkpoints in this bundle.</summary>
    public required IReadOnlyList<string> VerifierKeys { get; init; }
    public required IReadOnlyList<BundleEntry> Entries { get; init; }
    /// <summary>Earlier signed checkpoints with consistency proofs to <see cref="Checkpoint"/>.</summary>
    public required IReadOnlyList<BundleConsistency> Consistency { get; init; }

    public static LedgerBundle Parse(ReadOnlySpan<byte> utf8)
    {
        LedgerBundle? bundle;
        try { bundle = JsonSerializer.Deserialize<LedgerBundle>(utf8, Json); }
        catch (JsonException ex) { throw new BundleFormatException($"not a ledger bundle: {ex.Message}", ex); }
        if (bundle is null) throw new BundleFormatException("not a ledger bundle: the file holds JSON null");
        if (bundle.Format != FormatV1) throw new BundleFormatException($"unsupported bundle format \"{bundle.Format}\" (expected \"{FormatV1}\")");
        return bundle;
    }

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
}

/// <summary>
/// One entry: <see cref="Entry"/> is the leaf data as text (canonical JSON; its UTF-8 bytes are what is hashed),
/// <see cref="Payload"/> is the payload (JSON text for <c>rfc8785</c>, base64 for <c>raw</c>), <see cref="Salt"/>
/// base64. Payload and salt are null when the payload was erased (redacted).
/// </summary>
public sealed record BundleEntry(long Index, string Entry, string? Payload, string? Salt, IReadOnlyList<string> Proof)
{
    public bool Redacted => Payload is null && Salt is null;

    public static string EncodePayload(string payloadFormat, byte[] payload) =>
        payloadFormat == PayloadFormats.Rfc8785 ? Encoding.UTF8.GetString(payload) : Convert.ToBase64String(payload);

    public static byte[] DecodePayload(string payloadFormat, string payload) =>
        payloadFormat == PayloadFormats.Rfc8785 ? Encoding.UTF8.GetBytes(payload) : Convert.FromBase64String(payload);
}

/// <summary>A checkpoint signed earlier, and the consistency proof from its tree to the bundle's checkpoint.</summary>
public sealed record BundleConsistency(string Checkpoint, IReadOnlyList<string> Proof);
