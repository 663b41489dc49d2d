using System.Text;
using Scorpius.AuditTrail.Api;
using Scorpius.AuditTrail.Tests.TestSupport;
using Scorpius.Ledger.Canonical;
using Scorpius.Ledger.Entries;
using Scorpius.Ledger.Merkle;

namespace Scorpius.AuditTrail.Tests.Ledger;

/// <summary>Entry encoding: canonical, reproducible, and committing to its payload.</summary>
public sealed class LedgerEntryTests
{
    [Theory]
    [InlineData("wallet-guard", "evt-1", null, null)]
    [InlineData("src \"quoted\" \\ \u0001\n\t", "ïd-€-😀-\u2028", "data does not match: #/actor", 7L)]
    public void The_encoded_header_is_already_in_RFC_8785_form_and_decodes_to_itself(string source, string id, string? error, long? redacts)
    {
        var header = new LedgerEntry
        {
            Kind = EntryKinds.Event, Source = source, EventId = id, Type = "io.scorpius.audit.v1", Time = "2026-01-01T00:00:00Z",
            RecordedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero), PayloadFormat = PayloadFormats.Rfc8785,
            PayloadSize = 123, PayloadHash = new string('a', 64), Error = error, Redacts = redacts,
        };
        var bytes = header.Encode();
        Assert.Equal(JsonCanonicalizer.Canonicalize(bytes), bytes);
        Assert.Equal(header, LedgerEntry.Decode(bytes));
    }

    [Fact]
    public void A_known_entry_has_a_known_leaf_hash()
    {
        // Pinned bytes and hash: any change to the encoding shows up here, and other implementations can check against it.
        var pending = new PendingEntry(EntryKinds.Event, "wallet-guard", "evt-1", "io.scorpius.audit.v1", "2026-01-02T03:04:05Z",
            Encoding.UTF8.GetBytes("""{"a":1}"""), PayloadFormats.Rfc8785);
        var sealedEntry = pending.Seal(new DateTimeOffset(2026, 1, 2, 3, 4, 6, TimeSpan.Zero), salt: new byte[32]);
        const string expected = """{"id":"evt-1","kind":"event","payloadFormat":"rfc8785","payloadHash":"b06a229070741292512e8760f470dd7a4c46ccfdf253df781d88dabe58c1ccb1","payloadSize":7,"recordedAt":"2026-01-02T03:04:06.000Z","source":"wallet-guard","time":"2026-01-02T03:04:05Z","type":"io.scorpius.audit.v1","v":1}""";
        Assert.Equal(expected, Encoding.UTF8.GetString(sealedEntry.Entry));
        // Both hashes computed independently (Python hashlib): SHA-256(32 zero bytes ‖ payload) and SHA-256(0x00 ‖ entry).
        Assert.Equal("b06a229070741292512e8760f470dd7a4c46ccfdf253df781d88dabe58c1ccb1", sealedEntry.Header.PayloadHash);
        Assert.Equal("4999604136a61b219ed782a8901155162c16f1ca1353506e1b737db683c6fe38", Convert.ToHexStringLower(sealedEntry.LeafHash));
    }

    [Fact]
    public void Sealing_the_same_event_twice_commits_with_different_salts_so_an_erased_payload_cannot_be_guessed_from_its_hash()
    {
        var pending = TestEvents.Pending(1);
        var a = pending.Seal(DateTimeOffset.UnixEpoch);
        var b = pending.Seal(DateTimeOffset.UnixEpoch);
        Assert.NotEqual(a.Header.PayloadHash, b.Header.PayloadHash);
        a.Header.VerifyPayload(a.Payload, a.Salt);
        Assert.Throws<LedgerVerificationException>(() => a.Header.VerifyPayload(a.Payload, b.Salt));
        Assert.Throws<LedgerVerificationException>(() => a.Header.VerifyPayload([.. a.Payload[..^1], (byte)'x'], a.Salt));
    }

    [Fact]
    public void Non_canonical_or_foreign_leaf_data_is_refused()
    {
        var bytes = TestEvents.Pending(1).Seal(DateTimeOffset.UnixEpoch).Entry;
        var spaced = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace(",", ", ", StringComparison.Ordinal));
        Assert.Throws<LedgerVerificationException>(() => LedgerEntry.Decode(spaced));
        Assert.Throws<LedgerVerificationException>(() => LedgerEntry.Decode(Encoding.UTF8.GetBytes("""{"v":2}""")));
        Assert.Throws<LedgerVerificationException>(() => LedgerEntry.Decode(Encoding.UTF8.GetBytes("""{"v":1}""")));
    }

    [Fact]
    public void An_envelope_whose_id_is_not_valid_Unicode_is_rejected_not_crashed_on()
    {
        var body = Encoding.UTF8.GetBytes("""{"specversion":"1.0","id":"\ud800","source":"x","type":"t","data":{}}""");
        var result = new AuditIntake(1 << 20).Read(body);
        Assert.False(result.Accepted);
        Assert.StartsWith("sha256:", result.Entry.EventId, StringComparison.Ordinal);
    }
}
