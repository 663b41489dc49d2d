using Dapr.Workflow;
using Scorpius.Workflows.Protection;
using Scorpius.Workflows.Protection.Activities;

namespace Scorpius.Workflows;

/// <summary>
/// The one place that registers every workflow and activity of this app, by class; a test checks it against the
/// assembly. Dapr.Workflow 1.19's source generator also registers them (and logs "already registered" for these),
/// but an explicit list keeps the app's surface reviewable and survives a generator change; an unregistered activity
/// made older runtimes hang quietly (dapr/dapr#6443).
/// </summary>
public static class WorkflowRegistration
{
    public static void Register(WorkflowRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RegisterWorkflow<ProtectionWorkflow>();
        options.RegisterActivity<AssessRiskActivity>();
        options.RegisterActivity<ReadApprovalPolicyActivity>();
        options.RegisterActivity<RequestApprovalActivity>();
        options.RegisterActivity<RaiseAlertActivity>();
        options.RegisterActivity<AppendAuditActivity>();
        options.RegisterActivity<DeliverWebhookActivity>();
    }
}
