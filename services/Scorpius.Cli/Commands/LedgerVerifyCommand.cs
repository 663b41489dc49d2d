using Scorpius.Ledger.Bundles;
using Scorpius.Ledger.Merkle;
using Scorpius.Ledger.Notes;

namespace Scorpius.Cli.Commands;

/// <summary>
/// <c>scorpius ledger verify BUNDLE [--key VKEY]...</c>: offline verification of an exported audit-ledger bundle, with
/// no network. Exit 0 with a summary when every signature and proof holds; 1 naming the first checkpoint, proof or
/// entry that fails; 2 when the bundle cannot be read. <c>--key</c> pins the log's published verifier key(s);
/// without it the keys inside the bundle are used and reported, to be compared with the published ones.
/// </summary>
internal static class LedgerVerifyCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var (path, pinned) = ParseArguments(args);
        byte[] bytes;
        try { bytes = await File.ReadAllBytesAsync(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw new CliUsageException($"cannot read bundle {path}: {ex.Message}"); }

        LedgerBundle bundle;
        try { bundle = LedgerBundle.Parse(bytes); }
        catch (BundleFormatException ex) { throw new CliUsageException($"{path}: {ex.Message}"); }

        BundleReport report;
        try { report = BundleVerifier.Verify(bundle, pinned); }
        catch (LedgerVerificationException ex)
        {
            await stderr.WriteLineAsync($"FAILED: {path}: {ex.Message}");
            return CliApp.Failed;
        }

        var key = $"{report.SignedBy.Name} key {report.SignedBy.KeyIdHex}";
        await stdout.WriteLineAsync($"OK: {path} verifies against the log {report.Origin}");
        await stdout.WriteLineAsync($"  checkpoint: tree size {report.TreeSize}, root {report.RootHash}, signed {report.CheckpointTime:yyyy-MM-dd'T'HH:mm:ss'Z'} by {key}");
        await stdout.WriteLineAsync(report.KeyPinned
            ? "  key: pinned with --key"
            : $"  key: taken from the bundle ({report.SignedBy.VKey}); compare it with the log's published key, or pin it with --key");
        await stdout.WriteLineAsync(report.Entries == 0
            ? "  entries: none in this bundle"
            : $"  entries: {report.Entries} included (indexes {report.FirstIndex}..{report.LastIndex}), {report.Redacted} of them redacted (payload erased, leaf kept)");
        await stdout.WriteLineAsync($"  history: {report.ConsistencyProofs} earlier checkpoint(s) proved to be prefixes of this one");
        return CliApp.Ok;
    }

    private static (string Path, IReadOnlyCollection<NoteVerifierKey> Pinned) ParseArguments(string[] args)
    {
        string? path = null;
        var pinned = new List<NoteVerifierKey>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--key")
            {
                if (++i >= args.Length) throw new CliUsageException("--key needs a verifier key (name+keyid+base64).");
                try { pinned.Add(NoteVerifierKey.Parse(args[i])); }
                catch (LedgerVerificationException ex) { throw new CliUsageException($"--key: {ex.Message}"); }
            }
            else if (args[i].StartsWith('-') || path is not null)
            {
                throw new CliUsageException($"unexpected argument '{args[i]}'. usage: scorpius ledger verify BUNDLE [--key VKEY]...");
            }
            else
            {
                path = args[i];
            }
        }
        return (path ?? throw new CliUsageException("usage: scorpius ledger verify BUNDLE [--key VKEY]..."), pinned);
    }
}
