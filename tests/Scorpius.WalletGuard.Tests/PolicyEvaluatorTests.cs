using Scorpius.Contracts;
using Scorpius.WalletGuard.Policies;

namespace Scorpius.WalletGuard.Tests;

/// <summary>The policy evaluator as a table: each row is facts, rules, history and the decision they must give.</summary>
public sealed class PolicyEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 30, TimeSpan.Zero);
    private const string Spender = "0x9d5a7b2c3e4f50617283940a1b2c3d4e5f607182";
    private const string Friend = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    private const string Token = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";

    public sealed record Case(string Name, PolicyFacts Facts, PolicyRule[] Rules, VelocityBucket[] History, PolicyAction Action, string? RuleId)
    {
        public override string ToString() => Name;
    }

    private static PolicyFacts Facts(Verdict verdict = Verdict.Benign, string[]? counterparties = null, string[]? kinds = null,
        Dictionary<string, string>? atStake = null, Dictionary<string, string>? moved = null, bool movement = true) =>
        new(verdict, counterparties ?? [], kinds ?? [], atStake ?? [], moved ?? [], movement);

    private static PolicyRule Rule(string id, PolicyAction action, PolicyConditions? conditions = null) => new(id, action, conditions ?? PolicyConditions.None);

    private static VelocityBucket Bucket(TimeSpan ago, int count, string? native = null) =>
        new(Now - ago, count, native is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["native"] = native });

    private static readonly VelocityCondition ThreePerHour = new("PT1H", MaxCount: 3);

    public static TheoryData<Case> Cases => new()
    {
        // Defaults when no rule matches.
        new("no rules, benign → allow", Facts(), [], [], PolicyAction.Allow, null),
        new("no rules, warning → warn", Facts(Verdict.Warning), [], [], PolicyAction.Warn, null),
        new("no rules, malicious → block", Facts(Verdict.Malicious), [], [], PolicyAction.Block, null),
        new("error is blocked, rules not consulted", Facts(Verdict.Error), [Rule("allow-all", PolicyAction.Allow)], [], PolicyAction.Block, null),
        // Order and first match.
        new("a rule without conditions always matches", Facts(Verdict.Malicious), [Rule("allow-all", PolicyAction.Allow)], [], PolicyAction.Allow, "allow-all"),
        new("the first matching rule wins", Facts(), [Rule("first", PolicyAction.Warn), Rule("second", PolicyAction.Block)], [], PolicyAction.Warn, "first"),
        new("a non-matching rule is skipped", Facts(kinds: ["transfer"]),
            [Rule("approvals", PolicyAction.Block, new(MethodKinds: ["approve"])), Rule("rest", PolicyAction.Warn)], [], PolicyAction.Warn, "rest"),
        // methodKinds.
        new("methodKinds matches any decoded kind", Facts(kinds: ["transfer", "approve"]),
            [Rule("r", PolicyAction.RequireApproval, new(MethodKinds: ["approve", "permit"]))], [], PolicyAction.RequireApproval, "r"),
        new("methodKinds does not match other kinds", Facts(kinds: ["transfer"]),
            [Rule("r", PolicyAction.Block, new(MethodKinds: ["approve"]))], [], PolicyAction.Allow, null),
        // counterpartyIn / counterpartyNotIn.
        new("counterpartyIn matches a listed counterparty", Facts(counterparties: [Friend]),
            [Rule("r", PolicyAction.Allow, new(CounterpartyIn: [Friend]))], [], PolicyAction.Allow, "r"),
        new("counterpartyIn fails for an unlisted one", Facts(Verdict.Warning, counterparties: [Spender]),
            [Rule("r", PolicyAction.Allow, new(CounterpartyIn: [Friend]))], [], PolicyAction.Warn, null),
        new("counterpartyNotIn matches an unlisted counterparty", Facts(counterparties: [Spender], kinds: ["approve"]),
            [Rule("r", PolicyAction.RequireApproval, new(CounterpartyNotIn: [Friend], MethodKinds: ["approve"]))], [], PolicyAction.RequireApproval, "r"),
        new("counterpartyNotIn fails when every counterparty is listed", Facts(counterparties: [Friend], kinds: ["approve"]),
            [Rule("r", PolicyAction.RequireApproval, new(CounterpartyNotIn: [Friend], MethodKinds: ["approve"]))], [], PolicyAction.Allow, null),
        new("counterpartyNotIn fails without counterparties", Facts(),
            [Rule("r", PolicyAction.Block, new(CounterpartyNotIn: [Friend]))], [], PolicyAction.Allow, null),
        // minAmount.
        new("minAmount matches at the amount", Facts(atStake: new() { ["native"] = "1000" }),
            [Rule("r", PolicyAction.Warn, new(MinAmount: new("native", "1000")))], [], PolicyAction.Warn, "r"),
        new("minAmount fails below the amount", Facts(atStake: new() { ["native"] = "999" }),
            [Rule("r", PolicyAction.Warn, new(MinAmount: new("native", "1000")))], [], PolicyAction.Allow, null),
        new("minAmount looks at its own asset only", Facts(atStake: new() { ["native"] = "5000" }),
            [Rule("r", PolicyAction.Warn, new(MinAmount: new(Token, "1000")))], [], PolicyAction.Allow, null),
        new("minAmount on a token", Facts(atStake: new() { [Token] = "115792089237316195423570985008687907853269984665640564039457584007913129639935" }),
            [Rule("r", PolicyAction.Block, new(MinAmount: new(Token, "1000000")))], [], PolicyAction.Block, "r"),
        // minVerdict.
        new("minVerdict warning matches a warning", Facts(Verdict.Warning),
            [Rule("r", PolicyAction.Block, new(MinVerdict: Verdict.Warning))], [], PolicyAction.Block, "r"),
        new("minVerdict malicious fails for a warning", Facts(Verdict.Warning),
            [Rule("r", PolicyAction.RequireApproval, new(MinVerdict: Verdict.Malicious))], [], PolicyAction.Warn, null),
        new("minVerdict warning matches a malicious verdict", Facts(Verdict.Malicious),
            [Rule("r", PolicyAction.RequireApproval, new(MinVerdict: Verdict.Warning))], [], PolicyAction.RequireApproval, "r"),
        // Velocity.
        new("velocity: the 3rd movement in the window passes", Facts(),
            [Rule("v", PolicyAction.Block, new(Velocity: ThreePerHour))], [Bucket(TimeSpan.FromMinutes(10), 2)], PolicyAction.Allow, null),
        new("velocity: the 4th movement in the window triggers", Facts(),
            [Rule("v", PolicyAction.Block, new(Velocity: ThreePerHour))], [Bucket(TimeSpan.FromMinutes(10), 2), Bucket(TimeSpan.FromMinutes(1), 1)], PolicyAction.Block, "v"),
        new("velocity: movements before the window do not count", Facts(),
            [Rule("v", PolicyAction.Block, new(Velocity: ThreePerHour))], [Bucket(TimeSpan.FromMinutes(90), 5), Bucket(TimeSpan.FromMinutes(5), 2)], PolicyAction.Allow, null),
        new("velocity: a signature is not a movement", Facts(movement: false),
            [Rule("v", PolicyAction.Block, new(Velocity: new("PT1H", MaxCount: 1)))], [Bucket(TimeSpan.FromMinutes(5), 9)], PolicyAction.Allow, null),
        new("velocity: value over the limit triggers (this movement included)", Facts(moved: new() { ["native"] = "400" }),
            [Rule("v", PolicyAction.RequireApproval, new(Velocity: new("PT1H", MaxValue: "1000")))], [Bucket(TimeSpan.FromMinutes(5), 1, "700")], PolicyAction.RequireApproval, "v"),
        new("velocity: value at the limit passes", Facts(moved: new() { ["native"] = "300" }),
            [Rule("v", PolicyAction.RequireApproval, new(Velocity: new("PT1H", MaxValue: "1000")))], [Bucket(TimeSpan.FromMinutes(5), 1, "700")], PolicyAction.Allow, null),
        // Conjunction.
        new("every present condition must hold", Facts(counterparties: [Spender], kinds: ["approve"], atStake: new() { [Token] = "10" }),
            [Rule("r", PolicyAction.Block, new(CounterpartyNotIn: [Friend], MethodKinds: ["approve"], MinAmount: new(Token, "11")))], [], PolicyAction.Allow, null),
        new("all conditions holding matches", Facts(Verdict.Warning, counterparties: [Spender], kinds: ["approve"], atStake: new() { [Token] = "11" }),
            [Rule("r", PolicyAction.Block, new(CounterpartyNotIn: [Friend], MethodKinds: ["approve"], MinAmount: new(Token, "11"), MinVerdict: Verdict.Warning))], [], PolicyAction.Block, "r"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_evaluator_gives_the_decision_of_the_table(Case c)
    {
        var decision = PolicyEvaluator.Evaluate(c.Facts, c.Rules, c.History, Now);
        Assert.Equal(new PolicyDecision(c.Action, c.RuleId), decision);
    }
}
