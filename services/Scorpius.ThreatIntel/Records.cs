namespace Scorpius.ThreatIntel;

/// <summary>
/// One label of an address from one source. <see cref="Category"/> is one of <see cref="AddressCategories"/>.
/// <see cref="ChainId"/> is the EVM chain the source saw the address on; null means every EVM chain (sanctions, which bind
/// the owner of a key everywhere) or Bitcoin.
/// </summary>
public sealed record AddressLabel(string Category, string Label, string Source, string Licence, DateOnly? AsOf, string? Note, long? ChainId = null)
{
    public bool IsMalicious => AddressCategories.Malicious.Contains(Category);
    public bool IsBenign => AddressCategories.Benign.Contains(Category);
}

/// <summary>The categories an <see cref="AddressLabel"/> can have, grouped by what they mean for a verdict.</summary>
public static class AddressCategories
{
    public const string Sanctioned = "sanctioned";
    /// <summary>Was on a sanctions list and has been removed since (Tornado Cash, delisted by the US Treasury on 2025-03-21).</summary>
    public const string SanctionedDelisted = "sanctioned-delisted";
    public const string Phishing = "phishing", Exploit = "exploit", Heist = "heist", Scam = "scam", Compromised = "compromised",
        SpamToken = "spam-token", MaliciousContract = "malicious";
    /// <summary>A mixer (Tornado Cash pools, TORN token and related contracts): a risk signal, not proof of bad intent.</summary>
    public const string Mixer = "mixer";

    public static readonly IReadOnlySet<string> Malicious =
        new HashSet<string> { Phishing, Exploit, Heist, Scam, Compromised, SpamToken, MaliciousContract };

    public static readonly IReadOnlySet<string> Benign = new HashSet<string>
    {
        "exchange", "dex", "bridge", "layer-2", "stablecoin", "defi", "multisig", "ens", "oracle", "nft-marketplace", "wallet",
    };
}

/// <summary>A well-known benign contract (router, Permit2, marketplace, Safe library, major token).</summary>
public sealed record KnownContract(string Name, string Category, string Source, string Licence);

/// <summary>The verdict on a domain and the reason, in words for a person.</summary>
public sealed record DomainCheck(string Domain, DomainVerdict Verdict, string? MatchedDomain, string Reason, string? Source);

public enum DomainVerdict { Unknown, Allowlisted, Blocklisted, LookAlike }

/// <summary>One list the index was built from.</summary>
public sealed record ThreatIntelSource(string Name, string Licence, DateOnly? AsOf, int Entries, string Origin);
