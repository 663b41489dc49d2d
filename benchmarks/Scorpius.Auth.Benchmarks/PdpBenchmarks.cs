using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Scorpius.AuthProxy;
using Scorpius.AuthProxy.Policy;

namespace Scorpius.Auth.Benchmarks;

/// <summary>The policy decision point: a decision served from the warm cache, and one evaluated (a new attribute set each time).</summary>
[MemoryDiagnoser]
public class PdpBenchmarks
{
    private PolicyDecisionPoint pdp = null!;
    private long counter;

    internal static AuthorizeRequest Request(string subjectId) => new(
        new SubjectAttributes(subjectId, "tenant-a", ["wallets:read", "assessments:write"], "treasury", "confidential"),
        "wallets:read",
        new ResourceAttributes("wallet", "w-1", "tenant-a", "confidential", "u-1"),
        new EnvironmentAttributes(null, "internal", "low"));

    internal static PolicyDecisionPoint NewPdp() =>
        new(Options.Create(new AuthProxyOptions { DecisionCacheLifetime = TimeSpan.FromMinutes(5) }), TimeProvider.System);

    private AuthorizeRequest warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        pdp = NewPdp();
        warm = Request("u-1");
        if (pdp.Decide(warm).Decision != Decision.Permit || !pdp.Decide(warm).Cached) throw new InvalidOperationException("The warm request is not a cached permit.");
    }

    [Benchmark(Baseline = true, Description = "decision from the warm cache")]
    public AuthorizeResponse Warm() => pdp.Decide(warm);

    [Benchmark(Description = "decision evaluated (cache miss, then stored)")]
    public AuthorizeResponse Miss() => pdp.Decide(Request("u-" + Interlocked.Increment(ref counter)));

    [GlobalCleanup]
    public void Cleanup() => pdp.Dispose();
}

/// <summary>Decisions per second with every core deciding from a warm cache.</summary>
public static class PdpThroughput
{
    public static void Run(TimeSpan duration)
    {
        using var pdp = PdpBenchmarks.NewPdp();
        var requests = Enumerable.Range(0, 1000).Select(i => PdpBenchmarks.Request("u-" + i)).ToArray();
        foreach (var r in requests) pdp.Decide(r);
        long total = 0;
        var stop = DateTime.UtcNow + duration;
        var started = System.Diagnostics.Stopwatch.StartNew();
        Parallel.For(0, Environment.ProcessorCount, worker =>
        {
            long n = 0;
            var i = worker;
            while ((n & 1023) != 0 || DateTime.UtcNow < stop)
            {
                if (!pdp.Decide(requests[i++ % requests.Length]).Cached) throw new InvalidOperationException("A warm decision missed the cache.");
                n++;
            }
            Interlocked.Add(ref total, n);
        });
        var seconds = started.Elapsed.TotalSeconds;
        Console.WriteLine($"{total:N0} decisions in {seconds:F2} s on {Environment.ProcessorCount} cores: {total / seconds:N0} decisions/s (warm cache, 1,000 distinct requests)");
    }
}
