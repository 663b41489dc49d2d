using System.Text;
using Scorpius.Ledger.Entries;
using Scorpius.Ledger.Merkle;
using Scorpius.Ledger.Notes;

namespace Scorpius.Ledger.Bundles;

/// <summary>What a bundle proved.</summary>
public sealed record BundleReport(
    string Origin,
    long TreeSize,
    string RootHash,
    DateTimeOffset CheckpointTime,
    NoteVerifierKey SignedBy,
    bool KeyPinned,
    int Entries,
    int Redacted,
    long? FirstIndex,
    long? LastIndex,
    int ConsistencyProofs);

/// <summary>
/// Offline verification of a <see cref="LedgerBundle"/>: no network, no database. Checks, in this order and stopping
/// at the first failure (a <see cref="LedgerVerificationException"/> whose message names the checkpoint, proof or
/// entry): the checkpoint's signature; every earlier checkpoint's signature and its consistency proof; then every
/// entry by ascending index — its leaf hash, inclusion proof, canonical form and payload commitment.
/// </summary>
public static class BundleVerifier
{
    /// <param name="pinnedKeys">Keys to trust instead of the ones the bundle carries (e.g. the log's published key).</param>
    public static BundleReport Verify(LedgerBundle bundle, IReadOnlyCollection<NoteVerifierKey>? pinnedKeys = null)
    {
        var keys = pinnedKeys is { Count: > 0 } ? pinnedKeys : ParseKeys(bundle.VerifierKeys);

        var (checkpoint, signer) = Stage("checkpoint", () => Checkpoint.Verify(bundle.Checkpoint, keys));
        if (checkpoint.Origin != bundle.Origin)
            throw new LedgerVerificationException($"checkpoint: origin \"{checkpoint.Origin}\" is not the bundle's origin \"{bundle.Origin}\"");

        for (var i = 0; i < bundle.Consistency.Count; i++)
        {
            var item = bundle.Consistency[i];
            Stage($"consistency proof {i + 1}", () =>
            {
                var (earlier, _) = Checkpoint.Verify(item.Checkpoint, keys);
                if (earlier.Origin != checkpoint.Origin) throw new LedgerVerificationException($"checkpoint of tree size {earlier.Size} has origin \"{earlier.Origin}\"");
                Stage($"from tree size {earlier.Size} to {checkpoint.Size}", () =>
                    ProofVerifier.VerifyConsistency(earlier.Size, checkpoint.Size, earlier.RootHash, checkpoint.RootHash, DecodeHashes(item.Proof)));
            });
        }

        long previous = -1;
        var redacted = 0;
        foreach (var entry in bundle.Entries)
        {
            if (entry.Index <= previous)
                throw new LedgerVerificationException($"entry {entry.Index}: entries are not in strictly ascending index order (after entry {previous})");
            previous = entry.Index;
            Stage($"entry {entry.Index}", () => VerifyEntry(entry, checkpoint));
            if (entry.Redacted) redacted++;
        }

        return new BundleReport(checkpoint.Origin, checkpoint.Size, Convert.ToBase64String(checkpoint.RootHash), checkpoint.Timestamp,
            signer, pinnedKeys is { Count: > 0 }, bundle.Entries.Count, redacted,
            bundle.Entries.Count > 0 ? bundle.Entries[0].Index : null, bundle.Entries.Count > 0 ? bundle.Entries[^1].Index : null,
            bundle.Consistency.Count);
    }

    private static void VerifyEntry(BundleEntry entry, Checkpoint checkpoint)
    {
        var bytes = Encoding.UTF8.GetBytes(entry.Entry);
        ProofVerifier.VerifyInclusion(entry.Index, checkpoint.Size, MerkleHash.Leaf(bytes), DecodeHashes(entry.Proof), checkpoint.RootHash);
        var header = LedgerEntry.Decode(bytes);
        if (entry.Redacted) return;
        if (entry.Payload is null || entry.Salt is null) throw new LedgerVerificationException("payload and salt must both be present, or both be null (redacted)");
        var payload = header.PayloadFormat == PayloadFormats.Raw ? StrictBase64.Decode(entry.Payload, "payload") : BundleEntry.DecodePayload(header.PayloadFormat, entry.Payload);
        header.VerifyPayload(payload, StrictBase64.Decode(entry.Salt, "salt"));
    }

    private static NoteVerifierKey[] ParseKeys(IReadOnlyList<string> vkeys) =>
        Stage("verifier keys", () => vkeys.Select(NoteVerifierKey.Parse).ToArray());

    private static byte[][] DecodeHashes(IReadOnlyList<string> hashes) =>
        hashes.Select((h, i) => StrictBase64.Decode(h, $"proof hash {i + 1}")).ToArray();

    private static void Stage(string what, Action check) => Stage<object?>(what, () => { check(); return null; });

    private static T Stage<T>(string what, Func<T> check)
    {
        try { return check(); }
        catch (LedgerVerificationException ex) { throw new LedgerVerificationException($"{what}: {ex.Message}"); }
    }
}
