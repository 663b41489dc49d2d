using Dapr.Workflow;
using Dapr.Workflow.Abstractions;

namespace Scorpius.Platform.Tests.Workflows.TestWorkflows;

/// <summary>Registers the test workflows and activities, as WorkflowRegistration does for the product.</summary>
public static class TestWorkflowRegistration
{
    public static void Register(WorkflowRuntimeOptions options) => Register(options, _ => true);

    /// <summary>Registers those that <paramref name="include"/> selects; a test leaves one out to prove the registration check can fail.</summary>
    public static void Register(WorkflowRuntimeOptions options, Func<Type, bool> include)
    {
        Workflow<ShipmentWorkflow>();
        Activity<ValidateShipmentActivity>();
        Activity<QuoteShipmentActivity>();

        Workflow<RetryWorkflow>();
        Workflow<CatchingRetryWorkflow>();
        Activity<FlakyActivity>();

        Workflow<TimerWorkflow>();
        Workflow<ApprovalWorkflow>();
        Workflow<WaitForeverWorkflow>();

        Workflow<ParentWorkflow>();
        Workflow<GreetWorkflow>();
        Activity<GreetActivity>();

        Workflow<ReviewWorkflow>();
        Activity<ScoreActivity>();
        Activity<EscalateActivity>();
        Activity<NotifyActivity>();

        void Workflow<T>() where T : class, IWorkflow { if (include(typeof(T))) options.RegisterWorkflow<T>(); }
        void Activity<T>() where T : class, IWorkflowActivity { if (include(typeof(T))) options.RegisterActivity<T>(); }
    }
}
