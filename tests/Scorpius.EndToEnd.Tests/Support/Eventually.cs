namespace Scorpius.EndToEnd.Tests.Support;

/// <summary>Waits on conditions by polling, always with a deadline: a failure here reads as a timeout naming what was awaited, never as a hang.</summary>
public static class Eventually
{
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="probe"/> until it returns a value (not null) or <paramref name="timeout"/> passes.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTimeOffset.UtcNow > deadline) throw new TimeoutException($"Waited {timeout.TotalSeconds:0.#} s for {what}.");
            await Task.Delay(Poll);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> probe, TimeSpan timeout, string what) =>
        await ValueAsync(async () => await probe() ? "" : null, timeout, what);
}
