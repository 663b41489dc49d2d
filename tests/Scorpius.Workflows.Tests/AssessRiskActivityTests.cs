using Dapr.Workflow;
using Moq;
using Scorpius.Contracts;
using Scorpius.Workflows.Protection;
using Scorpius.Workflows.Protection.Activities;
using Scorpius.Workflows.Tests.Support;

namespace Scorpius.Workflows.Tests;

/// <summary>The risk check in process: the real engine with the bundled threat intelligence, and the default policy.</summary>
public sealed class AssessRiskActivityTests
{
    private static Task<RiskDecision> AssessAsync(System.Text.Json.JsonElement request) =>
        new AssessRiskActivity(ProtectionEngine.Shared).RunAsync(Mock.Of<WorkflowActivityContext>(), new AssessRiskInput(ProtectionData.Tenant, "asm-1", request));

    [Fact]
    public async Task An_approval_to_a_flagged_address_is_malicious_and_blocked()
    {
        var decision = await AssessAsync(ProtectionData.ApprovalToPhisher);

        Assert.Equal((Verdict.Malicious, PolicyAction.Block, (string?)null), (decision.Verdict, decision.Action, decision.PolicyRuleId));
        Assert.Contains(decision.Findings, f => f.Severity == Severity.Critical);
        Assert.True(decision.Score >= 90);
    }

    [Fact]
    public async Task An_unlimited_approval_to_an_unknown_spender_is_a_warning()
    {
        var decision = await AssessAsync(ProtectionData.UnlimitedApproval);

        Assert.Equal((Verdict.Warning, PolicyAction.Warn), (decision.Verdict, decision.Action));
        Assert.Contains(decision.Findings, f => f.Code == "UNLIMITED_APPROVAL" && f.Severity == Severity.High);
    }

    [Fact]
    public async Task A_transfer_to_a_known_counterparty_is_benign_and_allowed()
    {
        var decision = await AssessAsync(ProtectionData.TransferToFriend);

        Assert.Equal((Verdict.Benign, PolicyAction.Allow), (decision.Verdict, decision.Action));
    }

    [Fact]
    public async Task A_request_the_engine_cannot_read_is_an_error_with_the_reason_and_warns_never_allows()
    {
        var decision = await AssessAsync(ProtectionData.Element("""{"id":"x","chain":"ethereum","kind":"teleport"}"""));

        Assert.Equal((Verdict.Error, PolicyAction.Warn, 0), (decision.Verdict, decision.Action, decision.Score));
        var finding = Assert.Single(decision.Findings);
        Assert.Equal(("ASSESSMENT_ERROR", Severity.Medium), (finding.Code, finding.Severity));
        Assert.Contains("teleport", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Verdict.Benign, PolicyAction.Allow)]
    [InlineData(Verdict.Warning, PolicyAction.Warn)]
    [InlineData(Verdict.Malicious, PolicyAction.Block)]
    [InlineData(Verdict.Error, PolicyAction.Warn)]
    public void The_default_policy_maps_each_verdict(Verdict verdict, PolicyAction action) =>
        Assert.Equal(action, RiskDecision.DefaultAction(verdict));

    [Fact]
    public void The_engine_is_loaded_once_per_process() => Assert.Same(ProtectionEngine.Shared, ProtectionEngine.Shared);
}
