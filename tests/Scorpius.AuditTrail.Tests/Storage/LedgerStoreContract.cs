using System.Text;
using Scorpius.AuditTrail.Ledger;
using Scorpius.AuditTrail.Storage;
using Scorpius.AuditTrail.Tests.Ledger;
using Scorpius.AuditTrail.Tests.TestSupport;
using Scorpius.Ledger.Bundles;
using Scorpius.Ledger.Entries;
using Scorpius.Ledger.Merkle;
using Scorpius.Testing.Sidecar;

namespace Scorpius.AuditTrail.Tests.Storage;

/// <summary>
/// The one repository test suite, run against every store: PostgreSQL (a real server) and the embedded SQLite store.
/// A subclass provides fresh, empty stores over one database, and a way to change bytes behind the ledger's back
/// (as someone with direct database access could).
/// </summary>
public abstract class LedgerStoreContract : IAsyncLifetime
{
    private FakeDaprSidecar? sidecar;
    private readonly List<LedgerHarness> harnesses = [];

    protected FakeDaprSidecar Sidecar => sidecar!;

    /// <summary>Makes the database (empty) this test uses.</summary>
    protected abstract Task CreateDatabaseAsync();

    /// <summary>A new store object over this test's database: another connection pool, as another instance would have.</summary>
    protected abstract ILedgerStore OpenStore();

    /// <summary>Runs SQL with the append-only protections bypassed (parameters @a, @b, …).</summary>
    protected abstract Task TamperAsync(string sql, params object[] args);

    /// <summary>The SQL error an UPDATE or DELETE of a protected table raises.</summary>
    protected abstract Task<Exception> RefusedAsync(string sql);

