using Scorpius.Ledger.Merkle;

namespace Scorpius.Ledger.Entries;

/// <summary>What a service asks the ledger to record; <see cref="Seal"/> turns it into leaf data at append time.</summary>
public sealed record PendingEntry(
    string Kind,
    string Source,
    string EventId,
    string? Type,
    string? Time,
    byte[] Payload,
    string PayloadFormat,
    string? Error = null,
    long? Redacts = null,
    string? Tenant = null)
{
    /// <summary>The identity under which the entry is appended at most once.</summary>
    public EventKey Key => new(Source, EventId);

    public SealedEntry Seal(DateTimeOffset recordedAt, byte[]? salt = null)
    {
        salt ??= PayloadCommitment.NewSalt();
        var header = new LedgerEntry
        {
            Kind = Kind,
            Source = Source,
            EventId = EventId,
            Type = Type,
            Time = Time,
            RecordedAt = recordedAt,
            PayloadFormat = PayloadFormat,
            PayloadSize = Payload.Length,
            PayloadHash = Convert.ToHexStringLower(PayloadCommitment.Hash(salt, Payload)),
            Error = Error,
            Redacts = Redacts,
            Tenant = Tenant,
        };
        var bytes = header.Encode();
        return new SealedEntry(header, bytes, MerkleHash.Leaf(bytes), salt, Payload);
    }
}

/// <summary>CloudEvent source and id: an event's identity in the ledger.</summary>
public readonly record struct EventKey(string Source, string EventId);

/// <summary>An entry ready to store: its header, leaf data (<see cref="Entry"/>), leaf hash, and the payload with its salt.</summary>
public sealed record SealedEntry(LedgerEntry Header, byte[] Entry, byte[] LeafHash, byte[] Salt, byte[] Payload);
