namespace Scorpius.AuditTrail.Storage;

/// <summary>Runs an initialisation once, on first use; if it fails, the next caller tries again.</summary>
internal sealed class Once
{
    private readonly Lock gate = new();
    private Task? task;

    public Task RunAsync(Func<Task> initialize)
    {
        lock (gate)
        {
            if (task is null || task.IsFaulted || task.IsCanceled) task = initialize();
            return task;
        }
    }
}
