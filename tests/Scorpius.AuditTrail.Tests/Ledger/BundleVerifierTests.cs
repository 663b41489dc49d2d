using System.Text;
using Scorpius.AuditTrail.Tests.TestSupport;
using Scorpius.Ledger.Bundles;
using Scorpius.Ledger.Merkle;
using Scorpius.Ledger.Notes;

namespace Scorpius.AuditTrail.Tests.Ledger;

/// <summary>Offline bundle verification: a good bundle passes, and changing any character of it is caught and located.</summary>
public sealed class BundleVerifierTests : IDisposable
{
    private readonly NoteSigner signer = NoteSigner.Generate("test.scorpius.dev/audit");

    public void Dispose() => signer.Dispose();

    [Fact]
    public void A_good_bundle_verifies_and_the_report_says_what_it_proved()
    {
        var report = BundleVerifier.Verify(LedgerBundle.Parse(TestBundles.Build(signer).ToJsonBytes()));
        Assert.Equal((12L, 11, 1, 1L, 11L, 1), (report.TreeSize, report.Entries, report.Redacted, report.FirstIndex, report.LastIndex, report.ConsistencyProofs));
        Assert.Equal(signer.Verifier.VKey, report.SignedBy.VKey);
        Assert.False(report.KeyPinned);
        Assert.True(BundleVerifier.Verify(TestBundles.Build(signer), [signer.Verifier]).KeyPinned);
    }

    [Fact]
    public void Every_single_character_change_in_an_entry_its_payload_salt_or_proof_fails_and_names_that_entry()
    {
        var bundle = TestBundles.Build(signer);
        foreach (var index in new[] { 2, 7 }) // the raw rejected message and an event
        {
            var entry = bundle.Entries.Single(e => e.Index == index);
            var fields = new List<(string Name, string Value, Func<string, BundleEntry> With)>
            {
                ("entry", entry.Entry, v => entry with { Entry = v }),
                ("payload", entry.Payload!, v => entry with { Payload = v }),
                ("salt", entry.Salt!, v => entry with { Salt = v }),
            };
            for (var p = 0; p < entry.Proof.Count; p++)
            {
                var at = p;
                fields.Add(($"proof {p}", entry.Proof[p], v => entry with { Proof = [.. entry.Proof.Take(at), v, .. entry.Proof.Skip(at + 1)] }));
            }
            foreach (var (name, value, with) in fields)
            {
                for (var c = 0; c < value.Length; c++)
                {
                    var changed = value[..c] + Other(value[c]) + value[(c + 1)..];
                    var tampered = bundle with { Entries = bundle.Entries.Select(e => e.Index == index ? with(changed) : e).ToList() };
                    var error = Assert.Throws<LedgerVerificationException>(() => BundleVerifier.Verify(tampered));
                    Assert.True(error.Message.StartsWith($"entry {index}:", StringComparison.Ordinal), $"{name}[{c}]: {error.Message}");
                }
            }
        }
    }

