using Dapr.Workflow;

namespace Scorpius.Platform.Tests.Workflows.TestWorkflows;

/// <summary>A durable timer; returns how much workflow time passed across it, in milliseconds.</summary>
public sealed class TimerWorkflow : Workflow<int, double>
{
    public override async Task<double> RunAsync(WorkflowContext context, int delayMilliseconds)
    {
        var before = context.CurrentUtcDateTime;
        await context.CreateTimer(TimeSpan.FromMilliseconds(delayMilliseconds));
        return (context.CurrentUtcDateTime - before).TotalMilliseconds;
    }
}

public sealed record ApprovalRequest(string Subject, double TimeoutSeconds);
public sealed record Approval(string Approver, bool Approved);
public sealed record ApprovalOutcome(string Subject, string Decision, string? Approver);

/// <summary>Waits for an external event; takes the timeout branch when none arrives in time.</summary>
public sealed class ApprovalWorkflow : Workflow<ApprovalRequest, ApprovalOutcome>
{
    public const string EventName = "approval";
    public const string TimedOut = "timed-out";

    public override async Task<ApprovalOutcome> RunAsync(WorkflowContext context, ApprovalRequest input)
    {
        try
        {
            var approval = await context.WaitForExternalEventAsync<Approval>(EventName, TimeSpan.FromSeconds(input.TimeoutSeconds));
            return new ApprovalOutcome(input.Subject, approval.Approved ? "approved" : "rejected", approval.Approver);
        }
        catch (TaskCanceledException)
        {
            return new ApprovalOutcome(input.Subject, TimedOut, null);
        }
    }
}

/// <summary>Waits for an event that never comes, until terminated.</summary>
public sealed class WaitForeverWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string input) =>
        context.WaitForExternalEventAsync<string>("never");
}
