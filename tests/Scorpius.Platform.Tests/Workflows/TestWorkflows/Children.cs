using Dapr.Workflow;

namespace Scorpius.Platform.Tests.Workflows.TestWorkflows;

public sealed record Greeting(string Name, string Text);

/// <summary>Runs one child workflow per name, with a child instance id derived from its own.</summary>
public sealed class ParentWorkflow : Workflow<string[], Greeting[]>
{
    public static string ChildId(string parentId, int index) => $"{parentId}-child-{index}";

    public override async Task<Greeting[]> RunAsync(WorkflowContext context, string[] input)
    {
        var greetings = new List<Greeting>();
        for (var i = 0; i < input.Length; i++)
        {
            greetings.Add(await context.CallChildWorkflowAsync<Greeting>(
                nameof(GreetWorkflow), input[i], new ChildWorkflowTaskOptions { InstanceId = ChildId(context.InstanceId, i) }));
        }
        return [.. greetings];
    }
}

public sealed class GreetWorkflow : Workflow<string, Greeting>
{
    public override Task<Greeting> RunAsync(WorkflowContext context, string input) =>
        context.CallActivityAsync<Greeting>(nameof(GreetActivity), input);
}

public sealed class GreetActivity : WorkflowActivity<string, Greeting>
{
    public override Task<Greeting> RunAsync(WorkflowActivityContext context, string input) =>
        Task.FromResult(new Greeting(input, $"Hello, {input}"));
}