    [Fact]
    public void Every_single_character_change_in_a_checkpoint_fails()
    {
        var bundle = TestBundles.Build(signer);
        for (var c = 0; c < bundle.Checkpoint.Length; c++)
        {
            var tampered = bundle with { Checkpoint = bundle.Checkpoint[..c] + Other(bundle.Checkpoint[c]) + bundle.Checkpoint[(c + 1)..] };
            var error = Assert.Throws<LedgerVerificationException>(() => BundleVerifier.Verify(tampered));
            Assert.True(error.Message.StartsWith("checkpoint:", StringComparison.Ordinal) || error.Message.StartsWith("entry 1:", StringComparison.Ordinal)
                || error.Message.StartsWith("consistency proof 1:", StringComparison.Ordinal), $"[{c}]: {error.Message}");
        }
        var earlier = bundle.Consistency[0];
        for (var c = 0; c < earlier.Checkpoint.Length; c++)
        {
            var tampered = bundle with { Consistency = [earlier with { Checkpoint = earlier.Checkpoint[..c] + Other(earlier.Checkpoint[c]) + earlier.Checkpoint[(c + 1)..] }] };
            var error = Assert.Throws<LedgerVerificationException>(() => BundleVerifier.Verify(tampered));
            Assert.StartsWith("consistency proof 1:", error.Message, StringComparison.Ordinal);
        }
        for (var p = 0; p < earlier.Proof.Count; p++)
        {
            var proof = earlier.Proof.ToArray();
            proof[p] = proof[p][..3] + Other(proof[p][3]) + proof[p][4..];
            var error = Assert.Throws<LedgerVerificationException>(() => BundleVerifier.Verify(bundle with { Consistency = [earlier with { Proof = proof }] }));
            Assert.StartsWith("consistency proof 1: from tree size 5 to 12:", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Removing_reordering_or_moving_entries_fails_and_names_the_entry()
    {
        var bundle = TestBundles.Build(signer);
        var swapped = bundle.Entries.ToList();
        (swapped[3], swapped[4]) = (swapped[4], swapped[3]);
        Assert.StartsWith("entry 4:", Assert.Throws<LedgerVerificationException>(() => BundleVerifier.Verify(bundle with { Entries = swapped })).Message, StringComparison.Ordinal);

        var moved = bundle.Entries.Select(e => e.Index == 6 ? e with { Index = 30 } : e).ToList();
        Assert.StartsWith("entry 30:", Assert.Throws<LedgerVerificationException>(() => BundleVerifier.Verify(bundle with { Entries = moved })).Message, StringComparison.Ordinal);

        var halfErased = bundle.Entries.Select(e => e.Index == 8 ? e with { Salt = null } : e).ToList();
        Assert.StartsWith("entry 8:", Assert.Throws<LedgerVerificationException>(() => BundleVerifier.Verify(bundle with { Entries = halfErased })).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bundle_signed_by_another_key_than_the_pinned_one_fails_even_if_it_carries_that_key()
    {
        using var impostor = NoteSigner.Generate("test.scorpius.dev/audit");
        var forged = TestBundles.Build(impostor);
        Assert.Equal(12, BundleVerifier.Verify(forged).TreeSize); // self-consistent with its own key…
        var error = Assert.Throws<LedgerVerificationException>(() => BundleVerifier.Verify(forged, [signer.Verifier]));
        Assert.Equal("checkpoint: checkpoint is not signed by any trusted key", error.Message); // …but not signed by the log
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"format\":\"other/v9\"}")]
    public void A_file_that_is_not_a_bundle_is_a_format_error_not_a_verification_failure(string text) =>
        Assert.Throws<BundleFormatException>(() => LedgerBundle.Parse(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Unknown_members_and_wrong_format_versions_are_refused()
    {
        var json = Encoding.UTF8.GetString(TestBundles.Build(signer).ToJsonBytes());
        Assert.Throws<BundleFormatException>(() => LedgerBundle.Parse(Encoding.UTF8.GetBytes(json.Replace("\"origin\":", "\"extra\": 1, \"origin\":", StringComparison.Ordinal))));
        Assert.Throws<BundleFormatException>(() => LedgerBundle.Parse(Encoding.UTF8.GetBytes(json.Replace(LedgerBundle.FormatV1, "scorpius.audit-bundle.v2", StringComparison.Ordinal))));
    }

    /// <summary>A different character of the same kind, so base64 stays base64 and JSON text stays text.</summary>
    private static char Other(char c) => c switch
    {
        >= 'a' and < 'z' or >= 'A' and < 'Z' or >= '0' and < '9' => (char)(c + 1),
        'z' => 'a',
        'Z' => 'A',
        '9' => '0',
        '+' => '/',
        '/' => '+',
        _ => c == 'x' ? 'y' : 'x',
    };
}
