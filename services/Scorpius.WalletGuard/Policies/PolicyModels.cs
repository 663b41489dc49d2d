using System.Text.Json.Serialization;
using Scorpius.Contracts;

namespace Scorpius.WalletGuard.Policies;

/// <summary>
/// A tenant's or a wallet's policy: ordered rules, evaluated after the detectors; the first rule whose conditions all
/// hold decides. <see cref="UpdatedAt"/> is null while no policy was ever set.
/// </summary>
public sealed record PolicyDocument(IReadOnlyList<PolicyRule> Rules, DateTimeOffset? UpdatedAt)
{
    public static PolicyDocument Empty { get; } = new([], null);
}

/// <summary>One rule: what to do (<see cref="Action"/>) when every present condition holds (no conditions: always).</summary>
public sealed record PolicyRule(string Id, PolicyAction Action, PolicyConditions Conditions);

/// <summary>
/// Conditions of a rule; absent ones are not checked. Addresses are normalized (lower-case for EVM). Amounts are base
/// units as decimal strings. <see cref="MinVerdict"/> is <c>warning</c> or <c>malicious</c>.
/// </summary>
public sealed record PolicyConditions(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? CounterpartyIn = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? CounterpartyNotIn = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AmountCondition? MinAmount = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? MethodKinds = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] VelocityCondition? Velocity = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Verdict? MinVerdict = null)
{
    public static PolicyConditions None { get; } = new();
}

/// <summary>At least <see cref="Amount"/> base units of <see cref="Asset"/> (<c>native</c> or a token address) at stake.</summary>
public sealed record AmountCondition(string Asset, string Amount);

/// <summary>
/// Holds when this request would be the (<see cref="MaxCount"/>+1)th value movement of the wallet within
/// <see cref="Window"/> (ISO-8601 duration), or would take the value moved in the window above <see cref="MaxValue"/>
/// base units of <see cref="Asset"/> (default <c>native</c>).
/// </summary>
public sealed record VelocityCondition(
    string Window,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxCount = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MaxValue = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Asset = null);

/// <summary>The outcome of the policies for one assessment: the action and the rule that decided (null: the default).</summary>
public sealed record PolicyDecision(PolicyAction Action, string? RuleId);

/// <summary>The kinds of decoded actions a rule's <c>methodKinds</c> may name.</summary>
public static class MethodKinds
{
    public const string Approve = "approve";
    public const string SetApprovalForAll = "setApprovalForAll";
    public const string Permit = "permit";
    public const string Revoke = "revoke";
    public const string Transfer = "transfer";
    public const string Upgrade = "upgrade";
    public const string DelegateCall = "delegatecall";
    public const string ControlChange = "controlChange";
    public const string SetCode = "setCode";
    public const string MarketplaceOrder = "marketplaceOrder";
    public const string ContractCall = "contractCall";
    public const string ContractCreation = "contractCreation";
    public const string SignTypedData = "signTypedData";

    public static IReadOnlyList<string> All { get; } =
    [
        Approve, SetApprovalForAll, Permit, Revoke, Transfer, Upgrade, DelegateCall, ControlChange, SetCode,
        MarketplaceOrder, ContractCall, ContractCreation, SignTypedData,
    ];
}
