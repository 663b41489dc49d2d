using Scorpius.RiskEngine.Intel;
using Engine = Scorpius.RiskEngine.RiskAssessor;

namespace Scorpius.Cli;

/// <summary>The engine with the bundled threat intelligence, loaded once per process.</summary>
internal static class EngineFactory
{
    private static readonly Lazy<Engine> Shared = new(() => new Engine(BundledThreatIntel.Load()));

    public static Engine Create() => Shared.Value;
}
