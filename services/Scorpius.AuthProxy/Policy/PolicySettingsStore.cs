using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Scorpius.AuthProxy.Bootstrap;
using Scorpius.AuthProxy.Identity;

namespace Scorpius.AuthProxy.Policy;

/// <summary>
/// The ABAC policy settings in the identity store. A change is written with the next version (optimistic: a concurrent
/// writer makes the second one retry) and applied here at once; every replica picks up a newer stored version within
/// <see cref="SyncInterval"/> (and drops its cached decisions then).
/// </summary>
public sealed class PolicySettingsStore(AuthDbContext db, PolicyDecisionPoint pdp, TimeProvider clock)
{
    public static readonly TimeSpan SyncInterval = TimeSpan.FromSeconds(5);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Applies the stored settings if they are newer than what this replica decides with.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var stored = await db.PolicySettings.AsNoTracking().FirstOrDefaultAsync(p => p.Id == PolicySettingsRecord.SingletonId, cancellationToken);
        if (stored is not null && stored.Version != pdp.Version)
            pdp.Replace(JsonSerializer.Deserialize<PolicySettings>(stored.Json, Json)!, stored.Version);
    }

    public async Task<long> SaveAsync(PolicySettings settings, string updatedBy, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var stored = await db.PolicySettings.FirstOrDefaultAsync(p => p.Id == PolicySettingsRecord.SingletonId, cancellationToken);
            var next = Math.Max(stored?.Version ?? 1, pdp.Version) + 1;
            if (stored is null) db.PolicySettings.Add(stored = new PolicySettingsRecord { Json = "", UpdatedBy = "" });
            stored.Json = JsonSerializer.Serialize(settings, Json);
            stored.Version = next;
            stored.UpdatedAt = clock.GetUtcNow();
            stored.UpdatedBy = updatedBy;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                pdp.Replace(settings, next);
                return next;
            }
            catch (Exception ex) when (attempt < 5 && ex is DbUpdateConcurrencyException or DbUpdateException)
            {
                db.ChangeTracker.Clear();
            }
        }
    }
}

/// <summary>Keeps this replica's decision point on the stored policy (every <see cref="PolicySettingsStore.SyncInterval"/>, once the store is ready).</summary>
public sealed partial class PolicySync(IServiceScopeFactory scopes, AuthBootstrap bootstrap, TimeProvider clock, ILogger<PolicySync> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (bootstrap.IsReady)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<PolicySettingsStore>().SyncAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSyncFailed(logger, ex);
                }
            }
            await Task.Delay(PolicySettingsStore.SyncInterval, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the stored policy settings; deciding with the current ones")]
    private static partial void LogSyncFailed(ILogger logger, Exception ex);
}