    public async Task InitializeAsync()
    {
        sidecar = await FakeDaprSidecar.StartAsync();
        LedgerHarness.SetSigningKey(sidecar);
        await CreateDatabaseAsync();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var h in harnesses) await h.DisposeAsync();
        await Sidecar.DisposeAsync();
    }

    private LedgerHarness Harness()
    {
        var harness = new LedgerHarness(OpenStore(), Sidecar);
        harnesses.Add(harness);
        return harness;
    }

    [Fact]
    public async Task Batches_get_consecutive_indexes_and_the_stored_tree_equals_an_independent_computation()
    {
        var h = Harness();
        var batches = new[] { TestEvents.Batch(0, 1), TestEvents.Batch(1, 7), TestEvents.Batch(8, 25) };
        var indexes = new List<long>();
        foreach (var batch in batches) indexes.AddRange((await h.Ledger.AppendAsync(batch, default)).Select(r => r.Index));

        Assert.Equal(Enumerable.Range(0, 33).Select(i => (long)i), indexes);
        Assert.Equal(33, await h.Store.GetSizeAsync(default));
        var entries = await h.Store.GetEntriesAsync(0, 100, default);
        Assert.Equal(33, entries.Count);
        foreach (var size in new[] { 1, 8, 13, 32, 33 })
        {
            var root = ReferenceMerkle.Mth(entries.Take(size).Select(e => e.Entry).ToList());
            Assert.Equal(root, await h.Ledger.RootAsync(size, default));
            for (var i = 0; i < size; i++)
            {
                var proof = await h.Ledger.InclusionProofAsync(i, size, default);
                ProofVerifier.VerifyInclusion(i, size, entries[i].LeafHash, proof, root);
            }
        }
        var (root8, root33) = (await h.Ledger.RootAsync(8, default), await h.Ledger.RootAsync(33, default));
        var consistency = await h.Ledger.ConsistencyProofAsync(8, 33, default);
        ProofVerifier.VerifyConsistency(8, 33, root8, root33, consistency);
        await AssertConsistentAsync(h);
    }

    [Fact]
    public async Task Redelivered_events_are_appended_once_whether_repeated_across_or_within_batches()
    {
        var h = Harness();
        var first = await h.Ledger.AppendAsync(TestEvents.Batch(0, 10), default);
        Assert.All(first, r => Assert.True(r.Appended));

        var again = await h.Ledger.AppendAsync([.. TestEvents.Batch(5, 10), TestEvents.Pending(12), TestEvents.Pending(3)], default);
        Assert.Equal([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 12, 3], again.Select(r => r.Index));
        Assert.Equal([false, false, false, false, false, true, true, true, true, true, false, false], again.Select(r => r.Appended));
        Assert.Equal(15, await h.Store.GetSizeAsync(default));

        // The same id from another source is another event.
        var other = await h.Ledger.AppendAsync([TestEvents.Pending(3, source: "notifications")], default);
        Assert.Equal(new AppendResult(15, true), other[0]);
        await AssertConsistentAsync(h);
    }

    [Fact]
    public async Task Two_instances_appending_at_once_produce_one_total_order_without_gaps_or_duplicates()
    {
        var a = Harness();
        var b = Harness();
        async Task<List<AppendResult>> Writer(LedgerHarness h, string source)
        {
            var results = new List<AppendResult>();
            for (var batch = 0; batch < 20; batch++)
            {
                // Every batch also repeats one event of the other writer, so the two race on the same identity.
                var entries = TestEvents.Batch(batch * 10, 10, source);
                entries.Add(TestEvents.Pending(batch * 10, source == "a" ? "b" : "a"));
                results.AddRange(await h.Ledger.AppendAsync(entries, default));
            }
            return results;
        }
        var results = await Task.WhenAll(Task.Run(() => Writer(a, "a")), Task.Run(() => Writer(b, "b")));

        Assert.Equal(400, await a.Store.GetSizeAsync(default));
        var appended = results.SelectMany(r => r).Where(r => r.Appended).Select(r => r.Index).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 400).Select(i => (long)i), appended);
        var entries = await a.Store.GetEntriesAsync(0, 1000, default);
        Assert.Equal(400, entries.Select(e => (e.Source, e.EventId)).Distinct().Count());
        var report = await b.Verifier.VerifyAsync(default);
        Assert.True(report.Consistent, report.Problem);
        Assert.Equal(ReferenceMerkle.Mth(entries.Select(e => e.Entry).ToList()), await b.Ledger.RootAsync(400, default));
    }

    [Fact]
    public async Task A_transaction_that_never_commits_leaves_nothing_behind()
    {
        var h = Harness();
        await h.Ledger.AppendAsync(TestEvents.Batch(0, 5), default);

        await using (var transaction = await h.Store.BeginAsync(default))
        {
            var sealedEntries = TestEvents.Batch(100, 3).Select(e => e.Seal(DateTimeOffset.UtcNow)).ToList();
            var tree = new CompactRange(0, []);
            foreach (var e in (await h.Store.GetEntriesAsync(0, 5, default))) tree.Append(e.LeafHash);
            var nodes = sealedEntries.SelectMany(e => tree.Append(e.LeafHash)).Where(n => n.Id.Level > 0).ToList();
            await transaction.AppendAsync(sealedEntries, nodes, default);
            // Disposed without CommitAsync: the process "dies" here, mid-batch.
        }

        Assert.Equal(5, await h.Store.GetSizeAsync(default));
        Assert.Empty(await h.Store.FindByEventIdAsync("evt-100", null, default));
        var next = await h.Ledger.AppendAsync(TestEvents.Batch(100, 3), default);
        Assert.Equal([5L, 6L, 7L], next.Select(r => r.Index));
        await AssertConsistentAsync(h);
    }

    [Theory]
    [InlineData("UPDATE ledger_entries SET event_id = 'x' WHERE idx = 1")]
    [InlineData("DELETE FROM ledger_entries WHERE idx = 1")]
    [InlineData("UPDATE ledger_nodes SET hash = hash WHERE level = 1")]
    [InlineData("DELETE FROM ledger_nodes WHERE level = 1")]
    [InlineData("UPDATE ledger_checkpoints SET note = 'x'")]
    [InlineData("DELETE FROM ledger_checkpoints")]
    [InlineData("DELETE FROM ledger_keys")]
    [InlineData("UPDATE ledger_payloads SET payload = payload WHERE idx = 1")]
    public async Task The_schema_refuses_to_change_or_delete_what_was_recorded(string sql)
    {
        var h = Harness();
        await h.Ledger.AppendAsync(TestEvents.Batch(0, 4), default);
        await h.Checkpointer.EnsureLatestAsync(default);

        var error = await RefusedAsync(sql);
        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        await AssertConsistentAsync(h);
    }

    [Fact]
    public async Task Redaction_erases_the_payload_keeps_the_leaf_and_every_proof_and_is_itself_an_entry()
    {
        var h = Harness();
        await h.Ledger.AppendAsync(TestEvents.Batch(0, 10), default);
        var before = await h.Checkpointer.EnsureLatestAsync(default);
        var original = (await h.Store.GetEntryAsync(3, default))!;

        var redaction = await h.Ledger.RedactAsync(3, "GDPR art. 17 request #42", "dpo@example.com", default);
        Assert.Equal(new RedactionResult(3, 10, true), redaction);
        var erased = (await h.Store.GetEntryAsync(3, default))!;
        Assert.Null(erased.Payload);
        Assert.Null(erased.Salt);
        Assert.Equal(original.Entry, erased.Entry);
        Assert.Equal(original.LeafHash, erased.LeafHash);

        var record = (await h.Store.GetEntryAsync(10, default))!;
        var header = LedgerEntry.Decode(record.Entry);
        Assert.Equal(EntryKinds.Redaction, header.Kind);
        Assert.Equal(3, header.Redacts);
        Assert.Contains("GDPR art. 17 request #42", Encoding.UTF8.GetString(record.Payload!), StringComparison.Ordinal);

        // Old and new proofs still hold; a second request changes nothing.
        var oldProof = await h.Ledger.InclusionProofAsync(3, before.TreeSize, default);
        ProofVerifier.VerifyInclusion(3, before.TreeSize, erased.LeafHash, oldProof, before.RootHash);
        Assert.Equal(new RedactionResult(3, 10, false), await h.Ledger.RedactAsync(3, "again", "dpo@example.com", default));
        Assert.Equal(11, await h.Store.GetSizeAsync(default));
        await AssertConsistentAsync(h);
        var bundle = await h.Exporter.ExportAsync(DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddMinutes(1), default);
        var report = BundleVerifier.Verify(LedgerBundle.Parse(bundle.ToJsonBytes()));
        Assert.Equal((11, 1), (report.Entries, report.Redacted));
        await Assert.ThrowsAsync<LedgerRangeException>(() => h.Ledger.RedactAsync(99, "r", "x", default));
    }

    [Fact]
    public async Task Entries_are_found_by_index_event_id_and_time_range()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var h = new LedgerHarness(OpenStore(), Sidecar, time);
        harnesses.Add(h);
        await h.Ledger.AppendAsync(TestEvents.Batch(0, 3), default);
        time.Advance(TimeSpan.FromHours(1));
        await h.Ledger.AppendAsync(TestEvents.Batch(3, 4), default);
        time.Advance(TimeSpan.FromHours(1));
        await h.Ledger.AppendAsync([TestEvents.Pending(1, source: "notifications")], default);

        Assert.Equal("evt-4", (await h.Store.GetEntryAsync(4, default))!.EventId);
        Assert.Null(await h.Store.GetEntryAsync(8, default));
        Assert.Equal([1L, 7L], (await h.Store.FindByEventIdAsync("evt-1", null, default)).Select(e => e.Index));
        Assert.Equal(7, Assert.Single(await h.Store.FindByEventIdAsync("evt-1", "notifications", default)).Index);
        var hour = new DateTimeOffset(2026, 3, 1, 1, 0, 0, TimeSpan.Zero);
        Assert.Equal([3L, 4L, 5L, 6L], (await h.Store.GetEntriesRecordedAsync(hour, hour.AddHours(1), 100, 100, default)).Select(e => e.Index));
        Assert.Equal([3L, 4L], (await h.Store.GetEntriesRecordedAsync(hour, hour.AddHours(1), 5, 100, default)).Select(e => e.Index));
        Assert.Equal(hour, (await h.Store.GetEntryAsync(3, default))!.RecordedAt);
    }

    [Fact]
    public async Task Checkpoints_are_signed_once_per_size_and_every_key_stays_listed_after_rotation()
    {
        var h = Harness();
        var empty = await h.Checkpointer.EnsureLatestAsync(default);
        Assert.Equal((0L, MerkleHash.EmptyRoot), (empty.TreeSize, empty.RootHash));
        await h.Ledger.AppendAsync(TestEvents.Batch(0, 6), default);
        var six = await h.Checkpointer.EnsureLatestAsync(default);
        Assert.Equal(6, six.TreeSize);
        Assert.Equal(six.Note, (await h.Checkpointer.EnsureLatestAsync(default)).Note); // no growth, no new checkpoint
        Assert.Equal(six.Note, (await h.Store.GetLatestCheckpointAsync(default))!.Note);
        Assert.False(await h.Store.AddCheckpointAsync(six with { Note = "other" }, default));

        LedgerHarness.SetSigningKey(Sidecar);
        await h.Ledger.AppendAsync(TestEvents.Batch(6, 3), default);
        var nine = await h.Checkpointer.EnsureLatestAsync(default);
        Assert.Equal([0L, 6L, 9L], (await h.Store.GetCheckpointsAsync(default)).Select(c => c.TreeSize));
        Assert.Equal(2, (await h.Store.GetVerifierKeysAsync(default)).Count);
        Assert.NotEqual(Scorpius.Ledger.Notes.SignedNote.Parse(six.Note).Signatures[0].KeyId, Scorpius.Ledger.Notes.SignedNote.Parse(nine.Note).Signatures[0].KeyId);
        await AssertConsistentAsync(h);
    }

    public static IEnumerable<object?[]> Tampering =>
    [
        ["entry data", 17L, "entry 17"],
        ["leaf hash", 17L, "entry 17"],
        ["payload", 17L, "entry 17"],
        ["salt", 17L, "entry 17"],
        ["entry and leaf hash rewritten together", 16L, "node(1,8)"],
        ["interior node", 16L, "node(2,4)"],
        ["missing entry", 17L, "entry 17 is missing"],
        ["checkpoint root", null, "checkpoint of tree size 20"],
        ["checkpoint signature", null, "checkpoint of tree size 40"],
        ["verifier key", null, "stored verifier key"],
    ];

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Changing_any_stored_byte_is_found_by_verification_which_names_the_first_bad_index(string what, long? firstBad, string named)
    {
        var h = Harness();
        await h.Ledger.AppendAsync(TestEvents.Batch(0, 20), default);
        await h.Checkpointer.EnsureLatestAsync(default);
        await h.Ledger.AppendAsync(TestEvents.Batch(20, 20), default);
        await h.Checkpointer.EnsureLatestAsync(default);
        await AssertConsistentAsync(h);
        var e17 = (await h.Store.GetEntryAsync(17, default))!;

        switch (what)
        {
            case "entry data": await TamperAsync("UPDATE ledger_entries SET entry = @a WHERE idx = 17", Flip(e17.Entry, 40)); break;
            case "leaf hash": await TamperAsync("UPDATE ledger_entries SET leaf_hash = @a WHERE idx = 17", Flip(e17.LeafHash, 31)); break;
            case "payload": await TamperAsync("UPDATE ledger_payloads SET payload = @a WHERE idx = 17", Flip(e17.Payload!, 5)); break;
            case "salt": await TamperAsync("UPDATE ledger_payloads SET salt = @a WHERE idx = 17", Flip(e17.Salt!, 0)); break;
            case "entry and leaf hash rewritten together":
                var forged = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(e17.Entry).Replace("wallet-guard", "wallet-guarD", StringComparison.Ordinal));
                await TamperAsync("UPDATE ledger_entries SET entry = @a, leaf_hash = @b, source = 'wallet-guarD' WHERE idx = 17", forged, MerkleHash.Leaf(forged));
                break;
            case "interior node":
                var node = (await h.Store.GetNodesAsync([new NodeId(2, 4)], default))[new NodeId(2, 4)];
                await TamperAsync("UPDATE ledger_nodes SET hash = @a WHERE level = 2 AND idx = 4", Flip(node, 7));
                break;
            case "missing entry": await TamperAsync("DELETE FROM ledger_entries WHERE idx = 17"); break;
            case "checkpoint root": await TamperAsync("UPDATE ledger_checkpoints SET root_hash = @a WHERE tree_size = 20", Flip((await h.Store.GetCheckpointsAsync(default))[0].RootHash, 3)); break;
            case "checkpoint signature":
                var note = (await h.Store.GetLatestCheckpointAsync(default))!.Note;
                var signature = note.LastIndexOf(' ') + 10;
                await TamperAsync("UPDATE ledger_checkpoints SET note = @a WHERE tree_size = 40", note[..signature] + (note[signature] == 'A' ? 'B' : 'A') + note[(signature + 1)..]);
                break;
            case "verifier key":
                var vkey = (await h.Store.GetVerifierKeysAsync(default))[0];
                await TamperAsync("UPDATE ledger_keys SET vkey = @a", vkey[..^3] + (vkey[^3] == 'A' ? 'B' : 'A') + vkey[^2..]);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(what));
        }

        var report = await h.Verifier.VerifyAsync(default);
        Assert.False(report.Consistent);
        Assert.Equal(firstBad, report.FirstBadIndex);
        Assert.Contains(named, report.Problem, StringComparison.Ordinal);
    }

    private static async Task AssertConsistentAsync(LedgerHarness h)
    {
        var report = await h.Verifier.VerifyAsync(default);
        Assert.True(report.Consistent, report.Problem);
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = bytes.ToArray();
        copy[at] ^= 0x01;
        return copy;
    }
}
