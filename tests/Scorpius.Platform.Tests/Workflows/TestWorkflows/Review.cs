using Dapr.Workflow;

namespace Scorpius.Platform.Tests.Workflows.TestWorkflows;

public sealed record ReviewRequest(string TxId, decimal Amount);
public sealed record RiskScore(int Score);
public sealed record ReviewNotice(string TxId, bool Escalated);
public sealed record ReviewOutcome(string TxId, int Score, bool Escalated);

/// <summary>Small branching workflow for the tier-2 pattern (Moq on WorkflowContext): score, escalate if high, notify.</summary>
public sealed class ReviewWorkflow : Workflow<ReviewRequest, ReviewOutcome>
{
    public const int EscalationThreshold = 70;

    public override async Task<ReviewOutcome> RunAsync(WorkflowContext context, ReviewRequest input)
    {
        var risk = await context.CallActivityAsync<RiskScore>(nameof(ScoreActivity), input);
        var escalate = risk.Score >= EscalationThreshold;
        if (escalate) await context.CallActivityAsync<bool>(nameof(EscalateActivity), input);
        await context.CallActivityAsync<bool>(nameof(NotifyActivity), new ReviewNotice(input.TxId, escalate));
        return new ReviewOutcome(input.TxId, risk.Score, escalate);
    }
}

public sealed class ScoreActivity : WorkflowActivity<ReviewRequest, RiskScore>
{
    public override Task<RiskScore> RunAsync(WorkflowActivityContext context, ReviewRequest input) =>
        Task.FromResult(new RiskScore(input.Amount >= 10_000m ? 90 : 10));
}

public sealed class EscalateActivity : WorkflowActivity<ReviewRequest, bool>
{
    public override Task<bool> RunAsync(WorkflowActivityContext context, ReviewRequest input) => Task.FromResult(true);
}

public sealed class NotifyActivity : WorkflowActivity<ReviewNotice, bool>
{
    public override Task<bool> RunAsync(WorkflowActivityContext context, ReviewNotice input) => Task.FromResult(true);
}
