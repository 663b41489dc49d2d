using Scorpius.Ledger.Merkle;
using Scorpius.Ledger.Notes;

namespace Scorpius.AuditTrail.Tests.Ledger;

/// <summary>C2SP signed notes and checkpoints.</summary>
public sealed class SignedNoteTests
{
    // The example key and note of the Go reference implementation, golang.org/x/mod/sumdb/note (note_test.go,
    // BSD-3-Clause): an independent implementation's output that ours must reproduce byte for byte.
    private const string GoVKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    private const string GoSKeyData = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"; // base64(0x01 ‖ 32-byte seed)
    private const string GoText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    private const string GoNote = GoText + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    [Fact]
    public void Signing_reproduces_the_Go_reference_note_byte_for_byte()
    {
        var seed = Convert.FromBase64String(GoSKeyData)[1..];
        using var signer = NoteSigner.Import("PeterNeumann", Convert.ToBase64String(seed));
        Assert.Equal(GoVKey, signer.Verifier.VKey);
        Assert.Equal("c74f20a3", signer.Verifier.KeyIdHex);
        Assert.Equal(GoNote, signer.SignNote(GoText).ToString());
    }

    [Fact]
    public void The_Go_reference_note_verifies_and_any_change_to_it_does_not()
    {
        var key = NoteVerifierKey.Parse(GoVKey);
        var note = SignedNote.Parse(GoNote);
        Assert.Equal(GoText, note.Text);
        Assert.True(key.Verify(note.Text, Assert.Single(note.Signatures)));

        var changed = SignedNote.Parse(GoNote.Replace("cryptography", "cryptographY", StringComparison.Ordinal));
        Assert.False(key.Verify(changed.Text, changed.Signatures[0]));
    }

    [Theory]
    [InlineData("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")] // wrong key ID
    [InlineData("PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")] // not type 0x01
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10")]   // short key
    [InlineData("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")] // space in the name
    [InlineData("PeterNeumann+c74f20a3")]
    public void Malformed_verifier_keys_are_refused(string vkey) =>
        Assert.Throws<LedgerVerificationException>(() => NoteVerifierKey.Parse(vkey));

    [Fact]
    public void A_PKCS8_PEM_key_as_openssl_writes_it_is_accepted()
    {
        // RFC 8410 §10.3 example private key (PKCS#8 PEM, as `openssl genpkey -algorithm ed25519` writes).
        const string pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
        using var signer = NoteSigner.Import("example.com/log", pem);
        // RFC 8410 §10.3 gives the matching public key: 19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1.
        Assert.Equal("19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1", Convert.ToHexStringLower(signer.Verifier.RawPublicKey));
    }

    [Fact]
    public void A_checkpoint_round_trips_and_its_signature_covers_every_line()
    {
        using var signer = NoteSigner.Generate("example.com/audit");
        var checkpoint = new Checkpoint("example.com/audit", 20852163, MerkleHash.Leaf([1, 2, 3]), DateTimeOffset.FromUnixTimeSeconds(1767225600));
        var text = checkpoint.ToNoteText();
        Assert.Equal($"example.com/audit\n20852163\n{Convert.ToBase64String(checkpoint.RootHash)}\ntime 1767225600\n", text);
        var signed = signer.SignNote(text).ToString();

        var (parsed, key) = Checkpoint.Verify(signed, [signer.Verifier]);
        Assert.Equal(checkpoint.Size, parsed.Size);
        Assert.Equal(checkpoint.RootHash, parsed.RootHash);
        Assert.Equal(checkpoint.Timestamp, parsed.Timestamp);
        Assert.Same(signer.Verifier, key);

        foreach (var (from, to) in new[] { ("20852163", "20852164"), ("time 1767225600", "time 1767225601"), ("example.com/audit\n2", "example.com/audiT\n2") })
        {
            var tampered = signed.Replace(from, to, StringComparison.Ordinal);
            Assert.NotEqual(signed, tampered);
            Assert.Throws<LedgerVerificationException>(() => Checkpoint.Verify(tampered, [signer.Verifier]));
        }
    }

    [Fact]
    public void Unknown_keys_are_ignored_but_a_failing_known_key_rejects_the_note()
    {
        using var log = NoteSigner.Generate("example.com/audit");
        using var stranger = NoteSigner.Generate("witness.example/w1");
        var text = new Checkpoint("example.com/audit", 3, MerkleHash.EmptyRoot, DateTimeOffset.UnixEpoch).ToNoteText();
        var note = new SignedNote(text, [stranger.Sign(text), log.Sign(text)]).ToString();
        Assert.Equal(3, Checkpoint.Verify(note, [log.Verifier]).Checkpoint.Size);
        Assert.Throws<LedgerVerificationException>(() => Checkpoint.Verify(note, [NoteSigner.Generate("other.example/x").Verifier]));

        var forged = new SignedNote(text, [new NoteSignature(log.Verifier.Name, log.Verifier.KeyId, stranger.Sign(text).Signature)]).ToString();
        Assert.Throws<LedgerVerificationException>(() => Checkpoint.Verify(forged, [log.Verifier]));
    }

    [Theory]
    [InlineData("no signature block\n")]
    [InlineData("text\n\n\u2014 name\n")]
    [InlineData("text\n\n- name AAAAAAA=\n")]
    [InlineData("text\n\n\u2014 name !!!!\n")]
    [InlineData("text\r\n\n\u2014 name AAAAAAA=\n")]
    [InlineData("text\n\n\u2014 name AAAAAAA=")]
    public void Malformed_notes_are_refused(string note) =>
        Assert.Throws<LedgerVerificationException>(() => SignedNote.Parse(note));
}
