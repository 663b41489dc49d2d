using Scorpius.Testing.Workflows;
using Scorpius.Workflows.Protection;
using Scorpius.Workflows.Protection.Activities;

namespace Scorpius.Workflows.Tests;

/// <summary>Every workflow and activity class of the app is registered (an unregistered activity hangs quietly, dapr/dapr#6443).</summary>
public sealed class WorkflowRegistrationTests
{
    [Fact]
    public void Every_workflow_and_activity_of_the_app_is_registered()
    {
        var types = WorkflowRegistrationCheck.WorkflowTypes(typeof(WorkflowRegistration).Assembly);

        Assert.Equal(
            [typeof(AppendAuditActivity), typeof(AssessRiskActivity), typeof(DeliverWebhookActivity), typeof(RaiseAlertActivity),
             typeof(ReadApprovalPolicyActivity), typeof(RequestApprovalActivity), typeof(ProtectionWorkflow)],
            types);
        Assert.Empty(WorkflowRegistrationCheck.FindUnregistered(types, WorkflowRegistration.Register));
    }
}
