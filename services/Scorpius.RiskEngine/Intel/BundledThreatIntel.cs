using Scorpius.RiskEngine.Model;
using Scorpius.ThreatIntel;

namespace Scorpius.RiskEngine.Intel;

/// <summary>
/// The bundled threat intelligence (Scorpius.ThreatIntel's index over data/threat-intel) as the detectors see it.
/// Benign labels of protocol contracts (DEXes, bridges, DeFi, marketplaces…) count as well-known contracts, so an
/// approval to them is informational; exchange and personal wallets do not.
/// </summary>
public sealed class BundledThreatIntel(ThreatIntelIndex index) : IThreatIntel
{
    private static readonly HashSet<string> ProtocolCategories = ["dex", "bridge", "defi", "nft-marketplace", "layer-2", "oracle", "stablecoin"];

    public ThreatIntelIndex Index { get; } = index;

    /// <summary>Loads the index compiled into Scorpius.ThreatIntel.</summary>
    public static BundledThreatIntel Load() => new(ThreatIntelIndex.LoadBundled());

    /// <summary>Loads an updated bundle (for <see cref="RiskAssessor.SwapIntel"/>).</summary>
    public static BundledThreatIntel Load(Stream bundle) => new(ThreatIntelIndex.Load(bundle));

    public IReadOnlyList<IntelLabel> Lookup(Chain chain, long? chainId, string address)
    {
        var labels = Index.Lookup(chain == Chain.Bitcoin ? "bitcoin" : "ethereum", chain == Chain.Bitcoin ? null : chainId, address);
        if (labels.Count == 0) return [];
        var result = new IntelLabel[labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            var l = labels[i];
            result[i] = new IntelLabel(l.Category, l.Label, l.Source, l.AsOf, l.Note);
        }
        return result;
    }

    public KnownContractInfo? KnownContract(long? chainId, string address)
    {
        if (Index.KnownContract(chainId, address) is { } known) return new KnownContractInfo(known.Name, known.Category, known.Source);
        foreach (var label in Index.Lookup("ethereum", chainId, address))
        {
            if (label.IsBenign && ProtocolCategories.Contains(label.Category)) return new KnownContractInfo(label.Label, label.Category, label.Source);
        }
        return null;
    }

    public DomainAssessment CheckDomain(string domainOrUrl)
    {
        var check = Index.CheckDomain(domainOrUrl);
        var status = check.Verdict switch
        {
            DomainVerdict.Allowlisted => DomainStatus.Allowlisted,
            DomainVerdict.Blocklisted => DomainStatus.Blocklisted,
            DomainVerdict.LookAlike => DomainStatus.LookAlike,
            _ => DomainStatus.Unknown,
        };
        return new DomainAssessment(check.Domain, status, check.MatchedDomain, check.Reason, check.Source);
    }
}
