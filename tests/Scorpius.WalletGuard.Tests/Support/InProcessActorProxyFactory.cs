using System.Collections.Concurrent;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using Scorpius.WalletGuard.Actors;
using Scorpius.WalletGuard.Policies;

namespace Scorpius.WalletGuard.Tests.Support;

/// <summary>
/// Stands in for daprd's actor runtime in app tests (the fake sidecar does not model actors): one
/// <see cref="WalletActor"/> per id, created with <see cref="ActorHost.CreateForTest{TActor}(ActorTestOptions)"/>, an
/// in-memory state manager and a recording timer manager; calls to one actor run one at a time, as Dapr's turn-based
/// concurrency does, and end with a state save, as the runtime's. It cannot prove placement, reminders firing or the
/// HTTP wire format of actor calls.
/// </summary>
public sealed class InProcessActorProxyFactory(TimeProvider clock) : IActorProxyFactory
{
    private readonly ConcurrentDictionary<string, TurnBasedWalletActor> actors = new(StringComparer.Ordinal);

    public RecordingTimerManager Timers { get; } = new();

    public int Created => actors.Count;

    public TurnBasedWalletActor Actor(string actorId) => actors.GetOrAdd(actorId, id =>
    {
        var host = ActorHost.CreateForTest<WalletActor>(new ActorTestOptions { ActorId = new ActorId(id), TimerManager = Timers });
        var state = new InMemoryActorStateManager();
        return new TurnBasedWalletActor(new WalletActor(host, clock, state), state);
    });

    public TActorInterface CreateActorProxy<TActorInterface>(ActorId actorId, string actorType, ActorProxyOptions? options = null) where TActorInterface : IActor
    {
        if (typeof(TActorInterface) != typeof(IWalletActor) || actorType != nameof(WalletActor))
            throw new NotSupportedException($"Only {nameof(WalletActor)} is hosted in process, not {actorType}.");
        return (TActorInterface)(object)Actor(actorId.GetId());
    }

    public object CreateActorProxy(ActorId actorId, Type actorInterfaceType, string actorType, ActorProxyOptions? options = null) =>
        throw new NotSupportedException("Use the generic CreateActorProxy.");

    public ActorProxy Create(ActorId actorId, string actorType, ActorProxyOptions? options = null) =>
        throw new NotSupportedException("Use the generic CreateActorProxy.");
}

/// <summary>One actor behind a one-call-at-a-time gate, saving its state after each call like the Dapr runtime.</summary>
public sealed class TurnBasedWalletActor(WalletActor actor, InMemoryActorStateManager state) : IWalletActor
{
    private readonly SemaphoreSlim turn = new(1, 1);

    public InMemoryActorStateManager State { get; } = state;

    public Task<WalletProfile> GetProfileAsync() => Turn(actor.GetProfileAsync);

    public Task<PolicyDecision> DecideAsync(DecisionRequest request) => Turn(() => actor.DecideAsync(request));

    public Task RecordAsync(ActivityRecord record) => Turn(async () =>
    {
        await actor.RecordAsync(record);
        return true;
    });

    public Task<WalletActivity> GetActivityAsync() => Turn(actor.GetActivityAsync);

    private async Task<T> Turn<T>(Func<Task<T>> call)
    {
        await turn.WaitAsync();
        try
        {
            var result = await call();
            await State.SaveStateAsync();
            return result;
        }
        finally
        {
            turn.Release();
        }
    }
}
