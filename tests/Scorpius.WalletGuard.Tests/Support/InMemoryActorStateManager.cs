using System.Text.Json;
using Dapr.Actors.Runtime;

namespace Scorpius.WalletGuard.Tests.Support;

/// <summary>
/// An actor state manager kept in memory. Values go through JSON (the web defaults the actor runtime uses), so a type
/// that would not survive the real state store fails here too. Not thread-safe, like the real one: the runtime runs one
/// call at a time per actor.
/// </summary>
public sealed class InMemoryActorStateManager : IActorStateManager
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Keys => values.Keys;

    public int Saves { get; private set; }

    public T? Peek<T>(string key) => values.TryGetValue(key, out var text) ? JsonSerializer.Deserialize<T>(text, Json) : default;

    public Task AddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default) =>
        values.TryAdd(stateName, JsonSerializer.Serialize(value, Json)) ? Task.CompletedTask
        : throw new InvalidOperationException($"Actor state '{stateName}' already exists.");

    public Task AddStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default) => AddStateAsync(stateName, value, cancellationToken);

    public Task<T> GetStateAsync<T>(string stateName, CancellationToken cancellationToken = default) =>
        values.TryGetValue(stateName, out var text) ? Task.FromResult(JsonSerializer.Deserialize<T>(text, Json)!)
        : throw new KeyNotFoundException($"Actor state '{stateName}' is not found.");

    public Task SetStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        values[stateName] = JsonSerializer.Serialize(value, Json);
        return Task.CompletedTask;
    }

    public Task SetStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default) => SetStateAsync(stateName, value, cancellationToken);

    public Task RemoveStateAsync(string stateName, CancellationToken cancellationToken = default) =>
        values.Remove(stateName) ? Task.CompletedTask : throw new KeyNotFoundException($"Actor state '{stateName}' is not found.");

    public Task<bool> TryAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default) =>
        Task.FromResult(values.TryAdd(stateName, JsonSerializer.Serialize(value, Json)));

    public Task<bool> TryAddStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default) => TryAddStateAsync(stateName, value, cancellationToken);

    public Task<ConditionalValue<T>> TryGetStateAsync<T>(string stateName, CancellationToken cancellationToken = default) =>
        Task.FromResult(values.TryGetValue(stateName, out var text) ? new ConditionalValue<T>(true, JsonSerializer.Deserialize<T>(text, Json)!) : new ConditionalValue<T>(false, default!));

    public Task<bool> TryRemoveStateAsync(string stateName, CancellationToken cancellationToken = default) => Task.FromResult(values.Remove(stateName));

    public Task<bool> ContainsStateAsync(string stateName, CancellationToken cancellationToken = default) => Task.FromResult(values.ContainsKey(stateName));

    public async Task<T> GetOrAddStateAsync<T>(string stateName, T value, CancellationToken cancellationToken = default)
    {
        if (values.ContainsKey(stateName)) return await GetStateAsync<T>(stateName, cancellationToken);
        await SetStateAsync(stateName, value, cancellationToken);
        return value;
    }

    public Task<T> GetOrAddStateAsync<T>(string stateName, T value, TimeSpan ttl, CancellationToken cancellationToken = default) => GetOrAddStateAsync(stateName, value, cancellationToken);

    public async Task<T> AddOrUpdateStateAsync<T>(string stateName, T addValue, Func<string, T, T> updateValueFactory, CancellationToken cancellationToken = default)
    {
        var next = values.ContainsKey(stateName) ? updateValueFactory(stateName, await GetStateAsync<T>(stateName, cancellationToken)) : addValue;
        await SetStateAsync(stateName, next, cancellationToken);
        return next;
    }

    public Task<T> AddOrUpdateStateAsync<T>(string stateName, T addValue, Func<string, T, T> updateValueFactory, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        AddOrUpdateStateAsync(stateName, addValue, updateValueFactory, cancellationToken);

    public Task ClearCacheAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task SaveStateAsync(CancellationToken cancellationToken = default)
    {
        Saves++;
        return Task.CompletedTask;
    }

    public Task UnloadStateAsync(string stateName, UnloadStateOptions? options = null, CancellationToken cancellationToken = default) => Task.CompletedTask;
}

/// <summary>Records reminder registrations instead of calling the sidecar.</summary>
public sealed class RecordingTimerManager : ActorTimerManager
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<ActorReminder> reminders = new();

    public IReadOnlyList<ActorReminder> Reminders => [.. reminders];

    public override Task RegisterReminderAsync(ActorReminder reminder)
    {
        reminders.Enqueue(reminder);
        return Task.CompletedTask;
    }

    public override Task<IActorReminder> GetReminderAsync(ActorReminderToken reminder) =>
        Task.FromResult<IActorReminder>(reminders.LastOrDefault(r => r.Name == reminder.Name)!);

    public override Task UnregisterReminderAsync(ActorReminderToken reminder) => Task.CompletedTask;

    public override Task RegisterTimerAsync(ActorTimer timer) => Task.CompletedTask;

    public override Task UnregisterTimerAsync(ActorTimerToken timer) => Task.CompletedTask;
}
