using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Scorpius.Auth.Benchmarks;

// Every benchmark, short job, in process (about 3 minutes on 2 cores):
//   dotnet run -c Release --project benchmarks/Scorpius.Auth.Benchmarks -- --filter '*'
// Policy decisions per second on every core with a warm cache (a plain timed loop, 5 s):
//   dotnet run -c Release --project benchmarks/Scorpius.Auth.Benchmarks -- --pdp-throughput
if (args is ["--pdp-throughput", ..])
{
    PdpThroughput.Run(TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5));
    return;
}
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short-inprocess"))
    .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(CredentialBenchmarks).Assembly).Run(args, config);
