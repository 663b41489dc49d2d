using Scorpius.ThreatIntel.Domains;

namespace Scorpius.ThreatIntel.Loading;

/// <summary>Collects what the parsers read; <see cref="Build"/> freezes it into a <see cref="ThreatIntelIndex"/>.</summary>
internal sealed class IndexBuilder(BundleFiles files)
{
    private readonly Dictionary<EvmAddress, List<AddressLabel>> _evm = [];
    private readonly Dictionary<string, List<AddressLabel>> _bitcoin = new(StringComparer.Ordinal);
    private readonly Dictionary<EvmAddress, List<KnownContractEntry>> _contracts = [];

    public BundleFiles Files { get; } = files;
    public DateOnly BuiltFrom { get; set; }
    public List<ThreatIntelSource> Sources { get; } = [];
    public DomainData Domains { get; } = new();

    /// <summary>Adds a label unless the same label from the same source is already there.</summary>
    public void AddEvm(EvmAddress address, AddressLabel label) => AddTo(_evm, address, label);

    public void AddBitcoin(string address, AddressLabel label) => AddTo(_bitcoin, BitcoinKey(address), label);

    public void AddContract(EvmAddress address, KnownContract contract, long[]? chainIds)
    {
        if (!_contracts.TryGetValue(address, out var list)) _contracts[address] = list = [];
        list.Add(new KnownContractEntry(contract, chainIds));
    }

    public ThreatIntelIndex Build()
    {
        MarkTornadoCashDelisted();
        return new ThreatIntelIndex(
        BuiltFrom,
        Sources.ToArray(),
        _evm.ToDictionary(p => p.Key, p => p.Value.ToArray().AsReadOnly()),
        _bitcoin.ToDictionary(p => p.Key, p => p.Value.ToArray().AsReadOnly(), StringComparer.Ordinal),
        _contracts.ToDictionary(p => p.Key, p => p.Value.ToArray()),
        new DomainChecker(Domains));
    }

    /// <summary>
    /// The Tornado Cash annotation only knows Etherscan mainnet names; an OFAC entry whose address an Etherscan-family scrape
    /// labels tornado-cash (on any chain) was delisted with the rest of Tornado Cash too.
    /// </summary>
    private void MarkTornadoCashDelisted()
    {
        foreach (var labels in _evm.Values)
        {
            if (!labels.Exists(l => l.Category == AddressCategories.Mixer && l.Note?.Contains(AddressSources.TornadoNote, StringComparison.Ordinal) == true))
                continue;
            for (var i = 0; i < labels.Count; i++)
            {
                if (labels[i].Category == AddressCategories.Sanctioned)
                    labels[i] = labels[i] with { Category = AddressCategories.SanctionedDelisted, Note = AddressSources.TornadoNote };
            }
        }
    }

    /// <summary>Bech32 addresses (bc1…, tb1…) are case-insensitive and compared in lower case; Base58 ones are case-sensitive.</summary>
    public static string BitcoinKey(string address)
    {
        var trimmed = address.Trim();
        return trimmed.StartsWith("bc1", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("tb1", StringComparison.OrdinalIgnoreCase)
            ? trimmed.ToLowerInvariant()
            : trimmed;
    }

    private static void AddTo<TKey>(Dictionary<TKey, List<AddressLabel>> index, TKey key, AddressLabel label) where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list)) index[key] = list = [];
        if (!list.Contains(label)) list.Add(label);
    }
}

/// <summary>A known contract and the chains it is known on (null: every EVM chain).</summary>
internal sealed record KnownContractEntry(KnownContract Contract, long[]? ChainIds)
{
    public bool AppliesTo(long? chainId) => chainId is null || ChainIds is null || Array.IndexOf(ChainIds, chainId.Value) >= 0;
}
