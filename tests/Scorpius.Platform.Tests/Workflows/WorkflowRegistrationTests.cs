extern alias workflows;

using Scorpius.Platform.Tests.Workflows.TestWorkflows;
using Scorpius.Testing.Workflows;
using WorkflowRegistration = workflows::Scorpius.Workflows.WorkflowRegistration;

namespace Scorpius.Platform.Tests.Workflows;

/// <summary>
/// Every workflow and activity class is registered in WorkflowRegistration: an unregistered activity makes the runtime
/// hang quietly (dapr/dapr#6443). Registrations are read from a real WorkflowRuntimeOptions.
/// </summary>
public sealed class WorkflowRegistrationTests
{
    private static readonly IReadOnlyList<Type> TestWorkflowTypes =
        [.. WorkflowRegistrationCheck.WorkflowTypes(typeof(WorkflowRegistrationTests).Assembly)
            .Where(t => t.Namespace == typeof(TestWorkflowRegistration).Namespace)];

    [Fact]
    public void Every_workflow_and_activity_of_the_workflows_app_is_registered()
    {
        var types = WorkflowRegistrationCheck.WorkflowTypes(typeof(WorkflowRegistration).Assembly);

        // Today the app's own workflows are not used here; the check starts biting with the first one.
        Assert.Empty(WorkflowRegistrationCheck.FindUnregistered(types, WorkflowRegistration.Register));
    }

    [Fact]
    public void The_check_finds_every_test_workflow_and_activity()
    {
        Assert.Equal(16, TestWorkflowTypes.Count);
        Assert.Contains(typeof(ShipmentWorkflow), TestWorkflowTypes);
        Assert.Contains(typeof(QuoteShipmentActivity), TestWorkflowTypes);
        Assert.Empty(WorkflowRegistrationCheck.FindUnregistered(TestWorkflowTypes, TestWorkflowRegistration.Register));
    }

    [Fact]
    public void The_check_reports_a_registration_that_omits_an_activity()
    {
        var unregistered = WorkflowRegistrationCheck.FindUnregistered(
            TestWorkflowTypes, options => TestWorkflowRegistration.Register(options, include: t => t != typeof(NotifyActivity)));

        Assert.Equal([typeof(NotifyActivity)], unregistered);
    }
}
