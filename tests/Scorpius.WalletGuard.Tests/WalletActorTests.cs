using Dapr.Actors;
using Dapr.Actors.Runtime;
using Microsoft.Extensions.Time.Testing;
using Scorpius.Contracts;
using Scorpius.WalletGuard.Actors;
using Scorpius.WalletGuard.Policies;
using Scorpius.WalletGuard.Tests.Support;

namespace Scorpius.WalletGuard.Tests;

/// <summary>The wallet actor through ActorHost.CreateForTest with an in-memory state manager and a recording timer manager.</summary>
public sealed class WalletActorTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryActorStateManager state = new();
    private readonly RecordingTimerManager timers = new();
    private readonly WalletActor actor;

    public WalletActorTests()
    {
        var host = ActorHost.CreateForTest<WalletActor>(new ActorTestOptions { ActorId = new ActorId("tenant-a:wal_1"), TimerManager = timers });
        actor = new WalletActor(host, clock, state);
    }

    private ActivityRecord Movement(string id, string native = "100", PolicyAction action = PolicyAction.Allow, Verdict verdict = Verdict.Benign, params string[] counterparties) =>
        new(id, clock.GetUtcNow(), verdict, action, null, true, new Dictionary<string, string> { ["native"] = native }, counterparties);

    private static PolicyFacts Facts(bool movement = true, string native = "100") =>
        new(Verdict.Benign, [Requests.Friend], [MethodKinds.Transfer], new Dictionary<string, string> { ["native"] = native }, new Dictionary<string, string> { ["native"] = native }, movement);

    [Fact]
    public async Task A_movement_is_counted_in_its_minute_with_its_value_and_the_prune_reminder_is_registered_once()
    {
        await actor.RecordAsync(Movement("a1", "100"));
        clock.Advance(TimeSpan.FromSeconds(20));
        await actor.RecordAsync(Movement("a2", "250"));

        var bucket = Assert.Single((await actor.GetActivityAsync()).Buckets);
        Assert.Equal(2, bucket.Count);
        Assert.Equal("350", bucket.Values["native"]);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), bucket.Start);
        var reminder = Assert.Single(timers.Reminders);
        Assert.Equal(WalletActor.PruneReminder, reminder.Name);
        Assert.Equal(WalletActor.PrunePeriod, reminder.Period);
        Assert.Equal("tenant-a:wal_1", reminder.ActorId.GetId());
        Assert.Equal(nameof(WalletActor), reminder.ActorType);
    }

    [Fact]
    public async Task A_blocked_movement_does_not_use_up_velocity_but_is_a_recent_decision()
    {
        await actor.RecordAsync(Movement("a1", action: PolicyAction.Block, verdict: Verdict.Malicious));
        var activity = await actor.GetActivityAsync();
        Assert.Empty(activity.Buckets);
        Assert.Equal(PolicyAction.Block, Assert.Single(activity.Decisions).Action);
    }

    [Fact]
    public async Task Only_counterparties_of_allowed_benign_requests_become_known_and_the_list_is_bounded()
    {
        await actor.RecordAsync(Movement("warned", action: PolicyAction.Warn, verdict: Verdict.Warning, counterparties: ["0x1111111111111111111111111111111111111111"]));
        await actor.RecordAsync(Movement("malicious-allowed", action: PolicyAction.Allow, verdict: Verdict.Malicious, counterparties: ["0x2222222222222222222222222222222222222222"]));
        Assert.Empty((await actor.GetProfileAsync()).KnownCounterparties);

        for (var i = 0; i < WalletActor.MaxCounterparties + 20; i++)
            await actor.RecordAsync(Movement($"ok-{i}", counterparties: [$"0x{i:x40}"]));
        var known = (await actor.GetProfileAsync()).KnownCounterparties;
        Assert.Equal(WalletActor.MaxCounterparties, known.Count);
        Assert.Equal($"0x{WalletActor.MaxCounterparties + 19:x40}", known[^1]); // the most recent stays
        Assert.DoesNotContain($"0x{0:x40}", known); // the oldest went
        Assert.Equal(WalletActor.MaxDecisions, (await actor.GetActivityAsync()).Decisions.Count);
    }

    [Fact]
    public async Task Deciding_counts_earlier_movements_so_the_fourth_in_an_hour_meets_a_three_per_hour_rule()
    {
        PolicyRule[] rules = [new("three-per-hour", PolicyAction.Block, new PolicyConditions(Velocity: new VelocityCondition("PT1H", MaxCount: 3)))];
        var decisions = new List<PolicyDecision>();
        for (var i = 0; i < 5; i++)
        {
            decisions.Add(await actor.DecideAsync(new DecisionRequest($"a{i}", clock.GetUtcNow(), Facts(), rules)));
            clock.Advance(TimeSpan.FromMinutes(5));
        }
        Assert.Equal([null, null, null, "three-per-hour", "three-per-hour"], decisions.Select(d => d.RuleId));
        Assert.Equal(3, (await actor.GetActivityAsync()).Buckets.Sum(b => b.Count)); // blocked ones were not counted

        clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Null((await actor.DecideAsync(new DecisionRequest("later", clock.GetUtcNow(), Facts(), rules))).RuleId);
    }

    [Fact]
    public async Task The_prune_reminder_drops_buckets_older_than_a_day()
    {
        await actor.RecordAsync(Movement("old"));
        clock.Advance(TimeSpan.FromHours(23));
        await actor.RecordAsync(Movement("recent"));
        clock.Advance(TimeSpan.FromHours(2));

        await actor.ReceiveReminderAsync(WalletActor.PruneReminder, [], WalletActor.PrunePeriod, WalletActor.PrunePeriod);

        var bucket = Assert.Single((await actor.GetActivityAsync()).Buckets);
        Assert.Equal(WalletActor.Floor(clock.GetUtcNow() - TimeSpan.FromHours(2)), bucket.Start);
    }

    [Fact]
    public async Task Many_concurrent_records_through_turn_based_calls_all_add_up()
    {
        var proxies = new InProcessActorProxyFactory(clock);
        var wallet = proxies.CreateActorProxy<IWalletActor>(new ActorId("tenant-a:wal_2"), nameof(WalletActor));
        const int calls = 400;
        await Task.WhenAll(Enumerable.Range(0, calls).Select(i => Task.Run(() => wallet.RecordAsync(Movement($"c{i}", "3")))));

        var activity = await wallet.GetActivityAsync();
        var bucket = Assert.Single(activity.Buckets);
        Assert.Equal(calls, bucket.Count);
        Assert.Equal((3 * calls).ToString(System.Globalization.CultureInfo.InvariantCulture), bucket.Values["native"]);
        Assert.Equal(WalletActor.MaxDecisions, activity.Decisions.Count);
        Assert.Single(proxies.Timers.Reminders);
    }

    [Fact]
    public async Task Concurrent_decisions_under_a_count_limit_let_exactly_the_limit_through()
    {
        var proxies = new InProcessActorProxyFactory(clock);
        var wallet = proxies.CreateActorProxy<IWalletActor>(new ActorId("tenant-a:wal_3"), nameof(WalletActor));
        PolicyRule[] rules = [new("ten-per-hour", PolicyAction.Block, new PolicyConditions(Velocity: new VelocityCondition("PT1H", MaxCount: 10)))];
        var decisions = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            Task.Run(() => wallet.DecideAsync(new DecisionRequest($"d{i}", clock.GetUtcNow(), Facts(), rules)))));

        Assert.Equal(10, decisions.Count(d => d.Action == PolicyAction.Allow));
        Assert.Equal(40, decisions.Count(d => d.RuleId == "ten-per-hour"));
    }
}
