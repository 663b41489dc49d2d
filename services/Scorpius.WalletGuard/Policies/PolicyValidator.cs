using System.Numerics;
using System.Text.RegularExpressions;
using System.Xml;
using Scorpius.Contracts;
using Scorpius.RiskEngine.Model;

namespace Scorpius.WalletGuard.Policies;

/// <summary>A policy as a client sends it (<c>PUT /v1/policies</c>, <c>PUT /v1/wallets/{id}/policy</c>); checked by <see cref="PolicyValidator"/>.</summary>
public sealed record PolicyBody(IReadOnlyList<RuleBody?>? Rules);

public sealed record RuleBody(string? Id, string? Action, ConditionsBody? Conditions);

public sealed record ConditionsBody(
    IReadOnlyList<string?>? CounterpartyIn = null,
    IReadOnlyList<string?>? CounterpartyNotIn = null,
    AmountBody? MinAmount = null,
    IReadOnlyList<string?>? MethodKinds = null,
    VelocityBody? Velocity = null,
    string? MinVerdict = null);

public sealed record AmountBody(string? Asset, string? Amount);

public sealed record VelocityBody(string? Window, int? MaxCount = null, string? MaxValue = null, string? Asset = null);

/// <summary>Checks a policy and returns it normalized, or the errors keyed by field path (<c>rules[2].conditions.velocity.window</c>).</summary>
public static partial class PolicyValidator
{
    public const int MaxRules = 100;
    public const int MaxAddresses = 1000;
    public static readonly TimeSpan MinWindow = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(1);

    private static readonly Dictionary<string, PolicyAction> Actions = new(StringComparer.Ordinal)
    {
        ["allow"] = PolicyAction.Allow,
        ["warn"] = PolicyAction.Warn,
        ["block"] = PolicyAction.Block,
        ["require-approval"] = PolicyAction.RequireApproval,
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex RuleId();

    public static IReadOnlyList<PolicyRule> Validate(PolicyBody? body, out Dictionary<string, string[]> errors)
    {
        var problems = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Error(string path, string message)
        {
            if (!problems.TryGetValue(path, out var list)) problems[path] = list = [];
            list.Add(message);
        }

        var rules = new List<PolicyRule>();
        if (body?.Rules is not { } items)
        {
            Error("rules", "is required (an array of rules; empty to clear the policy)");
        }
        else if (items.Count > MaxRules)
        {
            Error("rules", $"has {items.Count} rules; at most {MaxRules}");
        }
        else
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < items.Count; i++)
            {
                var path = $"rules[{i}]";
                if (items[i] is not { } rule)
                {
                    Error(path, "must be an object");
                    continue;
                }
                if (string.IsNullOrWhiteSpace(rule.Id) || !RuleId().IsMatch(rule.Id))
                    Error($"{path}.id", "is required: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
                else if (!ids.Add(rule.Id))
                    Error($"{path}.id", $"'{rule.Id}' is used by another rule");
                if (rule.Action is null || !Actions.TryGetValue(rule.Action, out var action))
                {
                    Error($"{path}.action", "must be allow, warn, block or require-approval");
                    action = PolicyAction.Allow;
                }
                var conditions = Conditions(rule.Conditions, $"{path}.conditions", Error);
                rules.Add(new PolicyRule(rule.Id ?? "", action, conditions));
            }
        }
        errors = problems.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        return rules;
    }

    private static PolicyConditions Conditions(ConditionsBody? body, string path, Action<string, string> error)
    {
        if (body is null) return PolicyConditions.None;
        var within = AddressList(body.CounterpartyIn, $"{path}.counterpartyIn", error);
        var outside = AddressList(body.CounterpartyNotIn, $"{path}.counterpartyNotIn", error);

        AmountCondition? minAmount = null;
        if (body.MinAmount is { } amount)
        {
            var asset = Asset(amount.Asset, $"{path}.minAmount.asset", error, required: true);
            if (!TryAmount(amount.Amount, out var value)) error($"{path}.minAmount.amount", "must be a non-negative integer in base units (a decimal string)");
            minAmount = new AmountCondition(asset, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        IReadOnlyList<string>? kinds = null;
        if (body.MethodKinds is { } methodKinds)
        {
            if (methodKinds.Count == 0) error($"{path}.methodKinds", "must name at least one kind (or be left out)");
            for (var i = 0; i < methodKinds.Count; i++)
            {
                if (methodKinds[i] is not { } kind || !MethodKinds.All.Contains(kind, StringComparer.Ordinal))
                    error($"{path}.methodKinds[{i}]", $"must be one of {string.Join(", ", MethodKinds.All)}");
            }
            kinds = [.. methodKinds.OfType<string>().Distinct(StringComparer.Ordinal)];
        }

        VelocityCondition? velocity = null;
        if (body.Velocity is { } v)
        {
            var window = TimeSpan.Zero;
            var windowOk = false;
            try
            {
                window = v.Window is null ? TimeSpan.Zero : XmlConvert.ToTimeSpan(v.Window);
                windowOk = v.Window is not null;
            }
            catch (FormatException)
            {
            }
            if (!windowOk || window < MinWindow || window > MaxWindow)
                error($"{path}.velocity.window", "must be an ISO-8601 duration from PT1M to P1D (e.g. PT1H)");
            if (v.MaxCount is null && v.MaxValue is null) error($"{path}.velocity", "needs maxCount, maxValue or both");
            if (v.MaxCount is < 1) error($"{path}.velocity.maxCount", "must be at least 1");
            string? maxValue = null;
            if (v.MaxValue is not null)
            {
                if (TryAmount(v.MaxValue, out var max)) maxValue = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
                else error($"{path}.velocity.maxValue", "must be a non-negative integer in base units (a decimal string)");
            }
            var asset = v.Asset is null ? null : Asset(v.Asset, $"{path}.velocity.asset", error, required: false);
            velocity = new VelocityCondition(windowOk ? XmlConvert.ToString(window) : v.Window ?? "", v.MaxCount, maxValue, asset);
        }

        Verdict? minVerdict = null;
        if (body.MinVerdict is not null)
        {
            minVerdict = body.MinVerdict switch
            {
                "warning" => Verdict.Warning,
                "malicious" => Verdict.Malicious,
                _ => null,
            };
            if (minVerdict is null) error($"{path}.minVerdict", "must be warning or malicious");
        }
        return new PolicyConditions(within, outside, minAmount, kinds, velocity, minVerdict);
    }

    private static IReadOnlyList<string>? AddressList(IReadOnlyList<string?>? list, string path, Action<string, string> error)
    {
        if (list is null) return null;
        if (list.Count > MaxAddresses) error(path, $"has {list.Count} addresses; at most {MaxAddresses}");
        var result = new List<string>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            if (Addresses.TryAny(list[i], out var address)) result.Add(address);
            else error($"{path}[{i}]", "must be an EVM address (0x + 40 hex digits, EIP-55 when mixed case) or a Bitcoin mainnet address");
        }
        return [.. result.Distinct(StringComparer.Ordinal)];
    }

    private static string Asset(string? asset, string path, Action<string, string> error, bool required)
    {
        if (asset == "native") return asset;
        if (asset is not null && Addresses.TryEthereum(asset, out var token, out _)) return Addresses.Normalize(token);
        error(path, required ? "is required: \"native\" or a token contract address" : "must be \"native\" or a token contract address");
        return asset ?? "";
    }

    private static bool TryAmount(string? text, out BigInteger value)
    {
        value = BigInteger.Zero;
        return text is not null && !text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && Hex.TryParseAmount(text, out value);
    }
}
