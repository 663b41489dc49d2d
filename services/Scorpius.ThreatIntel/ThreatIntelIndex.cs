using System.Collections.ObjectModel;
using Scorpius.ThreatIntel.Domains;
using Scorpius.ThreatIntel.Loading;

namespace Scorpius.ThreatIntel;

/// <summary>
/// The threat-intelligence index: address labels (sanctions, phishing, exploits, heists, mixers, spam tokens, and benign
/// Etherscan labels), well-known benign contracts, and phishing-domain checks. Immutable and thread-safe; to update it at
/// run time, <see cref="Load(Stream)"/> a new bundle and swap the reference.
/// </summary>
public sealed class ThreatIntelIndex
{
    private const string BundledResource = "threat-intel.zip";
    private static readonly Lazy<ThreatIntelIndex> Bundled = new(() =>
    {
        using var stream = typeof(ThreatIntelIndex).Assembly.GetManifestResourceStream(BundledResource)
            ?? throw new InvalidOperationException($"The assembly has no embedded resource '{BundledResource}'.");
        return Load(stream);
    });

    // Read-only wrappers made once, so lookups return them without allocating and callers cannot change the index.
    private readonly Dictionary<EvmAddress, ReadOnlyCollection<AddressLabel>> _evm;
    private readonly Dictionary<string, ReadOnlyCollection<AddressLabel>> _bitcoin;
    private readonly Dictionary<EvmAddress, KnownContractEntry[]> _contracts;
    private readonly DomainChecker _domains;

    internal ThreatIntelIndex(DateOnly builtFrom, IReadOnlyList<ThreatIntelSource> sources,
        Dictionary<EvmAddress, ReadOnlyCollection<AddressLabel>> evm, Dictionary<string, ReadOnlyCollection<AddressLabel>> bitcoin,
        Dictionary<EvmAddress, KnownContractEntry[]> contracts, DomainChecker domains)
    {
        BuiltFrom = builtFrom;
        Sources = sources;
        _evm = evm;
        _bitcoin = bitcoin;
        _contracts = contracts;
        _domains = domains;
    }

    /// <summary>The index built from the lists in data/threat-intel, embedded in this assembly; loaded once.</summary>
    public static ThreatIntelIndex LoadBundled() => Bundled.Value;

    /// <summary>
    /// Builds an index from a bundle: a zip with manifest.json and the lists it names (data/threat-intel zipped).
    /// Throws <see cref="InvalidDataException"/> naming the file and line when the bundle is malformed.
    /// </summary>
    public static ThreatIntelIndex Load(Stream bundle) => BundleReader.Read(bundle);

    /// <summary>The date the bundle was assembled (manifest "builtFrom"); each source has its own as-of date in <see cref="Sources"/>.</summary>
    public DateOnly BuiltFrom { get; }

    /// <summary>The lists the index was built from: name, licence, as-of date, entries read, origin.</summary>
    public IReadOnlyList<ThreatIntelSource> Sources { get; }

    /// <summary>Number of distinct EVM and Bitcoin addresses with at least one label.</summary>
    public int AddressCount => _evm.Count + _bitcoin.Count;

    /// <summary>
    /// The labels of an address from every source that lists it; empty when it is unknown or not an address of the chain.
    /// <paramref name="chain"/> is "ethereum" (any EVM chain) or "bitcoin". With <paramref name="chainId"/>, EVM labels seen on
    /// other chains are left out; labels that hold on every chain (sanctions) stay. Hex addresses match in any case.
    /// </summary>
    public IReadOnlyList<AddressLabel> Lookup(string chain, long? chainId, string address)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(address);
        if (chain.Equals("ethereum", StringComparison.OrdinalIgnoreCase))
        {
            if (!EvmAddress.TryParse(address, out var key) || !_evm.TryGetValue(key, out var labels)) return ReadOnlyCollection<AddressLabel>.Empty;
            if (chainId is null) return labels;
            var kept = 0;
            for (var i = 0; i < labels.Count; i++) if (labels[i].ChainId is null || labels[i].ChainId == chainId) kept++;
            return kept == labels.Count ? labels : OnChain(labels, chainId.Value);
        }
        if (chain.Equals("bitcoin", StringComparison.OrdinalIgnoreCase))
            return _bitcoin.TryGetValue(IndexBuilder.BitcoinKey(address), out var labels) ? labels : ReadOnlyCollection<AddressLabel>.Empty;
        throw new ArgumentOutOfRangeException(nameof(chain), chain, "chain must be \"ethereum\" or \"bitcoin\".");
    }

    /// <summary>
    /// The well-known benign contract at an address, or null. Categories: router, permit2, marketplace, conduit, settlement,
    /// safe, token, nft, factory, pool-manager, position-manager, periphery, governance, distributor.
    /// With <paramref name="chainId"/>, only contracts known on that chain.
    /// </summary>
    public KnownContract? KnownContract(long? chainId, string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!EvmAddress.TryParse(address, out var key) || !_contracts.TryGetValue(key, out var entries)) return null;
        foreach (var entry in entries) if (entry.AppliesTo(chainId)) return entry.Contract;
        return null;
    }

    /// <summary>
    /// Checks a domain or URL: <see cref="DomainVerdict.Allowlisted"/> (MetaMask's whitelist or our curated dApp domains, with
    /// subdomains), <see cref="DomainVerdict.Blocklisted"/> (MetaMask's blacklist, with subdomains),
    /// <see cref="DomainVerdict.LookAlike"/> (MetaMask's fuzzylist, or our look-alike detection), else Unknown.
    /// The reason says why in words.
    /// </summary>
    public DomainCheck CheckDomain(string domainOrUrl) => _domains.Check(domainOrUrl);

    internal DomainChecker Domains => _domains;

    private static AddressLabel[] OnChain(ReadOnlyCollection<AddressLabel> labels, long chainId) =>
        labels.Where(l => l.ChainId is null || l.ChainId == chainId).ToArray();
}
