using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Scorpius.ChainMonitor;
using Scorpius.Contracts;
using Scorpius.RiskEngine;
using Scorpius.RiskEngine.Detectors;
using Scorpius.RiskEngine.Model;
using Scorpius.WalletGuard.Actors;
using Scorpius.WalletGuard.Policies;
using Scorpius.WalletGuard.Wallets;

namespace Scorpius.WalletGuard.Assessments;

/// <summary>A dependency (the pub/sub broker, a wallet's actor) failed: the whole call is answered 503, nothing passes unrecorded.</summary>
public sealed class DependencyUnavailableException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Pre-sign assessments of a tenant: per request, parse it as the CLI does, match it to a protected wallet (explicit
/// <c>walletId</c>, else the transaction sender, typed-data signer or Bitcoin input address), give the engine the
/// wallet's known counterparties, run the detectors, apply the policies (wallet rules, then tenant rules; the wallet's
/// actor decides and records in one turn), and publish <see cref="ProtectionRequested"/> before answering.
/// </summary>
public sealed class AssessmentService(
    RiskAssessor engine, WalletStore wallets, PolicyStore policies, WalletActors actors, DaprClient dapr, TimeProvider clock,
    IOptions<WalletGuardOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Assesses every item (in parallel across wallets, in order within a wallet) and returns the results in input order.</summary>
    public async Task<JsonNode[]> AssessAsync(string tenantId, IReadOnlyList<JsonElement> items, CancellationToken cancellationToken) =>
        await AssessAsync(tenantId, await wallets.ListCachedAsync(tenantId, cancellationToken), items, ProtectionRequested.FromApi, null, cancellationToken);

    /// <summary>
    /// A mined transaction the chain monitor saw touching a protected wallet: the same pipeline as
    /// <c>POST /v1/assessments</c> (the wallet's known counterparties, the engine, the policies, the actor's decision and
    /// record, <see cref="ProtectionRequested"/>) with source <see cref="ProtectionRequested.FromMonitor"/> and the
    /// assessment id <see cref="MonitorAssessmentId"/>, so a transaction seen again (a restart before the checkpoint, a
    /// reorg) maps to the same workflow instance. Returns null, assessing nothing, when the wallet is no longer protected
    /// as it was listed (deleted or moved to another address or chain since the poll read it).
    /// </summary>
    public async Task<JsonNode?> AssessObservedAsync(ObservedTransaction observed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observed);
        var watched = observed.Wallet;
        var tenantWallets = await wallets.ListAsync(watched.TenantId, cancellationToken);
        var wallet = tenantWallets.FirstOrDefault(w => w.Id == watched.WalletId);
        if (wallet is null || wallet.Chain != Wallet.Ethereum || wallet.ChainId != watched.ChainId
            || wallet.MatchKey != watched.Address.ToLowerInvariant()) return null;
        var request = (JsonObject)observed.Request.DeepClone();
        request["walletId"] = wallet.Id;
        var item = JsonSerializer.SerializeToElement(request, Json);
        var assessmentId = MonitorAssessmentId(watched.ChainId, observed.TxHash, wallet.Id);
        return (await AssessAsync(watched.TenantId, tenantWallets, [item], ProtectionRequested.FromMonitor, assessmentId, cancellationToken))[0];
    }

    public const string MonitorPrefix = "tx-";

    /// <summary>The assessment id of a mined transaction for one wallet: <c>tx-{chainId}-{txHash}-{walletId}</c> (lower-case hash).</summary>
    public static string MonitorAssessmentId(long chainId, string txHash, string walletId)
    {
        ArgumentException.ThrowIfNullOrEmpty(txHash);
        ArgumentException.ThrowIfNullOrEmpty(walletId);
        return $"{MonitorPrefix}{chainId.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{txHash.ToLowerInvariant()}-{walletId}";
    }

    private async Task<JsonNode[]> AssessAsync(string tenantId, IReadOnlyList<Wallet> tenantWallets, IReadOnlyList<JsonElement> items, string source,
        string? assessmentId, CancellationToken cancellationToken)
    {
        var call = new CallContext(tenantId, tenantWallets, (await policies.GetTenantPolicyCachedAsync(tenantId, cancellationToken)).Rules, source);
        var prepared = items.Select((item, i) => Prepare(item, i, call, assessmentId)).ToArray();
        var results = new JsonNode[prepared.Length];
        var groups = prepared.GroupBy(p => p.Wallet?.Id ?? $"#item:{p.Index}").ToArray();
        await Parallel.ForEachAsync(groups,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Value.BatchParallelism), CancellationToken = cancellationToken },
            async (group, token) =>
            {
                foreach (var item in group) results[item.Index] = await CompleteAsync(item, call, token);
            });
        return results;
    }

    private sealed record CallContext(string TenantId, IReadOnlyList<Wallet> Wallets, IReadOnlyList<PolicyRule> TenantRules, string Source)
    {
        public ConcurrentDictionary<string, Task<PolicyDocument>> WalletPolicies { get; } = new(StringComparer.Ordinal);
    }

    private sealed record Prepared(
        int Index, string AssessmentId, JsonElement RequestJson, AssessmentRequest? Request, string? Error, Wallet? Wallet, RequestFacts Facts);

    private Prepared Prepare(JsonElement item, int index, CallContext call, string? givenId)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            // The event's request must be an object: keep what was sent under "unparsed".
            var wrapped = JsonSerializer.SerializeToElement(new { unparsed = item }, Json);
            return new Prepared(index, NewId(), wrapped, null, "a request must be a JSON object", null, RequestFacts.None(null));
        }
        var id = item.TryGetProperty("id", out var idElement) ? idElement.ValueKind switch
        {
            JsonValueKind.String => idElement.GetString(),
            JsonValueKind.Number => idElement.GetRawText(),
            _ => null,
        } : null;
        var assessmentId = givenId ?? (string.IsNullOrEmpty(id) ? NewId() : id);
        var json = item.Clone();
        AssessmentRequest request;
        try
        {
            request = RequestParser.Parse(item, assessmentId, clock.GetUtcNow());
        }
        catch (Exception ex) when (ex is RequestException or JsonException or InvalidOperationException or FormatException)
        {
            return new Prepared(index, assessmentId, json, null, ex.Message, null, RequestFacts.None(null));
        }

        var facts = RequestFacts.Extract(request);
        Wallet? wallet;
        if (item.TryGetProperty("walletId", out var walletIdElement) && walletIdElement.ValueKind != JsonValueKind.Null)
        {
            var walletId = walletIdElement.ValueKind == JsonValueKind.String ? walletIdElement.GetString() : null;
            wallet = call.Wallets.FirstOrDefault(w => w.Id == walletId);
            if (wallet is null)
                return new Prepared(index, assessmentId, json, null, $"walletId '{walletId ?? walletIdElement.GetRawText()}' is not a protected wallet of this tenant", null, facts);
            if (wallet.Chain != ChainName(request.Chain))
                return new Prepared(index, assessmentId, json, null, $"wallet '{wallet.Id}' is a {wallet.Chain} wallet, the request is for {ChainName(request.Chain)}", null, facts);
        }
        else
        {
            wallet = Match(request, facts, call.Wallets);
        }
        return new Prepared(index, assessmentId, json, request, null, wallet, facts);
    }

    private async Task<JsonNode> CompleteAsync(Prepared item, CallContext call, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        AssessmentResult result;
        PolicyDecision decision;
        if (item.Request is null)
        {
            result = AssessmentResult.Failed(item.AssessmentId, item.Error!);
            decision = new PolicyDecision(PolicyAction.Block, null);
        }
        else
        {
            var request = item.Request;
            IWalletActor? actor = item.Wallet is { } w ? actors.Get(call.TenantId, w.Id) : null;
            if (actor is not null)
            {
                var profile = await CallActorAsync(() => actor.GetProfileAsync(), item.Wallet!);
                var known = new HashSet<string>(request.Context.KnownCounterparties, StringComparer.Ordinal);
                known.UnionWith(profile.KnownCounterparties);
                // The tenant's own wallets on the same chain are counterparties it knows.
                known.UnionWith(call.Wallets.Where(x => x.Chain == ChainName(request.Chain)).Select(x => x.MatchKey));
                request = request with { Context = request.Context with { KnownCounterparties = known } };
            }
            result = engine.Assess(request);

            var rules = new List<PolicyRule>();
            if (item.Wallet is { } wallet)
            {
                var walletPolicy = await call.WalletPolicies.GetOrAdd(wallet.Id, id => policies.GetWalletPolicyCachedAsync(call.TenantId, id, cancellationToken));
                rules.AddRange(walletPolicy.Rules);
            }
            rules.AddRange(call.TenantRules);
            var facts = item.Facts.ToPolicyFacts(result.Verdict, item.Wallet?.Address);
            decision = actor is null
                ? PolicyEvaluator.Evaluate(facts, rules, [], now)
                : await CallActorAsync(() => actor.DecideAsync(new DecisionRequest(item.AssessmentId, now, facts, rules)), item.Wallet!);
            result = Apply(result, decision);
        }

        var verdict = new ProtectionVerdict(result.Verdict, result.Score,
            [.. result.Findings.Select(f => new FindingSummary(f.Code, f.Severity, f.Message))], decision.Action, decision.RuleId);
        var requested = new ProtectionRequested(call.TenantId, item.AssessmentId, item.Wallet?.Id, item.Wallet?.Ref,
            call.Source, item.RequestJson, verdict, now);
        try
        {
            await dapr.PublishEventAsync(DaprNames.PubSub, ProtectionRequested.Topic, requested,
                new Dictionary<string, string> { ["cloudevent.type"] = ProtectionRequested.CloudEventType }, cancellationToken);
        }
        catch (DaprException ex)
        {
            throw new DependencyUnavailableException($"The assessment '{item.AssessmentId}' could not be recorded for protection (publishing to {DaprNames.PubSub} failed).", ex);
        }

        var node = JsonNode.Parse(ResultWriter.ToJson(result))!.AsObject();
        node["policy"] = new JsonObject
        {
            ["action"] = ActionText(decision.Action),
            ["ruleId"] = decision.RuleId,
        };
        return node;
    }

    /// <summary>
    /// A rule's decision becomes a finding (<c>POLICY_BLOCK</c> critical, <c>POLICY_REQUIRE_APPROVAL</c> high,
    /// <c>POLICY_WARN</c> medium, <c>POLICY_ALLOW</c> info) and the verdict and score are recomputed: block makes the
    /// request malicious, warn and require-approval at least a warning, allow changes nothing. A default decision (no
    /// rule matched) only follows the verdict and adds nothing.
    /// </summary>
    public static AssessmentResult Apply(AssessmentResult result, PolicyDecision decision)
    {
        if (result.Verdict == Verdict.Error || decision.RuleId is null) return result;
        var (code, severity) = decision.Action switch
        {
            PolicyAction.Block => ("POLICY_BLOCK", Severity.Critical),
            PolicyAction.RequireApproval => ("POLICY_REQUIRE_APPROVAL", Severity.High),
            PolicyAction.Warn => ("POLICY_WARN", Severity.Medium),
            _ => ("POLICY_ALLOW", Severity.Info),
        };
        var finding = new Finding(code, severity, $"Policy rule '{decision.RuleId}' decided: {ActionText(decision.Action)}.",
            new Dictionary<string, object?> { ["ruleId"] = decision.RuleId, ["action"] = ActionText(decision.Action) });
        return Scoring.Result(result.Id, [.. result.Findings, finding]);
    }

    public static string ActionText(PolicyAction action) => action switch
    {
        PolicyAction.Allow => "allow",
        PolicyAction.Warn => "warn",
        PolicyAction.Block => "block",
        _ => "require-approval",
    };

    private static async Task<T> CallActorAsync<T>(Func<Task<T>> call, Wallet wallet)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is DaprException or HttpRequestException or Dapr.Actors.ActorMethodInvocationException or TaskCanceledException)
        {
            throw new DependencyUnavailableException($"The state of wallet '{wallet.Id}' is unavailable, so its policy cannot be applied.", ex);
        }
    }

    private static Wallet? Match(AssessmentRequest request, RequestFacts facts, IReadOnlyList<Wallet> wallets)
    {
        if (request.Chain == Chain.Bitcoin)
            return facts.InputAddresses.Select(a => wallets.FirstOrDefault(w => w.Chain == Wallet.Bitcoin && w.MatchKey == a)).FirstOrDefault(w => w is not null);
        var signer = (facts.Signer ?? request.Transaction?.From ?? request.From)?.ToLowerInvariant();
        if (signer is null) return null;
        var candidates = wallets.Where(w => w.Chain == Wallet.Ethereum && w.MatchKey == signer).ToArray();
        return candidates.FirstOrDefault(w => w.ChainId == (request.ChainId ?? 1)) ?? candidates.FirstOrDefault();
    }

    private static string ChainName(Chain chain) => chain == Chain.Bitcoin ? Wallet.Bitcoin : Wallet.Ethereum;

    private static string NewId() => "asm_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
