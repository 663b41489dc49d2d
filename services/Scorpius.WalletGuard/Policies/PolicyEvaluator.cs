using System.Numerics;
using System.Xml;
using Scorpius.Contracts;

namespace Scorpius.WalletGuard.Policies;

/// <summary>
/// What the policies need to know about one assessed request, after the detectors ran. Addresses are normalized
/// (<see cref="Addresses.Normalize"/>); amounts are base units as decimal strings, per asset (<c>native</c> or a token
/// address). <see cref="AtStake"/> is what the request puts at risk (value and token transfers out of the wallet, and the
/// amounts of approvals: unlimited ones count as 2^256-1); <see cref="Moved"/> only what it transfers out, which is what
/// velocity counts. <see cref="IsMovement"/>: a transaction (not a signature, address or domain check).
/// </summary>
public sealed record PolicyFacts(
    Verdict Verdict,
    IReadOnlyList<string> Counterparties,
    IReadOnlyList<string> MethodKinds,
    IReadOnlyDictionary<string, string> AtStake,
    IReadOnlyDictionary<string, string> Moved,
    bool IsMovement);

/// <summary>
/// Count and value (per asset, base units) of a wallet's value movements that started in one minute
/// (<see cref="PolicyEvaluator.BucketSize"/>) from <see cref="Start"/>.
/// </summary>
public sealed record VelocityBucket(DateTimeOffset Start, int Count, IReadOnlyDictionary<string, string> Values);

/// <summary>
/// Applies a policy to an assessment: rules in order (the caller passes the wallet's rules, then the tenant's), the
/// first whose present conditions all hold decides; no match falls back to the verdict (malicious → block, warning →
/// warn, benign → allow). A request that could not be assessed (verdict error) is blocked without consulting rules:
/// a pre-sign check never passes what it could not read. Pure: same input, same answer.
/// </summary>
public static class PolicyEvaluator
{
    public static readonly TimeSpan BucketSize = TimeSpan.FromMinutes(1);

    public static PolicyDecision Evaluate(PolicyFacts facts, IReadOnlyList<PolicyRule> rules, IReadOnlyList<VelocityBucket> history, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(rules);
        if (facts.Verdict == Verdict.Error) return new PolicyDecision(PolicyAction.Block, null);
        foreach (var rule in rules)
        {
            if (Matches(rule.Conditions ?? PolicyConditions.None, facts, history, now)) return new PolicyDecision(rule.Action, rule.Id);
        }
        return new PolicyDecision(DefaultAction(facts.Verdict), null);
    }

    public static PolicyAction DefaultAction(Verdict verdict) => verdict switch
    {
        Verdict.Malicious or Verdict.Error => PolicyAction.Block,
        Verdict.Warning => PolicyAction.Warn,
        _ => PolicyAction.Allow,
    };

    public static bool Matches(PolicyConditions conditions, PolicyFacts facts, IReadOnlyList<VelocityBucket> history, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        if (conditions.MinVerdict is { } minVerdict && facts.Verdict < minVerdict) return false;
        if (conditions.MethodKinds is { Count: > 0 } kinds && !facts.MethodKinds.Any(k => kinds.Contains(k, StringComparer.Ordinal))) return false;
        if (conditions.CounterpartyIn is { } within && !facts.Counterparties.Any(c => within.Contains(c, StringComparer.Ordinal))) return false;
        if (conditions.CounterpartyNotIn is { } outside && !facts.Counterparties.Any(c => !outside.Contains(c, StringComparer.Ordinal))) return false;
        if (conditions.MinAmount is { } min && Amount(facts.AtStake, min.Asset) < Parse(min.Amount)) return false;
        if (conditions.Velocity is { } velocity && !VelocityExceeded(velocity, facts, history, now)) return false;
        return true;
    }

    /// <summary>True when this movement would exceed the window's count or value limit (it counts itself).</summary>
    public static bool VelocityExceeded(VelocityCondition velocity, PolicyFacts facts, IReadOnlyList<VelocityBucket> history, DateTimeOffset now)
    {
        if (!facts.IsMovement) return false;
        var from = now - XmlConvert.ToTimeSpan(velocity.Window);
        // A bucket counts when any part of its minute lies in the window: at most one minute more than asked, never less.
        var inWindow = history.Where(b => b.Start + BucketSize > from && b.Start <= now).ToArray();
        if (velocity.MaxCount is { } maxCount && inWindow.Sum(b => b.Count) + 1 > maxCount) return true;
        if (velocity.MaxValue is { } maxValue)
        {
            var asset = velocity.Asset ?? "native";
            var total = Amount(facts.Moved, asset);
            foreach (var bucket in inWindow) total += Amount(bucket.Values, asset);
            if (total > Parse(maxValue)) return true;
        }
        return false;
    }

    public static BigInteger Amount(IReadOnlyDictionary<string, string> amounts, string asset) =>
        amounts.TryGetValue(asset, out var text) ? Parse(text) : BigInteger.Zero;

    private static BigInteger Parse(string text) =>
        BigInteger.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : BigInteger.Zero;
}
