using System.Text;
using Scorpius.Ledger.Bundles;
using Scorpius.Ledger.Entries;
using Scorpius.Ledger.Merkle;
using Scorpius.Ledger.Notes;

namespace Scorpius.AuditTrail.Tests.TestSupport;

/// <summary>Bundles built in memory from the Scorpius.Ledger primitives alone (no store, no service).</summary>
internal static class TestBundles
{
    public static readonly DateTimeOffset At = new(2026, 2, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A log of <paramref name="size"/> entries (one rejected raw message at index 2), a checkpoint at
    /// <paramref name="earlierSize"/> and one at <paramref name="size"/>, and a bundle of entries [<paramref name="from"/>, size).
    /// </summary>
    public static LedgerBundle Build(NoteSigner signer, int size = 12, int earlierSize = 5, int from = 1, int? redacted = 4)
    {
        var tree = new CompactRange(0, []);
        var nodes = new Dictionary<NodeId, byte[]>();
        var entries = new List<SealedEntry>();
        var notes = new Dictionary<long, string>();
        for (var n = 0; n < size; n++)
        {
            var pending = n == 2
                ? new PendingEntry(EntryKinds.Rejected, "wallet-guard", "broken-2", null, null, [0xff, 0x00, (byte)'{'], PayloadFormats.Raw, Error: "the message is not JSON")
                : TestEvents.Pending(n);
            var entry = pending.Seal(At.AddSeconds(n));
            entries.Add(entry);
            foreach (var node in tree.Append(entry.LeafHash)) nodes[node.Id] = node.Hash;
            if (tree.Size == earlierSize || tree.Size == size)
                notes[tree.Size] = signer.SignNote(new Checkpoint(signer.Verifier.Name, tree.Size, tree.Root(), At.AddSeconds(n)).ToNoteText()).ToString();
        }
        return new LedgerBundle
        {
            Format = LedgerBundle.FormatV1,
            Origin = signer.Verifier.Name,
            ExportedAt = At.AddHours(1),
            From = At,
            To = At.AddHours(1),
            Checkpoint = notes[size],
            VerifierKeys = [signer.Verifier.VKey],
            Entries = entries.Skip(from).Select((e, i) =>
            {
                var index = from + i;
                var erased = index == redacted;
                return new BundleEntry(index, Encoding.UTF8.GetString(e.Entry),
                    erased ? null : BundleEntry.EncodePayload(e.Header.PayloadFormat, e.Payload), erased ? null : Convert.ToBase64String(e.Salt),
                    MerkleMath.Resolve(MerkleMath.InclusionRanges(index, size), nodes).Select(Convert.ToBase64String).ToList());
            }).ToList(),
            Consistency = [new BundleConsistency(notes[earlierSize], MerkleMath.Resolve(MerkleMath.ConsistencyRanges(earlierSize, size), nodes).Select(Convert.ToBase64String).ToList())],
        };
    }
}
