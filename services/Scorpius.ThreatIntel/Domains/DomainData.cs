namespace Scorpius.ThreatIntel.Domains;

/// <summary>What the domain parsers read from a bundle.</summary>
internal sealed class DomainData
{
    public HashSet<string> Whitelist { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Blacklist { get; } = new(StringComparer.Ordinal);
    public List<string> Fuzzylist { get; } = [];
    public int Tolerance { get; set; }
    public string MetaMaskSource { get; set; } = "MetaMask eth-phishing-detect";
    public List<CuratedDomain> Curated { get; } = [];
    public string CuratedSource { get; set; } = "Scorpius curated dApp domains";
    public Dictionary<char, char> Confusables { get; } = [];
}

/// <summary>
/// A real dApp, wallet or exchange domain. <see cref="Brand"/> is the name phishing domains borrow ("uniswap");
/// a distinctive brand is flagged wherever it appears, a generic one ("ledger", "curve") only as a homoglyph or next to lure words.
/// </summary>
internal sealed record CuratedDomain(string Domain, string Name, string Category, string? Brand, bool Distinctive, string Source);
