using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Scorpius.AuthProxy.Policy;

public sealed record SubjectAttributes(string Id, string TenantId, IReadOnlyList<string>? Scopes = null, string? Department = null, string? Clearance = null);

public sealed record ResourceAttributes(string Type, string? Id, string TenantId, string? Classification = null, string? Owner = null);

public sealed record EnvironmentAttributes(DateTimeOffset? Time = null, string? SourceNetwork = null, string? RiskLevel = null);

public sealed record AuthorizeRequest(SubjectAttributes Subject, string Action, ResourceAttributes Resource, EnvironmentAttributes? Environment = null);

[JsonConverter(typeof(JsonStringEnumConverter<Decision>))]
public enum Decision
{
    [JsonStringEnumMemberName("deny")] Deny,
    [JsonStringEnumMemberName("permit")] Permit,
}

public sealed record AuthorizeResponse(Decision Decision, string Rule, bool Cached, long PolicyVersion);

/// <summary>
/// The tunable part of the policy. Replacing it bumps <see cref="PolicyDecisionPoint.Version"/> and drops every cached decision.
/// </summary>
public sealed record PolicySettings(
    IReadOnlyList<string> TrustedNetworks,
    string LockdownRiskLevel,
    int BusinessHoursStartUtc,
    int BusinessHoursEndUtc)
{
    public static PolicySettings Default { get; } = new(["internal"], "critical", 6, 22);
}

/// <summary>
/// Attribute-based decisions, deny by default. Rules run in order; the first that decides names itself in the answer:
/// <list type="number">
/// <item><c>tenant-isolation</c>: the resource belongs to another tenant → deny.</item>
/// <item><c>risk-lockdown</c>: a write while the risk level is at or above the lockdown level → deny.</item>
/// <item><c>clearance</c>: the resource's classification is above the subject's clearance → deny.</item>
/// <item><c>restricted-network</c>: a restricted resource from an untrusted network → deny.</item>
/// <item><c>after-hours-write</c>: a write to a restricted resource outside business hours → deny.</item>
/// <item><c>scope-grant</c>: the subject holds the action as a scope → permit.</item>
/// <item><c>owner-read</c>: the subject owns the resource and the action reads → permit.</item>
/// <item><c>default-deny</c>: nothing permitted it → deny.</item>
/// </list>
/// </summary>
public sealed class PolicyDecisionPoint(IOptions<AuthProxyOptions> options, TimeProvider clock) : IDisposable
{
    private static readonly string[] Classifications = ["public", "internal", "confidential", "restricted"];
    private static readonly string[] RiskLevels = ["low", "elevated", "high", "critical"];
    private readonly object sync = new();
    private MemoryCache cache = NewCache();
    private PolicySettings settings = PolicySettings.Default;
    private long version = 1;

    public long Version => Interlocked.Read(ref version);

    public PolicySettings Settings { get { lock (sync) return settings; } }

    /// <summary>Replaces the policy and drops every cached decision; <paramref name="nextVersion"/> is the stored version (default: one more).</summary>
    public void Replace(PolicySettings next, long? nextVersion = null)
    {
        MemoryCache old;
        lock (sync)
        {
            settings = next;
            version = nextVersion ?? version + 1;
            old = cache;
            cache = NewCache();
        }
        old.Dispose();
    }

    public AuthorizeResponse Decide(AuthorizeRequest request)
    {
        MemoryCache current;
        PolicySettings policy;
        long currentVersion;
        lock (sync) (current, policy, currentVersion) = (cache, settings, version);

        var at = request.Environment?.Time ?? clock.GetUtcNow();
        // The key holds every attribute a rule reads; time only to the hour, which is all the rules look at.
        var key = string.Join('\u001f', request.Subject.Id, request.Subject.TenantId, string.Join(' ', (request.Subject.Scopes ?? []).Order(StringComparer.Ordinal)),
            request.Subject.Department, request.Subject.Clearance, request.Action, request.Resource.Type, request.Resource.Id, request.Resource.TenantId,
            request.Resource.Classification, request.Resource.Owner, at.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture),
            request.Environment?.SourceNetwork, request.Environment?.RiskLevel);
        try
        {
            if (current.TryGetValue(key, out string? cachedRule)) return Answer(cachedRule!, true, currentVersion);
            var rule = Evaluate(request, at, policy);
            current.Set(key, rule, options.Value.DecisionCacheLifetime);
            return Answer(rule, false, currentVersion);
        }
        catch (ObjectDisposedException)
        {
            // The policy changed while deciding: decide again against the new one.
            return Decide(request);
        }
    }

    private static AuthorizeResponse Answer(string rule, bool cached, long version) =>
        new(rule is "scope-grant" or "owner-read" ? Decision.Permit : Decision.Deny, rule, cached, version);

    internal static string Evaluate(AuthorizeRequest request, DateTimeOffset at, PolicySettings policy)
    {
        var subject = request.Subject;
        var resource = request.Resource;
        var isWrite = !IsRead(request.Action);
        if (string.IsNullOrEmpty(subject.TenantId) || !string.Equals(subject.TenantId, resource.TenantId, StringComparison.Ordinal)) return "tenant-isolation";
        // Unknown risk levels count as the worst, unknown classifications as restricted, an unknown clearance as none.
        var risk = Rank(RiskLevels, request.Environment?.RiskLevel ?? "low", RiskLevels.Length - 1);
        if (isWrite && risk >= Rank(RiskLevels, policy.LockdownRiskLevel, 0)) return "risk-lockdown";
        var classification = Rank(Classifications, resource.Classification ?? "internal", Classifications.Length - 1);
        var clearance = Rank(Classifications, subject.Clearance ?? "internal", -1);
        if (classification > clearance) return "clearance";
        var restricted = classification == Classifications.Length - 1;
        if (restricted && !policy.TrustedNetworks.Contains(request.Environment?.SourceNetwork ?? "", StringComparer.Ordinal)) return "restricted-network";
        if (restricted && isWrite && (at.UtcDateTime.Hour < policy.BusinessHoursStartUtc || at.UtcDateTime.Hour >= policy.BusinessHoursEndUtc)) return "after-hours-write";
        if ((subject.Scopes ?? []).Contains(request.Action, StringComparer.Ordinal)) return "scope-grant";
        if (!isWrite && resource.Owner is not null && string.Equals(resource.Owner, subject.Id, StringComparison.Ordinal)) return "owner-read";
        return "default-deny";
    }

    private static bool IsRead(string action) => action.EndsWith(":read", StringComparison.Ordinal);

    private static int Rank(string[] scale, string value, int unknown)
    {
        var index = Array.IndexOf(scale, value.ToLowerInvariant());
        return index < 0 ? unknown : index;
    }

    private static MemoryCache NewCache() => new(new MemoryCacheOptions { SizeLimit = null });

    public void Dispose()
    {
        lock (sync) cache.Dispose();
    }
}
