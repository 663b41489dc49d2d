using Scorpius.RiskEngine.Model;

namespace Scorpius.RiskEngine.Intel;

/// <summary>
/// What the detectors ask of threat intelligence. The bundled implementation is <see cref="BundledThreatIntel"/>
/// over Scorpius.ThreatIntel's compact index; tests give the engine small in-memory ones.
/// </summary>
public interface IThreatIntel
{
    /// <summary>Labels of an address (empty when unknown). <paramref name="chainId"/> narrows EVM lists to one chain.</summary>
    IReadOnlyList<IntelLabel> Lookup(Chain chain, long? chainId, string address);

    /// <summary>A well-known benign contract (router, Permit2, marketplace, Safe library, major token), or null.</summary>
    KnownContractInfo? KnownContract(long? chainId, string address);

    DomainAssessment CheckDomain(string domainOrUrl);
}

/// <summary>One label of an address from one source. <see cref="Category"/> says what kind of risk (or none) it is.</summary>
public sealed record IntelLabel(string Category, string Label, string Source, DateOnly? AsOf, string? Note)
{
    public const string Sanctioned = "sanctioned", SanctionedDelisted = "sanctioned-delisted";
    private static readonly HashSet<string> MaliciousCategories =
        ["phishing", "drainer", "exploit", "heist", "scam", "hack", "malicious", "fake", "spam-token", "compromised"];

    public bool IsSanctioned => Category == Sanctioned;
    public bool IsMalicious => MaliciousCategories.Contains(Category);
}

public sealed record KnownContractInfo(string Name, string Category, string Source);

public enum DomainStatus { Unknown, Allowlisted, Blocklisted, LookAlike }

public sealed record DomainAssessment(string Domain, DomainStatus Status, string? MatchedDomain, string Reason, string? Source);

/// <summary>No intelligence at all: every address unknown, every domain unknown. For tests and degraded start-up.</summary>
public sealed class EmptyThreatIntel : IThreatIntel
{
    public static readonly EmptyThreatIntel Instance = new();
    public IReadOnlyList<IntelLabel> Lookup(Chain chain, long? chainId, string address) => [];
    public KnownContractInfo? KnownContract(long? chainId, string address) => null;
    public DomainAssessment CheckDomain(string domainOrUrl) => new(domainOrUrl, DomainStatus.Unknown, null, "no intelligence loaded", null);
}
