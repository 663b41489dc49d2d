using System.Globalization;
using Dapr.Client;
using Dapr.Workflow;
using Scorpius.Contracts;

namespace Scorpius.Workflows.Protection.Activities;

/// <summary>What an approver needs to know before a require-approval hold starts waiting.</summary>
public sealed record RequestApprovalInput(
    string InstanceId,
    string TenantId,
    string AssessmentId,
    WalletRef? Wallet,
    RiskDecision Decision,
    DateTimeOffset RequestedAt,
    DateTimeOffset Deadline);

/// <summary>
/// Tells the tenant a decision waits for an approver: an <c>alert.raised</c> of type <c>protection.approval-required</c>
/// (notifications turns it into webhooks, e-mail or SMS) whose labels carry the instance id to answer at
/// <c>POST /v1/protections/{instanceId}/approval</c> and the deadline after which the hold blocks. One per instance
/// (deterministic CloudEvent id), so a retry announces nothing twice.
/// </summary>
public sealed class RequestApprovalActivity(DaprClient dapr, ScorpiusApp app) : WorkflowActivity<RequestApprovalInput, string>
{
    public const string AlertType = "protection.approval-required";

    public override async Task<string> RunAsync(WorkflowActivityContext context, RequestApprovalInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var alert = EventOf(input);
        await dapr.PublishEventAsync(DaprNames.PubSub, AlertRaised.Topic, alert, new Dictionary<string, string>
        {
            ["cloudevent.id"] = alert.AlertId,
            ["cloudevent.source"] = app.AppId,
            ["cloudevent.type"] = AlertRaised.CloudEventType,
        });
        return alert.AlertId;
    }

    public static AlertRaised EventOf(RequestApprovalInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["instanceId"] = input.InstanceId,
            ["approvalUrl"] = $"/v1/protections/{input.InstanceId}/approval",
            ["deadline"] = input.Deadline.ToString("O", CultureInfo.InvariantCulture),
            ["verdict"] = Wire.Of(input.Decision.Verdict),
        };
        if (input.Decision.PolicyRuleId is { } rule) labels["ruleId"] = rule;
        var findings = string.Join(", ", input.Decision.Findings.Select(f => f.Code).Distinct(StringComparer.Ordinal));
        return new AlertRaised($"approval-{input.InstanceId}", input.TenantId, Severity.High, AlertType,
            $"Approval required{(findings.Length > 0 ? $": {findings}" : "")}", $"{input.TenantId}:approval:{input.InstanceId}",
            input.AssessmentId, input.Wallet, labels, input.RequestedAt);
    }
}
