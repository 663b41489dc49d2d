using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Scorpius.Ledger.Benchmarks;

// All benchmarks, short job, in one process (about 5 minutes on 2 cores):
//   dotnet run -c Release --project benchmarks/Scorpius.Ledger.Benchmarks -- --filter '*'
// PostgreSQL: a throwaway durable cluster (fsync and synchronous_commit on) is started with initdb/pg_ctl, unless
// SCORPIUS_BENCH_POSTGRES names a server (a connection string to a database the benchmark may fill).
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("short-inprocess"))
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(AppendBenchmarks).Assembly).Run(args, config);
await BenchmarkPostgres.StopAsync();
