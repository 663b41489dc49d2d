namespace Scorpius.Cli.Commands;

/// <summary><c>scorpius assess</c>: JSON Lines in, one verdict per line out.</summary>
internal static class AssessCommand
{
    public static Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr) =>
        throw new CliUsageException("assess is not available in this build yet.");
}
