using System.Text;
using System.Text.Json;
using Scorpius.Contracts;
using Scorpius.RiskEngine.Model;
using Engine = Scorpius.RiskEngine.RiskAssessor;

namespace Scorpius.Cli.Commands;

/// <summary>
/// <c>scorpius assess --input FILE|- --output FILE|- [--format jsonl|table|sarif] [--fail-on warning|malicious]</c>:
/// JSON Lines in, one result per input line out, in order. A malformed line gets verdict <c>error</c> and the run goes
/// on; exit 2 only when the input cannot be read or the arguments are wrong.
/// </summary>
internal static class AssessCommand
{
    private const int BatchSize = 2048;

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var options = Parse(args);
        var engine = EngineFactory.Create();

        using var input = OpenInput(options.Input, stdin, out var totalBytes);
        await using var owned = options.Output == "-" ? null : OpenOutput(options.Output);
        var output = owned ?? stdout;
        using var progress = new Progress(stderr, totalBytes, options.ShowProgress ?? (totalBytes > 1_000_000 && !Console.IsErrorRedirected));

        var sink = options.Format switch
        {
            "table" => (IResultSink)new TableSink(output),
            "sarif" => new SarifSink(output),
            _ => new JsonLinesSink(output),
        };

        var reached = false;
        var lines = new List<string>(BatchSize);
        var results = new AssessmentResult?[BatchSize];
        var lineNumber = 0L;
        while (true)
        {
            lines.Clear();
            string? line;
            while (lines.Count < BatchSize && (line = await input.ReadLineAsync()) is not null)
            {
                lineNumber++;
                progress.Advance(Encoding.UTF8.GetByteCount(line) + 1);
                lines.Add(line);
            }
            if (lines.Count == 0) break;

            // Assess a batch on every core; write in input order.
            var first = lineNumber - lines.Count + 1;
            Parallel.For(0, lines.Count, i => results[i] = AssessLine(engine, lines[i], first + i));
            for (var i = 0; i < lines.Count; i++)
            {
                var result = results[i];
                if (result is null) continue; // blank line
                reached |= options.FailOn is { } threshold && result.Verdict != Verdict.Error && result.Verdict >= threshold;
                sink.Write(result);
            }
            progress.Report(lineNumber);
        }
        sink.Complete();
        await output.FlushAsync();
        progress.Done(lineNumber);
        return reached ? CliApp.Failed : CliApp.Ok;
    }

    private static AssessmentResult? AssessLine(Engine engine, string line, long number)
    {
        if (string.IsNullOrWhiteSpace(line)) return null;
        var result = engine.AssessJson(line);
        // A line without an id is named by its line number, so every error can be traced back to its input.
        return result.Id is null ? result with { Id = $"line:{number}" } : result;
    }

    private static TextReader OpenInput(string path, TextReader stdin, out long totalBytes)
    {
        totalBytes = 0;
        if (path == "-") return stdin;
        try
        {
            var file = new FileInfo(path);
            totalBytes = file.Length;
            return new StreamReader(file.OpenRead(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliUsageException($"cannot read --input {path}: {ex.Message}");
        }
    }

    private static StreamWriter OpenOutput(string path)
    {
        try
        {
            return new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliUsageException($"cannot write --output {path}: {ex.Message}");
        }
    }

    internal sealed record Options(string Input, string Output, string Format, Verdict? FailOn, bool? ShowProgress);

    internal static Options Parse(string[] args)
    {
        string? input = null, output = null, format = "jsonl";
        Verdict? failOn = null;
        bool? progress = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new CliUsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--input" or "-i": input = Value(); break;
                case "--output" or "-o": output = Value(); break;
                case "--format" or "-f":
                    format = Value();
                    if (format is not ("jsonl" or "table" or "sarif")) throw new CliUsageException($"--format {format}: use jsonl, table or sarif");
                    break;
                case "--fail-on":
                    failOn = Value() switch
                    {
                        "warning" => Verdict.Warning,
                        "malicious" => Verdict.Malicious,
                        var other => throw new CliUsageException($"--fail-on {other}: use warning or malicious"),
                    };
                    break;
                case "--progress": progress = true; break;
                case "--no-progress": progress = false; break;
                default: throw new CliUsageException($"unknown argument '{args[i]}'\n{CliApp.Usage}");
            }
        }
        return new Options(input ?? throw new CliUsageException("--input is required (a file, or - for stdin)"),
            output ?? throw new CliUsageException("--output is required (a file, or - for stdout)"), format, failOn, progress);
    }

    private interface IResultSink
    {
        void Write(AssessmentResult result);
        void Complete();
    }

    private sealed class JsonLinesSink(TextWriter output) : IResultSink
    {
        public void Write(AssessmentResult result) => output.Write(ResultWriter.ToJson(result) + "\n");
        public void Complete() { }
    }

    private sealed class TableSink(TextWriter output) : IResultSink
    {
        private bool header;

        public void Write(AssessmentResult result)
        {
            if (!header)
            {
                output.WriteLine($"{"ID",-32} {"VERDICT",-10} {"SCORE",5}  FINDINGS");
                header = true;
            }
            var findings = result.Error is not null ? "error: " + result.Error
                : result.Findings.Count == 0 ? "-"
                : string.Join(", ", result.Findings.Select(f => $"{f.Code} ({ResultWriter.SeverityText(f.Severity)})"));
            var id = result.Id ?? "";
            output.WriteLine($"{(id.Length > 32 ? id[..29] + "..." : id),-32} {ResultWriter.VerdictText(result.Verdict),-10} {result.Score,5}  {findings}");
        }

        public void Complete() { }
    }

    private sealed class SarifSink(TextWriter output) : IResultSink
    {
        private readonly List<AssessmentResult> results = [];
        public void Write(AssessmentResult result) => results.Add(result);
        public void Complete() => output.Write(SarifReport.Build(results));
    }

    /// <summary>A progress bar on stderr for large inputs (only when stderr is a terminal, or with --progress).</summary>
    private sealed class Progress(TextWriter stderr, long totalBytes, bool enabled) : IDisposable
    {
        private long bytes;
        private DateTime last = DateTime.MinValue;

        public void Advance(int count) => bytes += count;

        public void Report(long lines)
        {
            if (!enabled || DateTime.UtcNow - last < TimeSpan.FromMilliseconds(200)) return;
            last = DateTime.UtcNow;
            var fraction = totalBytes > 0 ? Math.Min(1, (double)bytes / totalBytes) : 0;
            var bar = new string('#', (int)(fraction * 30)).PadRight(30, '.');
            stderr.Write(totalBytes > 0 ? $"\r[{bar}] {fraction,4:P0} {lines} requests" : $"\r{lines} requests");
        }

        public void Done(long lines)
        {
            if (enabled) stderr.WriteLine($"\rassessed {lines} requests".PadRight(60));
        }

        public void Dispose() { }
    }
}
