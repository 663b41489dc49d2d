using Dapr.Actors;
using Scorpius.Contracts;
using Scorpius.WalletGuard.Policies;

namespace Scorpius.WalletGuard.Actors;

/// <summary>
/// One protected wallet of one tenant (actor id <c>{tenantId}:{walletId}</c>): its velocity windows, the counterparties
/// it is known to deal with, and its recent decisions. Dapr runs one call at a time per actor, so deciding and recording
/// in one call keeps concurrent assessments of a wallet consistent.
/// </summary>
public interface IWalletActor : IActor
{
    /// <summary>What the engine should know about the wallet (its known counterparties feed address-poisoning detection).</summary>
    Task<WalletProfile> GetProfileAsync();

    /// <summary>Applies the rules against the wallet's velocity windows, records the decision, and returns it (one turn).</summary>
    Task<PolicyDecision> DecideAsync(DecisionRequest request);

    /// <summary>Records a decision reached elsewhere.</summary>
    Task RecordAsync(ActivityRecord record);

    /// <summary>Everything the actor holds, for inspection.</summary>
    Task<WalletActivity> GetActivityAsync();
}

public sealed record WalletProfile(IReadOnlyList<string> KnownCounterparties);

/// <summary>
/// One assessment of the wallet: the final verdict and action; a movement (a transaction) with what it moved per asset;
/// its counterparties.
/// </summary>
public sealed record ActivityRecord(
    string AssessmentId,
    DateTimeOffset At,
    Verdict Verdict,
    PolicyAction Action,
    string? RuleId,
    bool IsMovement,
    IReadOnlyDictionary<string, string> Moved,
    IReadOnlyList<string> Counterparties);

/// <summary>The input of <see cref="IWalletActor.DecideAsync"/>: the facts, the rules in order (wallet, then tenant), and when.</summary>
public sealed record DecisionRequest(string AssessmentId, DateTimeOffset At, PolicyFacts Facts, IReadOnlyList<PolicyRule> Rules);

public sealed record RecentDecision(string AssessmentId, DateTimeOffset At, Verdict Verdict, PolicyAction Action, string? RuleId);

public sealed record WalletActivity(IReadOnlyList<string> KnownCounterparties, IReadOnlyList<VelocityBucket> Buckets, IReadOnlyList<RecentDecision> Decisions);
