using Dapr.Workflow;
using Microsoft.Extensions.Options;

namespace Scorpius.Workflows.Protection.Activities;

/// <summary>
/// Reads <c>Workflows:ApprovalTimeout</c>. An activity, not the workflow, reads configuration: its result is recorded
/// in the history, so a replay after a configuration change still waits as long as the first run decided.
/// </summary>
public sealed class ReadApprovalPolicyActivity(IOptions<WorkflowsOptions> options) : WorkflowActivity<ApprovalPolicyInput, ApprovalPolicy>
{
    public override Task<ApprovalPolicy> RunAsync(WorkflowActivityContext context, ApprovalPolicyInput input) =>
        Task.FromResult(new ApprovalPolicy(options.Value.ApprovalTimeout));
}
