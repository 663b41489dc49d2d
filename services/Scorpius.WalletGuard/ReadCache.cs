using System.Collections.Concurrent;

namespace Scorpius.WalletGuard;

/// <summary>
/// Keeps what the assessment hot path reads from the state store (a tenant's wallets and policy) for
/// <see cref="WalletGuardOptions.ReadCacheLifetime"/>, so a pre-sign check costs no state round trip in the common case.
/// This process forgets an entry as soon as it changes it; another replica's change is seen within the lifetime.
/// Zero turns the cache off.
/// </summary>
public sealed class ReadCache(TimeProvider clock, Microsoft.Extensions.Options.IOptions<WalletGuardOptions> options)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset Until, Task<object> Value)> entries = new(StringComparer.Ordinal);

    public async Task<T> GetAsync<T>(string key, Func<Task<T>> read) where T : class
    {
        var lifetime = options.Value.ReadCacheLifetime;
        if (lifetime <= TimeSpan.Zero) return await read();
        var now = clock.GetUtcNow();
        if (entries.TryGetValue(key, out var entry) && entry.Until > now && entry.Value.IsCompletedSuccessfully) return (T)entry.Value.Result;
        var value = await read();
        entries[key] = (now + lifetime, Task.FromResult<object>(value));
        if (entries.Count > 100_000) entries.Clear();
        return value;
    }

    public void Forget(string key) => entries.TryRemove(key, out _);
}
