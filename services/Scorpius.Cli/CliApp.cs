using Scorpius.Cli.Commands;

namespace Scorpius.Cli;

/// <summary>
/// The <c>scorpius</c> command line. Exit codes: 0 success; 1 a result reached <c>--fail-on</c>, or a ledger bundle
/// failed verification; 2 the command or its input could not be used (message on stderr).
/// </summary>
public static class CliApp
{
    public const int Ok = 0, Failed = 1, UsageError = 2;

    public const string Usage = """
        usage:
          scorpius assess --input FILE|- --output FILE|- [--format jsonl|table|sarif] [--fail-on warning|malicious]
          scorpius ledger verify BUNDLE
        """;

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return args switch
            {
                ["assess", .. var rest] => await AssessCommand.RunAsync(rest, stdin, stdout, stderr),
                ["ledger", "verify", .. var rest] => await LedgerVerifyCommand.RunAsync(rest, stdout, stderr),
                ["--help" or "-h" or "help"] => Help(stdout, Ok),
                _ => Help(stderr, UsageError),
            };
        }
        catch (CliUsageException ex)
        {
            await stderr.WriteLineAsync($"scorpius: {ex.Message}");
            return UsageError;
        }
    }

    private static int Help(TextWriter writer, int code)
    {
        writer.WriteLine(Usage);
        return code;
    }
}

/// <summary>The command line or its input cannot be used: reported on stderr with exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);
