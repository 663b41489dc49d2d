using System.Net.Http.Json;
using System.Text;
using Scorpius.AuditTrail.Api;
using Scorpius.AuditTrail.Tests.Service;
using Scorpius.AuditTrail.Tests.TestSupport;
using Scorpius.Cli;
using Scorpius.Ledger.Bundles;
using Scorpius.Ledger.Notes;

namespace Scorpius.AuditTrail.Tests.Cli;

/// <summary><c>scorpius ledger verify BUNDLE</c>, through the CLI's real entry point.</summary>
public sealed class LedgerVerifyCommandTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("scorpius-cli-").FullName;
    private readonly NoteSigner signer = NoteSigner.Generate("test.scorpius.dev/audit");

    public void Dispose()
    {
        signer.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_bundle_exported_by_the_service_verifies_offline_with_exit_code_0_and_a_summary()
    {
        string path;
        string vkey;
        await using (var app = await AuditTrailApp.StartAsync())
        {
            await LedgerApiTests.DeliverAsync(app, 0, 7);
            Assert.True((await app.Client.PostAsJsonAsync("/v1/entries/3/redaction", new RedactionRequest("GDPR request", "dpo"))).IsSuccessStatusCode);
            var from = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"));
            var to = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
            path = Write("export.json", await app.Client.GetByteArrayAsync($"/v1/bundles?from={from}&to={to}"));
            vkey = app.Signer!.Verifier.VKey;
        } // the service is gone: verification below needs nothing but the file

        var (code, stdout, stderr) = await RunAsync("ledger", "verify", path);
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains($"OK: {path} verifies against the log {LedgerHarness.Origin}", stdout, StringComparison.Ordinal);
        Assert.Contains("tree size 8", stdout, StringComparison.Ordinal);
        Assert.Contains("8 included (indexes 0..7), 1 of them redacted", stdout, StringComparison.Ordinal);
        Assert.Contains("key: taken from the bundle", stdout, StringComparison.Ordinal);

        (code, stdout, _) = await RunAsync("ledger", "verify", path, "--key", vkey);
        Assert.Equal(0, code);
        Assert.Contains("pinned with --key", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_entry_exits_1_naming_the_first_bad_entry()
    {
        var bundle = TestBundles.Build(signer);
        var entries = bundle.Entries.ToList();
        entries[5] = entries[5] with { Entry = entries[5].Entry.Replace("\"id\":\"evt-6\"", "\"id\":\"evt-66\"", StringComparison.Ordinal) };
        Assert.NotEqual(bundle.Entries[5].Entry, entries[5].Entry);
        entries[8] = entries[8] with { Payload = entries[8].Payload!.Replace("alice", "mallory", StringComparison.Ordinal) };
        var path = Write("tampered.json", (bundle with { Entries = entries }).ToJsonBytes());

        var (code, stdout, stderr) = await RunAsync("ledger", "verify", path);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var expected = $"FAILED: {path}: entry 6: inclusion proof of leaf 6 does not lead to the root of tree size 12";
        Assert.True(stderr.StartsWith(expected, StringComparison.Ordinal), stderr);
    }

    [Fact]
    public async Task A_tampered_proof_or_payload_exits_1_naming_it()
    {
        var bundle = TestBundles.Build(signer);
        var entries = bundle.Entries.ToList();
        entries[8] = entries[8] with { Payload = entries[8].Payload!.Replace("alice", "mallory", StringComparison.Ordinal) };
        var (code, _, stderr) = await RunAsync("ledger", "verify", Write("payload.json", (bundle with { Entries = entries }).ToJsonBytes()));
        Assert.Equal(1, code);
        Assert.Contains("entry 9: payload has", stderr, StringComparison.Ordinal);

        var proof = bundle.Consistency[0].Proof.ToArray();
        proof[0] = Convert.ToBase64String(new byte[32]);
        (code, _, stderr) = await RunAsync("ledger", "verify", Write("proof.json", (bundle with { Consistency = [bundle.Consistency[0] with { Proof = proof }] }).ToJsonBytes()));
        Assert.Equal(1, code);
        Assert.Contains("consistency proof 1: from tree size 5 to 12: consistency proof does not lead to the root of tree size 5", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bundle_not_signed_by_the_pinned_key_exits_1()
    {
        using var other = NoteSigner.Generate("test.scorpius.dev/audit");
        var path = Write("other.json", TestBundles.Build(other).ToJsonBytes());
        var (code, _, stderr) = await RunAsync("ledger", "verify", path, "--key", signer.Verifier.VKey);
        Assert.Equal(1, code);
        Assert.Contains("checkpoint: checkpoint is not signed by any trusted key", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing", "cannot read bundle")]
    [InlineData("not-json", "not a ledger bundle")]
    [InlineData("wrong-format", "unsupported bundle format")]
    [InlineData("no-argument", "usage: scorpius ledger verify BUNDLE")]
    [InlineData("bad-key", "--key: malformed verifier key")]
    [InlineData("two-bundles", "unexpected argument")]
    public async Task Unusable_input_exits_2_with_a_message(string what, string message)
    {
        var good = Write("good.json", TestBundles.Build(signer).ToJsonBytes());
        string[] args = what switch
        {
            "missing" => ["ledger", "verify", Path.Combine(folder, "nope.json")],
            "not-json" => ["ledger", "verify", Write("x.json", "this is not JSON"u8.ToArray())],
            "wrong-format" => ["ledger", "verify", Write("y.json", Encoding.UTF8.GetBytes(File.ReadAllText(good).Replace(LedgerBundle.FormatV1, "other/v1", StringComparison.Ordinal)))],
            "no-argument" => ["ledger", "verify"],
            "bad-key" => ["ledger", "verify", good, "--key", "nonsense"],
            _ => ["ledger", "verify", good, good],
        };
        var (code, stdout, stderr) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(args, TextReader.Null, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
