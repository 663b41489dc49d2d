using System.Security.Cryptography;
using System.Text;
using Dapr;
using Dapr.Client;
using Dapr.Workflow;
using Microsoft.Extensions.Options;
using Scorpius.Contracts;

namespace Scorpius.Workflows.Protection.Activities;

/// <summary>
/// Records the alert of a protection instance in the Dapr state store and decides whether it is new. The alert id
/// derives from the instance id; its dedup key is tenant + wallet + finding codes (<see cref="DedupKeyOf"/>). When an
/// alert with the same key was raised within <c>Workflows:AlertDedupWindow</c> the new one is stored as suppressed,
/// naming the earlier one. Idempotent: a retry of the same instance reads its stored alert back; a crash between the
/// dedup index and the alert record is recognised (the index names this instance's alert). Concurrent instances with
/// the same key race on the index with first-write / ETag concurrency, so only one of them raises.
/// </summary>
public sealed class RaiseAlertActivity(DaprClient dapr, IOptions<WorkflowsOptions> options) : WorkflowActivity<RaiseAlertInput, AlertRecord>
{
    private const int MaxConflicts = 8;
    private static readonly StateOptions CreateOnly = new() { Concurrency = ConcurrencyMode.FirstWrite };

    /// <summary>The stored alert of a tenant.</summary>
    public static string AlertKey(string tenantId, string alertId) => $"alert||{tenantId}||{alertId}";

    /// <summary>The latest raised (not suppressed) alert of a dedup key; the key holds the tenant.</summary>
    public static string DedupIndexKey(string tenantId, string dedupKey) =>
        $"alert-dedup||{tenantId}||{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dedupKey)))}";

    public override async Task<AlertRecord> RunAsync(WorkflowActivityContext context, RaiseAlertInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var alertId = ProtectionIds.AlertId(input.InstanceId);
        var key = AlertKey(input.TenantId, alertId);
        if (await dapr.GetStateAsync<AlertRecord?>(DaprNames.StateStore, key) is { } stored) return stored;

        var dedupKey = DedupKeyOf(input.TenantId, input.WalletId, input.Wallet, input.Decision);
        var indexKey = DedupIndexKey(input.TenantId, dedupKey);
        string? duplicateOf = null;
        for (var attempt = 0; ; attempt++)
        {
            if (attempt == MaxConflicts)
                throw new InvalidOperationException($"The dedup index of '{dedupKey}' kept changing concurrently; giving up after {MaxConflicts} tries.");
            var (latest, etag) = await dapr.GetStateAndETagAsync<DedupEntry?>(DaprNames.StateStore, indexKey);
            if (latest is not null && latest.AlertId != alertId && (input.DecidedAt - latest.RaisedAt).Duration() < options.Value.AlertDedupWindow)
            {
                duplicateOf = latest.AlertId;
                break;
            }
            if (latest?.AlertId == alertId) break; // written by an earlier try of this instance
            var entry = new DedupEntry(alertId, input.DecidedAt);
            var saved = string.IsNullOrEmpty(etag)
                ? await TryCreateAsync(indexKey, entry)
                : await dapr.TrySaveStateAsync(DaprNames.StateStore, indexKey, entry, etag);
            if (saved) break;
        }

        var alert = new AlertRecord(alertId, input.InstanceId, input.TenantId, input.AssessmentId, SeverityOf(input.Decision, input.Action),
            $"protection.{Wire.Of(input.Action)}", TitleOf(input.Decision, input.Action), dedupKey, input.DecidedAt, duplicateOf is not null, duplicateOf);
        await dapr.SaveStateAsync(DaprNames.StateStore, key, alert);
        return alert;
    }

    /// <summary>
    /// <c>{tenant}:{wallet}:{codes}</c>: the wallet id, else the wallet address (lower-cased on Ethereum, where case is
    /// only a checksum), else <c>-</c>; the distinct codes of the findings above info, sorted (info findings are
    /// context, such as the digest being signed); the verdict when there is none.
    /// </summary>
    public static string DedupKeyOf(string tenantId, string? walletId, WalletRef? wallet, RiskDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var walletKey = walletId
            ?? (wallet is null ? "-" : wallet.Chain == "ethereum" ? wallet.Address.ToLowerInvariant() : wallet.Address);
        var codes = decision.Findings.Where(f => f.Severity > Severity.Info).Select(f => f.Code).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return $"{tenantId}:{walletKey}:{(codes.Count == 0 ? Wire.Of(decision.Verdict) : string.Join(',', codes))}";
    }

    /// <summary>The most severe finding, at least critical for malicious, medium for warning, low otherwise, and high for a block.</summary>
    public static Severity SeverityOf(RiskDecision decision, PolicyAction action)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var floor = decision.Verdict switch { Verdict.Malicious => Severity.Critical, Verdict.Warning => Severity.Medium, _ => Severity.Low };
        if (action == PolicyAction.Block && floor < Severity.High) floor = Severity.High;
        var top = decision.Findings.Count == 0 ? Severity.Info : decision.Findings.Max(f => f.Severity);
        return top > floor ? top : floor;
    }

    public static string TitleOf(RiskDecision decision, PolicyAction action)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var what = action switch
        {
            PolicyAction.Block => "Blocked",
            PolicyAction.Warn => "Warning",
            PolicyAction.RequireApproval => "Approval required",
            _ => "Allowed",
        };
        var top = decision.Findings.OrderByDescending(f => f.Severity).FirstOrDefault();
        return top is null
            ? $"{what}: {Wire.Of(decision.Verdict)} request (score {decision.Score})"
            : $"{what}: {top.Message}";
    }

    // The first alert of a dedup key: first-write-wins without an ETag may only create the key.
    private async Task<bool> TryCreateAsync(string key, DedupEntry entry)
    {
        try
        {
            await dapr.SaveStateAsync(DaprNames.StateStore, key, entry, CreateOnly);
            return true;
        }
        catch (DaprException ex) when (ex.InnerException is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Aborted })
        {
            return false;
        }
    }
}

/// <summary>The latest raised alert of a dedup key, and when it was raised.</summary>
public sealed record DedupEntry(string AlertId, DateTimeOffset RaisedAt);
