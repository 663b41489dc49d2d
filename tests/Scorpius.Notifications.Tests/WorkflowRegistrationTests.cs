using Scorpius.Notifications.Delivery;
using Scorpius.Testing.Workflows;

namespace Scorpius.Notifications.Tests;

public sealed class WorkflowRegistrationTests
{
    [Fact]
    public void Every_workflow_and_activity_of_the_app_is_registered()
    {
        var types = WorkflowRegistrationCheck.WorkflowTypes(typeof(DeliveryWorkflow).Assembly);

        Assert.Equal([typeof(DeliverAttemptActivity), typeof(DeliveryWorkflow)], types);
        Assert.Empty(WorkflowRegistrationCheck.FindUnregistered(types, NotificationsServiceCollectionExtensions.RegisterWorkflows));
    }
}
