using System.Text;
using Scorpius.AuditTrail.Storage;
using Scorpius.Ledger.Bundles;
using Scorpius.Ledger.Entries;
using Scorpius.Ledger.Notes;

namespace Scorpius.AuditTrail.Api;

/// <summary>
/// One ledger entry. <c>entry</c> is the leaf data as text (RFC 8785 canonical JSON; its UTF-8 bytes are hashed);
/// <c>payload</c> is JSON text (payloadFormat rfc8785) or base64 (raw), null once redacted; <c>salt</c> and
/// <c>leafHash</c> are base64.
/// </summary>
public sealed record EntryResponse(
    long Index, string Kind, string Source, string EventId, DateTimeOffset RecordedAt, string LeafHash, string Entry, string? Payload, string? Salt, bool Redacted,
    string? Tenant = null)
{
    public static EntryResponse From(StoredEntry stored)
    {
        var header = LedgerEntry.Decode(stored.Entry);
        return new EntryResponse(stored.Index, header.Kind, stored.Source, stored.EventId, header.RecordedAt, Convert.ToBase64String(stored.LeafHash),
            Encoding.UTF8.GetString(stored.Entry), stored.Payload is null ? null : BundleEntry.EncodePayload(header.PayloadFormat, stored.Payload),
            stored.Salt is null ? null : Convert.ToBase64String(stored.Salt), stored.Redacted, header.Tenant);
    }
}

/// <summary>An RFC 9162 inclusion proof (base64 hashes, leaf to root) and the signed checkpoint of that tree size, when there is one.</summary>
public sealed record InclusionProofResponse(long Index, long TreeSize, string LeafHash, IReadOnlyList<string> Proof, string? Checkpoint);

/// <summary>An RFC 9162 consistency proof between two tree sizes (base64 hashes).</summary>
public sealed record ConsistencyProofResponse(long From, long To, IReadOnlyList<string> Proof);

/// <summary>A signed checkpoint: its fields, and the whole C2SP signed note.</summary>
public sealed record CheckpointResponse(long TreeSize, string RootHash, DateTimeOffset Timestamp, string KeyName, string KeyId, string Note)
{
    public static CheckpointResponse From(StoredCheckpoint stored)
    {
        var signature = SignedNote.Parse(stored.Note).Signatures[0];
        return new CheckpointResponse(stored.TreeSize, Convert.ToBase64String(stored.RootHash), stored.Timestamp, signature.KeyName,
            signature.KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), stored.Note);
    }
}

/// <summary>Every verifier key (vkey) the log has signed with, oldest first.</summary>
public sealed record VerifierKeysResponse(IReadOnlyList<string> Keys);

/// <summary>Erase an entry's payload (GDPR). Both fields are recorded in the redaction entry.</summary>
public sealed record RedactionRequest(string? Reason, string? RequestedBy);

public sealed record RedactionResponse(long RedactedIndex, long RedactionIndex);
