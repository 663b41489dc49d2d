using Dapr.Workflow;
using Moq;
using Scorpius.Platform.Tests.Workflows.TestWorkflows;

namespace Scorpius.Platform.Tests.Workflows;

/// <summary>
/// Tier 2: a strict Moq on <see cref="WorkflowContext"/> drives <c>RunAsync</c> directly, to pin branch order, exact
/// activity inputs and skipped branches. The pattern for product workflows; it proves nothing about serialization,
/// replay or retries (the runtime tests do).
/// </summary>
public sealed class WorkflowContextMockTests
{
    private static readonly ReviewRequest Request = new("tx-1", 25_000m);

    private readonly Mock<WorkflowContext> context = new(MockBehavior.Strict);
    private readonly List<string> calls = [];

    [Fact]
    public async Task A_high_score_escalates_before_notifying()
    {
        // Optional parameters must be spelled out in expression trees (CS0854): options is null.
        context.Setup(c => c.CallActivityAsync<RiskScore>(nameof(ScoreActivity), Request, null))
            .Callback(() => calls.Add(nameof(ScoreActivity))).ReturnsAsync(new RiskScore(95));
        context.Setup(c => c.CallActivityAsync<bool>(nameof(EscalateActivity), Request, null))
            .Callback(() => calls.Add(nameof(EscalateActivity))).ReturnsAsync(true);
        context.Setup(c => c.CallActivityAsync<bool>(nameof(NotifyActivity), new ReviewNotice("tx-1", true), null))
            .Callback(() => calls.Add(nameof(NotifyActivity))).ReturnsAsync(true);

        var outcome = await new ReviewWorkflow().RunAsync(context.Object, Request);

        Assert.Equal(new ReviewOutcome("tx-1", 95, Escalated: true), outcome);
        Assert.Equal([nameof(ScoreActivity), nameof(EscalateActivity), nameof(NotifyActivity)], calls);
    }

    [Fact]
    public async Task A_low_score_skips_escalation()
    {
        context.Setup(c => c.CallActivityAsync<RiskScore>(nameof(ScoreActivity), Request, null))
            .Callback(() => calls.Add(nameof(ScoreActivity))).ReturnsAsync(new RiskScore(ReviewWorkflow.EscalationThreshold - 1));
        context.Setup(c => c.CallActivityAsync<bool>(nameof(NotifyActivity), new ReviewNotice("tx-1", false), null))
            .Callback(() => calls.Add(nameof(NotifyActivity))).ReturnsAsync(true);

        var outcome = await new ReviewWorkflow().RunAsync(context.Object, Request);

        Assert.False(outcome.Escalated);
        Assert.Equal([nameof(ScoreActivity), nameof(NotifyActivity)], calls);
        // Typed matchers: Dapr's analyzer DAPR1303 flags It.IsAny<object?>() as an activity input.
        context.Verify(c => c.CallActivityAsync<bool>(nameof(EscalateActivity), It.IsAny<ReviewRequest>(), It.IsAny<WorkflowTaskOptions?>()), Times.Never);
    }

    [Fact]
    public async Task A_failed_scoring_propagates_and_nothing_else_runs()
    {
        var failure = new WorkflowTaskFailedException("scoring failed",
            new WorkflowTaskFailureDetails(typeof(HttpRequestException).FullName!, "risk service unavailable", stackTrace: null));
        context.Setup(c => c.CallActivityAsync<RiskScore>(nameof(ScoreActivity), Request, null)).ThrowsAsync(failure);

        var thrown = await Assert.ThrowsAsync<WorkflowTaskFailedException>(() => new ReviewWorkflow().RunAsync(context.Object, Request));

        Assert.Equal(typeof(HttpRequestException).FullName, thrown.FailureDetails.ErrorType);
        context.Verify(c => c.CallActivityAsync<bool>(It.IsAny<string>(), It.IsAny<ReviewRequest>(), It.IsAny<WorkflowTaskOptions?>()), Times.Never);
        context.Verify(c => c.CallActivityAsync<bool>(It.IsAny<string>(), It.IsAny<ReviewNotice>(), It.IsAny<WorkflowTaskOptions?>()), Times.Never);
    }
}
