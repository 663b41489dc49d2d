using Dapr.Workflow;
using Scorpius.Contracts;
using Scorpius.RiskEngine;
using Scorpius.RiskEngine.Intel;

namespace Scorpius.Workflows.Protection.Activities;

/// <summary>
/// The risk check for a protection request that arrived without a verdict: the risk engine, in process, on the request
/// (the CLI's JSON Lines contract), with the default policy (<see cref="RiskDecision.DefaultAction"/>). The engine never
/// throws for bad input: a request it cannot read is verdict error, hence warn. Pure: a retry computes the same.
/// </summary>
public sealed class AssessRiskActivity(RiskAssessor engine) : WorkflowActivity<AssessRiskInput, RiskDecision>
{
    public override Task<RiskDecision> RunAsync(WorkflowActivityContext context, AssessRiskInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = engine.AssessJson(input.Request.GetRawText());
        var findings = result.Findings.Select(f => new FindingSummary(f.Code, f.Severity, f.Message)).ToList();
        if (result.Verdict == Verdict.Error && result.Error is { } error)
            findings.Add(new FindingSummary("ASSESSMENT_ERROR", Severity.Medium, error));
        return Task.FromResult(new RiskDecision(result.Verdict, result.Score, findings, RiskDecision.DefaultAction(result.Verdict), PolicyRuleId: null));
    }
}

/// <summary>The engine with the bundled threat intelligence, loaded once per process, on first use.</summary>
public static class ProtectionEngine
{
    private static readonly Lazy<RiskAssessor> Engine = new(() => new RiskAssessor(BundledThreatIntel.Load()));

    public static RiskAssessor Shared => Engine.Value;
}
