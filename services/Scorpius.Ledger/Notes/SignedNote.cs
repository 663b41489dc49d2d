using System.Buffers.Binary;
using System.Text;
using Scorpius.Ledger.Merkle;

namespace Scorpius.Ledger.Notes;

/// <summary>One signature line of a note: <c>— &lt;key name&gt; base64(key ID ‖ signature)</c>.</summary>
public sealed record NoteSignature(string KeyName, uint KeyId, byte[] Signature)
{
    public string ToLine() =>
        $"\u2014 {KeyName} {Convert.ToBase64String([.. BigEndian(KeyId), .. Signature])}\n";

    internal static byte[] BigEndian(uint keyId)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, keyId);
        return bytes;
    }
}

/// <summary>
/// A C2SP signed note (c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line, then one or more
/// signature lines. The text is what is signed, including its final newline.
/// </summary>
public sealed record SignedNote(string Text, IReadOnlyList<NoteSignature> Signatures)
{
    private const int MaxSignatures = 100;

    public override string ToString() => Text + "\n" + string.Concat(Signatures.Select(s => s.ToLine()));

    /// <summary>Parses a signed note; throws <see cref="LedgerVerificationException"/> when it is malformed.</summary>
    public static SignedNote Parse(string note)
    {
        if (note.Any(c => c < ' ' && c != '\n')) throw new LedgerVerificationException("note contains a control character");
        if (note.Any(char.IsSurrogate) && !IsWellFormedUtf16(note)) throw new LedgerVerificationException("note is not valid Unicode");
        if (!note.EndsWith('\n')) throw new LedgerVerificationException("note does not end with a newline");
        // The text is separated from the signatures by the last blank line.
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0) throw new LedgerVerificationException("note has no signature block");
        var text = note[..(split + 1)];
        var lines = note[(split + 2)..].Split('\n')[..^1];
        if (lines.Length == 0) throw new LedgerVerificationException("note has no signatures");
        if (lines.Length > MaxSignatures) throw new LedgerVerificationException($"note has more than {MaxSignatures} signatures");
        var signatures = new List<NoteSignature>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            if (parts.Length != 3 || parts[0] != "\u2014" || !IsValidKeyName(parts[1]))
                throw new LedgerVerificationException($"malformed signature line \"{line}\"");
            var blob = StrictBase64.Decode(parts[2], $"signature of {parts[1]}");
            if (blob.Length < 5) throw new LedgerVerificationException($"signature of {parts[1]} is too short");
            signatures.Add(new NoteSignature(parts[1], BinaryPrimitives.ReadUInt32BigEndian(blob), blob[4..]));
        }
        return new SignedNote(text, signatures);
    }

    /// <summary>Key names are non-empty and contain neither Unicode spaces nor '+'.</summary>
    public static bool IsValidKeyName(string name) =>
        name.Length > 0 && !name.Any(c => char.IsWhiteSpace(c) || c == '+' || c < ' ');

    private static bool IsWellFormedUtf16(string s)
    {
        try { _ = new UTF8Encoding(false, true).GetByteCount(s); return true; }
        catch (EncoderFallbackException) { return false; }
    }
}
