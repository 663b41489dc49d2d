using Dapr.Workflow;
using Dapr.Workflow.Abstractions;
using Dapr.Workflow.Worker;
using System.Reflection;

namespace Scorpius.Testing.Workflows;

/// <summary>
/// Finds workflow and activity classes that a registration method does not register. An unregistered activity makes
/// the runtime hang quietly (dapr/dapr#6443). Dapr.Workflow 1.19's source generator also auto-registers the types of
/// each assembly it compiles, but only inside <c>AddDaprWorkflow</c>; this check reads the explicit registrations alone.
/// </summary>
public static class WorkflowRegistrationCheck
{
    /// <summary>Every concrete <c>Workflow&lt;,&gt;</c> and <c>WorkflowActivity&lt;,&gt;</c> subclass in <paramref name="assembly"/>.</summary>
    public static IReadOnlyList<Type> WorkflowTypes(Assembly assembly) =>
        [.. assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, ContainsGenericParameters: false })
            .Where(t => DerivesFrom(t, typeof(Workflow<,>)) || DerivesFrom(t, typeof(WorkflowActivity<,>)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)];

    /// <summary>The types that <paramref name="register"/> registers as classes, read from a real <see cref="WorkflowRuntimeOptions"/>.</summary>
    public static IReadOnlySet<Type> RegisteredTypes(Action<WorkflowRuntimeOptions> register)
    {
        var options = new WorkflowRuntimeOptions();
        register(options);
        var recorder = new RecordingFactory();
        options.ApplyRegistrations(recorder);
        return recorder.Types;
    }

    public static IReadOnlyList<Type> FindUnregistered(IEnumerable<Type> types, Action<WorkflowRuntimeOptions> register)
    {
        var registered = RegisteredTypes(register);
        return [.. types.Where(t => !registered.Contains(t))];
    }

    private static bool DerivesFrom(Type type, Type openGeneric)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == openGeneric) return true;
        return false;
    }

    private sealed class RecordingFactory : IWorkflowsFactory
    {
        public HashSet<Type> Types { get; } = [];

        public void RegisterWorkflow<TWorkflow>(string? name = null) where TWorkflow : class, IWorkflow => Types.Add(typeof(TWorkflow));
        public void RegisterActivity<TActivity>(string? name = null) where TActivity : class, IWorkflowActivity => Types.Add(typeof(TActivity));

        // Function-based registrations have no class to check.
        public void RegisterWorkflow<TInput, TOutput>(string name, Func<WorkflowContext, TInput, Task<TOutput>> implementation) { }
        public void RegisterActivity<TInput, TOutput>(string name, Func<WorkflowActivityContext, TInput, Task<TOutput>> implementation) { }

        public bool TryCreateWorkflow(TaskIdentifier identifier, IServiceProvider serviceProvider, out IWorkflow? workflow, out Exception? activationException)
            => throw new NotSupportedException("Recording only.");
        public bool TryCreateActivity(TaskIdentifier identifier, IServiceProvider serviceProvider, out IWorkflowActivity? activity, out Exception? activationException)
            => throw new NotSupportedException("Recording only.");
    }
}
