using System.Collections.Concurrent;
using Dapr.Workflow;

namespace Scorpius.Platform.Tests.Workflows.TestWorkflows;

public sealed record FlakyRequest(string Key, int FailuresBeforeSuccess, int MaxAttempts);

/// <summary>Counts activity attempts per key, so a test can see how often the SDK retried.</summary>
public sealed class AttemptCounter
{
    private readonly ConcurrentDictionary<string, int> attempts = new(StringComparer.Ordinal);
    public int Next(string key) => attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
    public int Count(string key) => attempts.GetValueOrDefault(key);
}

/// <summary>Thrown by <see cref="FlakyActivity"/>; lives outside System.Private.CoreLib on purpose (see IsCausedBy).</summary>
public sealed class TransientDependencyException(string message) : Exception(message);

/// <summary>Calls a flaky activity under the SDK's retry policy and returns the attempt that succeeded.</summary>
public sealed class RetryWorkflow : Workflow<FlakyRequest, int>
{
    public static readonly TimeSpan FirstRetryInterval = TimeSpan.FromMilliseconds(200);

    public override Task<int> RunAsync(WorkflowContext context, FlakyRequest input) =>
        context.CallActivityAsync<int>(nameof(FlakyActivity), input,
            new WorkflowTaskOptions(new WorkflowRetryPolicy(input.MaxAttempts, FirstRetryInterval)));
}

public sealed record CaughtFailure(string ErrorType, string ErrorMessage, bool IsCausedByTransientDependency);

/// <summary>Like <see cref="RetryWorkflow"/>, but catches the final failure and returns what the workflow saw of it.</summary>
public sealed class CatchingRetryWorkflow : Workflow<FlakyRequest, CaughtFailure?>
{
    public override async Task<CaughtFailure?> RunAsync(WorkflowContext context, FlakyRequest input)
    {
        try
        {
            await context.CallActivityAsync<int>(nameof(FlakyActivity), input,
                new WorkflowTaskOptions(new WorkflowRetryPolicy(input.MaxAttempts, RetryWorkflow.FirstRetryInterval)));
            return null;
        }
        catch (WorkflowTaskFailedException ex)
        {
            var details = ex.FailureDetails;
            return new CaughtFailure(details.ErrorType, details.ErrorMessage, details.IsCausedBy<TransientDependencyException>());
        }
    }
}

public sealed class FlakyActivity(AttemptCounter attempts) : WorkflowActivity<FlakyRequest, int>
{
    public override Task<int> RunAsync(WorkflowActivityContext context, FlakyRequest input)
    {
        var attempt = attempts.Next(input.Key);
        if (attempt <= input.FailuresBeforeSuccess) throw new TransientDependencyException($"attempt {attempt} of {input.Key} failed");
        return Task.FromResult(attempt);
    }
}
