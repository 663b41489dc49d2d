using Dapr;
using Dapr.Workflow;
using Scorpius.Platform.Tests.Workflows.TestWorkflows;

namespace Scorpius.Platform.Tests.Workflows;

/// <summary>
/// Tripwire for a Dapr.Workflow 1.19 bug: <see cref="WorkflowTaskFailureDetails.IsCausedBy{T}"/> calls
/// <c>Type.GetType(ErrorType)</c> with a bare full name, which finds only types in System.Private.CoreLib (and in
/// Dapr.Workflow.Abstractions itself). Compare <c>ErrorType</c> with <c>typeof(T).FullName</c> instead. When this test
/// fails, the SDK has fixed the bug and IsCausedBy can be used.
/// </summary>
public sealed class WorkflowFailureDetailsTests
{
    [Fact]
    public void IsCausedBy_is_false_for_exception_types_outside_CoreLib()
    {
        Assert.False(Details<HttpRequestException>().IsCausedBy<HttpRequestException>());
        Assert.False(Details<DaprException>().IsCausedBy<DaprException>());
        Assert.False(Details<TransientDependencyException>().IsCausedBy<TransientDependencyException>());
        Assert.All([typeof(HttpRequestException), typeof(DaprException), typeof(TransientDependencyException)],
            t => Assert.NotEqual(typeof(object).Assembly, t.Assembly));
    }

    [Fact]
    public void IsCausedBy_works_for_CoreLib_exception_types()
    {
        Assert.True(Details<InvalidOperationException>().IsCausedBy<InvalidOperationException>());
        Assert.True(Details<TimeoutException>().IsCausedBy<Exception>());
    }

    [Fact]
    public void Comparing_ErrorType_with_the_full_type_name_works_for_any_exception_type()
    {
        Assert.Equal(typeof(HttpRequestException).FullName, Details<HttpRequestException>().ErrorType);
        Assert.Equal(typeof(DaprException).FullName, Details<DaprException>().ErrorType);
        Assert.Equal(typeof(TransientDependencyException).FullName, Details<TransientDependencyException>().ErrorType);
    }

    /// <summary>Failure details as the SDK records them: ErrorType is the exception's <see cref="Type.FullName"/>.</summary>
    private static WorkflowTaskFailureDetails Details<T>() where T : Exception =>
        new(typeof(T).FullName!, "failed", stackTrace: null);
}
