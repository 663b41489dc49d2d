using System.Globalization;
using Scorpius.Ledger.Merkle;

namespace Scorpius.Ledger.Notes;

/// <summary>
/// A C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): origin, tree size and base64 root hash, one per line. The
/// signing time is carried as the extension line <c>time &lt;POSIX seconds&gt;</c> (the form of the timestamp line of
/// c2sp.org/tlog-cosignature), so it is covered by the log's signature.
/// </summary>
public sealed record Checkpoint(string Origin, long Size, byte[] RootHash, DateTimeOffset Timestamp)
{
    private const string TimePrefix = "time ";

    public string ToNoteText() =>
        $"{Origin}\n{Size.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(RootHash)}\n{TimePrefix}{Timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}\n";

    public static Checkpoint ParseNoteText(string text)
    {
        var lines = text.Split('\n');
        if (lines.Length < 4 || lines[^1] != "") throw new LedgerVerificationException("checkpoint has fewer than three lines");
        var origin = lines[0];
        if (origin.Length == 0) throw new LedgerVerificationException("checkpoint origin is empty");
        if (!long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size) || (lines[1].Length > 1 && lines[1][0] == '0'))
            throw new LedgerVerificationException($"checkpoint tree size \"{lines[1]}\" is not a decimal number without leading zeroes");
        var root = StrictBase64.Decode(lines[2], "checkpoint root hash");
        if (root.Length != MerkleHash.Size) throw new LedgerVerificationException($"checkpoint root hash has {root.Length} bytes");
        var extensions = lines[3..^1];
        if (extensions.Any(l => l.Length == 0)) throw new LedgerVerificationException("checkpoint has an empty extension line");
        var time = extensions.FirstOrDefault(l => l.StartsWith(TimePrefix, StringComparison.Ordinal));
        if (time is null || !long.TryParse(time[TimePrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            throw new LedgerVerificationException("checkpoint has no \"time <POSIX seconds>\" line");
        return new Checkpoint(origin, size, root, DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    /// <summary>Verifies a signed checkpoint against trusted keys and returns it with the key that signed it.</summary>
    /// <remarks>
    /// As signed-note requires: signatures from unknown keys are ignored; a signature from a known key that fails makes
    /// the whole note fail; at least one known key must have signed.
    /// </remarks>
    public static (Checkpoint Checkpoint, NoteVerifierKey Key) Verify(string signedNote, IReadOnlyCollection<NoteVerifierKey> trusted)
    {
        var note = SignedNote.Parse(signedNote);
        NoteVerifierKey? signer = null;
        foreach (var signature in note.Signatures)
        {
            var key = trusted.FirstOrDefault(k => k.Matches(signature));
            if (key is null) continue;
            if (!key.Verify(note.Text, signature)) throw new LedgerVerificationException($"checkpoint signature of {key.Name} (key {key.KeyIdHex}) is invalid");
            signer ??= key;
        }
        if (signer is null) throw new LedgerVerificationException("checkpoint is not signed by any trusted key");
        var checkpoint = ParseNoteText(note.Text);
        return (checkpoint, signer);
    }
}
