namespace Scorpius.ThreatIntel.Loading;

/// <summary>Parsers of the address lists: OFAC, Forta and the Etherscan label scrapes.</summary>
internal static class AddressSources
{
    public const string TornadoNote =
        "Tornado Cash: the US Treasury removed Tornado Cash and its smart-contract addresses from the SDN list on 2025-03-21; this address is no longer sanctioned.";

    /// <summary>One address per line. EVM lists also hold other chains' addresses (USDT on Tron): lines without 0x are skipped.</summary>
    public static int Ofac(IndexBuilder builder, SourceInfo source)
    {
        var delisted = source.Delisted is null ? [] : TornadoAnnotation(builder.Files, source.Delisted);
        var count = 0;
        foreach (var (line, text) in Lines(builder.Files.Text(source.Path)))
        {
            if (source.Chain == "ethereum")
            {
                if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) continue;
                var address = ParseEvm(source.Path, line, text);
                var label = delisted.TryGetValue(address, out var name)
                    ? new AddressLabel(AddressCategories.SanctionedDelisted, $"OFAC SDN list ({source.Asset}){(name.Length > 0 ? ": " + name : "")}",
                        source.Name, source.Licence, source.AsOf, TornadoNote)
                    : new AddressLabel(AddressCategories.Sanctioned, $"OFAC SDN list ({source.Asset})", source.Name, source.Licence, source.AsOf, null);
                builder.AddEvm(address, label);
            }
            else if (source.Chain == "bitcoin")
            {
                if (!text.All(char.IsAsciiLetterOrDigit))
                    throw new InvalidDataException($"{source.Path} line {line}: '{text}' is not a Bitcoin address.");
                builder.AddBitcoin(text, new AddressLabel(AddressCategories.Sanctioned, $"OFAC SDN list ({source.Asset})",
                    source.Name, source.Licence, source.AsOf, null));
            }
            else
            {
                throw new InvalidDataException($"manifest.json source '{source.Name}': chain must be 'ethereum' or 'bitcoin'.");
            }
            count++;
        }
        return count;
    }

    /// <summary>banned_address, wallet_tag, data_source (etherscan-phish-hack-list, -exploit-list, -heist-list).</summary>
    public static int FortaEtherscanLabels(IndexBuilder builder, SourceInfo source)
    {
        var csv = Csv.Parse(source.Path, builder.Files.Text(source.Path));
        int address = csv.Column("banned_address"), tag = csv.Column("wallet_tag"), dataSource = csv.Column("data_source");
        foreach (var (line, f) in csv.Rows)
        {
            var list = f[dataSource];
            var category = list.StartsWith("etherscan-", StringComparison.Ordinal) && list.EndsWith("-list", StringComparison.Ordinal)
                ? EtherscanCategory(list["etherscan-".Length..^"-list".Length], source.Path, line)
                : throw new InvalidDataException($"{source.Path} line {line}: unknown data_source '{list}'.");
            if (category is null) continue;
            builder.AddEvm(ParseEvm(source.Path, line, f[address]),
                new AddressLabel(category, OrDefault(f[tag], list), source.Name, source.Licence, source.AsOf, null, source.ChainId));
        }
        return csv.Rows.Count;
    }

    /// <summary>address, etherscan_tag, etherscan_labels, is_contract.</summary>
    public static int FortaPhishingScams(IndexBuilder builder, SourceInfo source)
    {
        var csv = Csv.Parse(source.Path, builder.Files.Text(source.Path));
        int address = csv.Column("address"), tag = csv.Column("etherscan_tag"), labels = csv.Column("etherscan_labels"), isContract = csv.Column("is_contract");
        foreach (var (line, f) in csv.Rows)
        {
            var category = EtherscanCategory(f[labels], source.Path, line);
            if (category is null) continue;
            var note = f[isContract].Equals("True", StringComparison.OrdinalIgnoreCase) ? "contract" : null;
            builder.AddEvm(ParseEvm(source.Path, line, f[address]),
                new AddressLabel(category, OrDefault(f[tag], f[labels]), source.Name, source.Licence, source.AsOf, note, source.ChainId));
        }
        return csv.Rows.Count;
    }

    /// <summary>
    /// contract_address, contract_tag, contract_creator, contract_creator_tag, [contract_creator_etherscan_label], source, notes.
    /// The contract is labelled; so is its creator when Forta tags or labels the creator.
    /// </summary>
    public static int FortaMaliciousContracts(IndexBuilder builder, SourceInfo source)
    {
        var csv = Csv.Parse(source.Path, builder.Files.Text(source.Path));
        int contract = csv.Column("contract_address"), tag = csv.Column("contract_tag"), creator = csv.Column("contract_creator"),
            creatorTag = csv.Column("contract_creator_tag"), notes = csv.Column("notes");
        var creatorLabel = csv.HasColumn("contract_creator_etherscan_label") ? csv.Column("contract_creator_etherscan_label") : -1;
        foreach (var (line, f) in csv.Rows)
        {
            var etherscanLabel = creatorLabel >= 0 ? f[creatorLabel] : "";
            var category = etherscanLabel.Length > 0
                ? EtherscanCategory(etherscanLabel, source.Path, line) ?? AddressCategories.MaliciousContract
                : AddressCategories.MaliciousContract;
            var label = f[tag].Length > 0 ? f[tag]
                : f[creatorTag].Length > 0 ? $"contract deployed by {f[creatorTag]}"
                : "malicious contract";
            var note = string.Join("; ", new[] { $"deployed by {f[creator]}", f[notes] }.Where(s => s.Length > 0));
            builder.AddEvm(ParseEvm(source.Path, line, f[contract]),
                new AddressLabel(category, label, source.Name, source.Licence, source.AsOf, note, source.ChainId));
            if (f[creatorTag].Length > 0 || etherscanLabel.Length > 0)
            {
                builder.AddEvm(ParseEvm(source.Path, line, f[creator]),
                    new AddressLabel(category, OrDefault(f[creatorTag], "deployer of a malicious contract"), source.Name, source.Licence,
                        source.AsOf, $"deployed malicious contract {f[contract].ToLowerInvariant()}", source.ChainId));
            }
        }
        return csv.Rows.Count;
    }

    /// <summary>label, address, name_tag, balance, txn_count (one Etherscan label per row).</summary>
    public static int EtherscanBrianleect(IndexBuilder builder, SourceInfo source)
    {
        var csv = Csv.Parse(source.Path, builder.Files.Text(source.Path));
        int label = csv.Column("label"), address = csv.Column("address"), name = csv.Column("name_tag");
        var count = 0;
        foreach (var (line, f) in csv.Rows)
        {
            if (AddEtherscanRow(builder, source, line, f[label], f[address], f[name], null, source.ChainId)) count++;
        }
        return count;
    }

    /// <summary>chain (etherscan, arbiscan, basescan, …), label, kind (account or token), address, name.</summary>
    public static int EtherscanDawsbot(IndexBuilder builder, SourceInfo source)
    {
        var csv = Csv.Parse(source.Path, builder.Files.Text(source.Path));
        int chain = csv.Column("chain"), label = csv.Column("label"), kind = csv.Column("kind"), address = csv.Column("address"), name = csv.Column("name");
        var count = 0;
        foreach (var (line, f) in csv.Rows)
        {
            var chainId = ExplorerChainId(f[chain], source.Path, line);
            var note = f[kind] == "token" ? "token contract" : null;
            if (AddEtherscanRow(builder, source, line, f[label], f[address], f[name], note, chainId)) count++;
        }
        return count;
    }

    /// <summary>address, nameTag: Etherscan's "phish-hack" label.</summary>
    public static int EtherscanPhishHack(IndexBuilder builder, SourceInfo source)
    {
        var csv = Csv.Parse(source.Path, builder.Files.Text(source.Path));
        int address = csv.Column("address"), name = csv.Column("nameTag");
        foreach (var (line, f) in csv.Rows)
        {
            builder.AddEvm(ParseEvm(source.Path, line, f[address]),
                new AddressLabel(AddressCategories.Phishing, OrDefault(f[name], "phish-hack"), source.Name, source.Licence, source.AsOf, null, source.ChainId));
        }
        return csv.Rows.Count;
    }

    /// <summary>
    /// The category of an Etherscan label; null for "ofac-sanctions-lists", which is left to the OFAC lists themselves
    /// (Etherscan's copy is older and has 3 addresses the 2024-09-27 list no longer has). An unknown label is an error, so a
    /// new label in an updated list is mapped on purpose.
    /// </summary>
    internal static string? EtherscanCategory(string label, string file, int line) => label switch
    {
        "phish-hack" => AddressCategories.Phishing,
        "exploit" => AddressCategories.Exploit,
        "heist" => AddressCategories.Heist,
        "scam" => AddressCategories.Scam,
        "compromised" => AddressCategories.Compromised,
        "spam-token" => AddressCategories.SpamToken,
        "tornado-cash" or "ethereum-mixer" => AddressCategories.Mixer,
        "ofac-sanctions-lists" => null,
        "binance" or "coinbase" or "kraken" or "bitfinex" or "okx" or "kucoin" or "crypto-com" or "bithumb" or "gemini" or "bitstamp"
            or "huobi" or "gate-io" or "hot-wallet" or "cold-wallet" => "exchange",
        "dex" or "1inch" or "0x-protocol" or "kyberswap" or "paraswap" or "cow-protocol" or "curve-fi" => "dex",
        "bridge" or "across-protocol" or "hop-protocol" => "bridge",
        "arbitrum" or "optimism" or "polygon-matic" or "polygon" or "layer-2" => "layer-2",
        "stablecoin" or "circle" => "stablecoin",
        "aave" or "compound" or "maker" or "lido" => "defi",
        "safe-formerly-gnosis-safe" or "multisig" => "multisig",
        "ens" => "ens",
        "chainlink" or "oracle" => "oracle",
        "opensea" or "rarible" or "looksrare" => "nft-marketplace",
        "wallet-app" or "metamask" => "wallet",
        _ => throw new InvalidDataException($"{file} line {line}: unknown Etherscan label '{label}'."),
    };

    /// <summary>Chain ids of the Etherscan-family explorers in the dawsbot scrape.</summary>
    internal static long ExplorerChainId(string explorer, string file, int line) => explorer switch
    {
        "etherscan" => 1,
        "optimism" => 10,
        "bscscan" => 56,
        "gnosis" => 100,
        "basescan" => 8453,
        "arbiscan" => 42161,
        "celo" => 42220,
        _ => throw new InvalidDataException($"{file} line {line}: unknown explorer '{explorer}'."),
    };

    internal static EvmAddress ParseEvm(string file, int line, string text) =>
        EvmAddress.TryParse(text, out var address)
            ? address
            : throw new InvalidDataException($"{file} line {line}: '{text}' is not an EVM address (0x and 40 hex digits).");

    internal static IEnumerable<(int Line, string Text)> Lines(string text)
    {
        var line = 0;
        foreach (var raw in text.Split('\n'))
        {
            line++;
            var trimmed = raw.Trim();
            if (trimmed.Length > 0 && !trimmed.StartsWith('#')) yield return (line, trimmed);
        }
    }

    private static bool AddEtherscanRow(IndexBuilder builder, SourceInfo source, int line, string label, string address, string name, string? note, long? chainId)
    {
        var category = EtherscanCategory(label, source.Path, line);
        if (category is null) return false;
        if (label == "tornado-cash") note = note is null ? TornadoNote : $"{note}; {TornadoNote}";
        var text = name.Length > 0 ? $"{name} ({label})" : label;
        builder.AddEvm(ParseEvm(source.Path, line, address), new AddressLabel(category, text, source.Name, source.Licence, source.AsOf, note, chainId));
        return true;
    }

    /// <summary>address, etherscan_tornado_cash_name_tag, tornado_cash_labelled: the delisted Tornado Cash addresses and their names.</summary>
    private static Dictionary<EvmAddress, string> TornadoAnnotation(BundleFiles files, string path)
    {
        var csv = Csv.Parse(path, files.Text(path));
        int address = csv.Column("address"), name = csv.Column("etherscan_tornado_cash_name_tag"), labelled = csv.Column("tornado_cash_labelled");
        return csv.Rows.Where(r => r.Fields[labelled] == "true")
            .ToDictionary(r => ParseEvm(path, r.Line, r.Fields[address]), r => r.Fields[name]);
    }

    private static string OrDefault(string value, string fallback) => value.Length > 0 ? value : fallback;
}
