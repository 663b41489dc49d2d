using System.Diagnostics;
using Scorpius.RiskEngine.Intel;

namespace Scorpius.RiskEngine.Benchmarks;

/// <summary>
/// <c>--load [N]</c>: loads the bundled intelligence (reporting time and memory), then assesses N requests of the mixed
/// corpus on one thread timing each one (p50/p99/max), then on every core (throughput).
/// </summary>
internal static class LoadRun
{
    public static int Run(int count)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var load = Stopwatch.StartNew();
        var engine = new RiskAssessor(BundledThreatIntel.Load());
        load.Stop();
        var afterLoad = GC.GetTotalMemory(forceFullCollection: true);
        var lines = Corpus.Lines;

        for (var i = 0; i < 20_000; i++) engine.AssessJson(lines[i % lines.Length]); // warm up (tiered JIT)

        var samples = new double[count];
        var perLine = new double[lines.Length];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            engine.AssessJson(lines[i % lines.Length]);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            perLine[i % lines.Length] += samples[i];
        }
        Array.Sort(samples);

        var wall = Stopwatch.StartNew();
        Parallel.For(0, count, i => engine.AssessJson(lines[i % lines.Length]));
        wall.Stop();

        for (var l = 0; l < lines.Length; l++)
        {
            var id = System.Text.Json.JsonDocument.Parse(lines[l]).RootElement.GetProperty("id").GetString();
            Console.WriteLine($"  {id,-32} mean {perLine[l] / (count / (double)lines.Length),8:F1} µs");
        }
        using var process = Process.GetCurrentProcess();
        Console.WriteLine($"intel load: {load.Elapsed.TotalMilliseconds:F0} ms, managed heap +{(afterLoad - before) / 1048576.0:F1} MB");
        Console.WriteLine($"single thread, {count} mixed requests: p50 {samples[count / 2]:F1} µs, p99 {samples[(int)(count * 0.99)]:F1} µs, max {samples[^1]:F1} µs");
        Console.WriteLine($"all {Environment.ProcessorCount} cores: {count / wall.Elapsed.TotalSeconds:F0} assessments/s");
        Console.WriteLine($"process working set {process.WorkingSet64 / 1048576.0:F0} MB, peak {process.PeakWorkingSet64 / 1048576.0:F0} MB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F1} MB");
        return 0;
    }
}
