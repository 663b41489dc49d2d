using System.Globalization;
using Dapr.Actors.Runtime;
using Scorpius.Contracts;
using Scorpius.WalletGuard.Policies;

namespace Scorpius.WalletGuard.Actors;

/// <summary>
/// The per-wallet actor. State (through the actor state manager, saved by the runtime after each call): velocity
/// buckets of one minute for the last day, the last <see cref="MaxCounterparties"/> counterparties of allowed benign
/// requests, the last <see cref="MaxDecisions"/> decisions. A reminder, registered on the first record, prunes old
/// buckets every hour so an idle wallet's state shrinks.
/// </summary>
public sealed class WalletActor : Actor, IWalletActor, IRemindable
{
    public const int MaxCounterparties = 500;
    public const int MaxDecisions = 100;
    public const string PruneReminder = "prune";
    public static readonly TimeSpan PrunePeriod = TimeSpan.FromHours(1);

    /// <summary>How long buckets are kept: the longest window a velocity condition may have.</summary>
    public static readonly TimeSpan Retention = PolicyValidator.MaxWindow;

    internal const string VelocityKey = "velocity";
    internal const string CounterpartiesKey = "counterparties";
    internal const string DecisionsKey = "decisions";
    internal const string ReminderKey = "reminder-registered";

    private readonly TimeProvider clock;

    public WalletActor(ActorHost host, TimeProvider clock, IActorStateManager? stateManager = null) : base(host)
    {
        this.clock = clock;
        if (stateManager is not null) StateManager = stateManager;
    }

    public async Task<WalletProfile> GetProfileAsync() => new(await GetAsync<List<string>>(CounterpartiesKey));

    public async Task<PolicyDecision> DecideAsync(DecisionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // A mined transaction seen again (a restart before the checkpoint, a reorg) keeps its first decision and is not
        // counted twice. Only monitor assessments: an API caller may reuse its own request ids for different requests.
        if (request.AssessmentId.StartsWith(Assessments.AssessmentService.MonitorPrefix, StringComparison.Ordinal)
            && (await GetAsync<List<RecentDecision>>(DecisionsKey)).LastOrDefault(d => d.AssessmentId == request.AssessmentId) is { } seen)
        {
            return new PolicyDecision(seen.Action, seen.RuleId);
        }
        var buckets = await GetAsync<List<VelocityBucket>>(VelocityKey);
        var decision = PolicyEvaluator.Evaluate(request.Facts, request.Rules, buckets, request.At);
        await RecordAsync(new ActivityRecord(request.AssessmentId, request.At, FinalVerdict(request.Facts.Verdict, decision.Action),
            decision.Action, decision.RuleId, request.Facts.IsMovement, request.Facts.Moved, request.Facts.Counterparties));
        return decision;
    }

    public async Task RecordAsync(ActivityRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        // A blocked transaction is not expected to be signed: it does not use up the wallet's velocity.
        if (record.IsMovement && record.Action != PolicyAction.Block)
        {
            var buckets = Prune(await GetAsync<List<VelocityBucket>>(VelocityKey), clock.GetUtcNow());
            var start = Floor(record.At);
            var index = buckets.FindIndex(b => b.Start == start);
            var current = index >= 0 ? buckets[index] : new VelocityBucket(start, 0, new Dictionary<string, string>());
            var values = new Dictionary<string, string>(current.Values, StringComparer.Ordinal);
            foreach (var (asset, amount) in record.Moved)
            {
                values[asset] = (PolicyEvaluator.Amount(values, asset) + PolicyEvaluator.Amount(record.Moved, asset)).ToString(CultureInfo.InvariantCulture);
            }
            var next = current with { Count = current.Count + 1, Values = values };
            if (index >= 0) buckets[index] = next;
            else buckets.Add(next);
            buckets.Sort((a, b) => a.Start.CompareTo(b.Start));
            await StateManager.SetStateAsync(VelocityKey, buckets);
        }

        // Only counterparties of allowed, benign requests become known: a poisoned look-alike must never be learnt.
        if (record.Action == PolicyAction.Allow && record.Verdict == Verdict.Benign && record.Counterparties.Count > 0)
        {
            var known = await GetAsync<List<string>>(CounterpartiesKey);
            foreach (var counterparty in record.Counterparties)
            {
                known.Remove(counterparty);
                known.Add(counterparty);
            }
            if (known.Count > MaxCounterparties) known.RemoveRange(0, known.Count - MaxCounterparties);
            await StateManager.SetStateAsync(CounterpartiesKey, known);
        }

        var decisions = await GetAsync<List<RecentDecision>>(DecisionsKey);
        decisions.Add(new RecentDecision(record.AssessmentId, record.At, record.Verdict, record.Action, record.RuleId));
        if (decisions.Count > MaxDecisions) decisions.RemoveRange(0, decisions.Count - MaxDecisions);
        await StateManager.SetStateAsync(DecisionsKey, decisions);

        if (!await StateManager.ContainsStateAsync(ReminderKey))
        {
            await RegisterReminderAsync(PruneReminder, null, PrunePeriod, PrunePeriod);
            await StateManager.SetStateAsync(ReminderKey, true);
        }
    }

    public async Task<WalletActivity> GetActivityAsync() => new(
        await GetAsync<List<string>>(CounterpartiesKey),
        await GetAsync<List<VelocityBucket>>(VelocityKey),
        await GetAsync<List<RecentDecision>>(DecisionsKey));

    public async Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        if (reminderName != PruneReminder) return;
        var buckets = await GetAsync<List<VelocityBucket>>(VelocityKey);
        var before = buckets.Count;
        if (Prune(buckets, clock.GetUtcNow()).Count != before) await StateManager.SetStateAsync(VelocityKey, buckets);
    }

    /// <summary>The verdict after the policy: block makes it malicious, warn and require-approval at least a warning, allow leaves it.</summary>
    public static Verdict FinalVerdict(Verdict verdict, PolicyAction action) => verdict == Verdict.Error ? verdict : action switch
    {
        PolicyAction.Block => Verdict.Malicious,
        PolicyAction.Warn or PolicyAction.RequireApproval => verdict < Verdict.Warning ? Verdict.Warning : verdict,
        _ => verdict,
    };

    internal static DateTimeOffset Floor(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % PolicyEvaluator.BucketSize.Ticks, TimeSpan.Zero);
    }

    private static List<VelocityBucket> Prune(List<VelocityBucket> buckets, DateTimeOffset now)
    {
        var cutoff = now - Retention - PolicyEvaluator.BucketSize;
        buckets.RemoveAll(b => b.Start < cutoff);
        return buckets;
    }

    private async Task<T> GetAsync<T>(string key) where T : new()
    {
        var value = await StateManager.TryGetStateAsync<T>(key);
        return value.HasValue && value.Value is not null ? value.Value : new T();
    }
}
