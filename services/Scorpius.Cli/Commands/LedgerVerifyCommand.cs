namespace Scorpius.Cli.Commands;

/// <summary><c>scorpius ledger verify BUNDLE</c>: offline verification of an exported audit-ledger bundle.</summary>
internal static class LedgerVerifyCommand
{
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr) =>
        throw new CliUsageException("ledger verify is not available in this build yet.");
}
