using BenchmarkDotNet.Running;
using Scorpius.RiskEngine.Benchmarks;

// dotnet run -c Release --project benchmarks/Scorpius.RiskEngine.Benchmarks -- --load 200000
// dotnet run -c Release --project benchmarks/Scorpius.RiskEngine.Benchmarks -- --filter '*' --job short
if (args is ["--load", ..])
    return LoadRun.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000);
BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(args);
return 0;
