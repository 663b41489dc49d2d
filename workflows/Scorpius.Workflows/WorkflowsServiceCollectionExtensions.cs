using Dapr.Workflow;
using Scorpius.RiskEngine;
using Scorpius.Workflows.Protection.Activities;

namespace Scorpius.Workflows;

public static class WorkflowsServiceCollectionExtensions
{
    /// <summary>The workflow runtime with this app's workflows, the client interface the endpoints use, options and the engine.</summary>
    public static IServiceCollection AddWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WorkflowsOptions>().Bind(configuration.GetSection(WorkflowsOptions.Section))
            .Validate(o => o.ApprovalTimeout > TimeSpan.Zero && o.AlertDedupWindow >= TimeSpan.Zero && o.HandlerTimeout > TimeSpan.Zero,
                "Workflows:ApprovalTimeout and Workflows:HandlerTimeout must be positive, Workflows:AlertDedupWindow not negative.")
            .ValidateOnStart();
        services.AddDaprWorkflow(WorkflowRegistration.Register);
        // AddDaprWorkflow registers only the sealed DaprWorkflowClient; endpoints depend on the interface.
        services.AddSingleton<IDaprWorkflowClient>(sp => sp.GetRequiredService<DaprWorkflowClient>());
        // One engine (with the bundled threat intelligence) per process, loaded when the first request needs it.
        services.AddSingleton<RiskAssessor>(_ => ProtectionEngine.Shared);
        return services;
    }
}
