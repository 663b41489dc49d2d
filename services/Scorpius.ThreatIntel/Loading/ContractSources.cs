using System.Globalization;
using System.Text.Json;

namespace Scorpius.ThreatIntel.Loading;

/// <summary>Parsers of the benign contract registries: Safe deployments, Uniswap, MetaMask contract-map, our curated list.</summary>
internal static class ContractSources
{
    /// <summary>
    /// Every *.json under the folder: contractName, version, deployments {type: {address}}, networkAddresses {chainId: type or [types]}.
    /// </summary>
    public static int SafeDeployments(IndexBuilder builder, SourceInfo source)
    {
        var count = 0;
        foreach (var path in builder.Files.Under(source.Path).Where(p => p.EndsWith(".json", StringComparison.Ordinal)))
        {
            using var doc = Json.Parse(path, builder.Files.Text(path));
            var root = doc.RootElement;
            var name = $"Safe {Json.String(root, "contractName", path)} {Json.String(root, "version", path)}";
            if (!root.TryGetProperty("deployments", out var deployments) || !root.TryGetProperty("networkAddresses", out var networks))
                throw new InvalidDataException($"{path}: expected 'deployments' and 'networkAddresses'.");
            var chainsByType = new Dictionary<string, List<long>>(StringComparer.Ordinal);
            foreach (var network in networks.EnumerateObject())
            {
                var chainId = ChainId(path, network.Name);
                var types = network.Value.ValueKind == JsonValueKind.Array
                    ? network.Value.EnumerateArray().Select(t => t.GetString() ?? "")
                    : [network.Value.GetString() ?? ""];
                foreach (var type in types)
                {
                    if (!chainsByType.TryGetValue(type, out var chains)) chainsByType[type] = chains = [];
                    chains.Add(chainId);
                }
            }
            foreach (var (type, chains) in chainsByType)
            {
                if (!deployments.TryGetProperty(type, out var deployment))
                    throw new InvalidDataException($"{path}: networks use deployment type '{type}', which 'deployments' does not define.");
                var address = AddressSources.ParseEvm(path, 0, Json.String(deployment, "address", $"{path} deployments.{type}"));
                builder.AddContract(address, new KnownContract(name, "safe", source.Name, source.Licence), chains.ToArray());
                count++;
            }
        }
        return count;
    }

    /// <summary>
    /// The constants of @uniswap/sdk-core: permit2 {default, chainId}; NAME_ADDRESS (mainnet); NAME_ADDRESSES {chainId: address};
    /// CHAIN_TO_ADDRESSES_MAP {chainId: {fieldAddress: address}}.
    /// </summary>
    public static int Uniswap(IndexBuilder builder, SourceInfo source)
    {
        using var doc = Json.Parse(source.Path, builder.Files.Text(source.Path));
        var count = 0;
        void Add(string key, string? chainId, JsonElement value)
        {
            var address = AddressSources.ParseEvm(source.Path, 0, value.GetString() ?? "");
            var (name, category) = UniswapName(key);
            long[]? chains = chainId is null ? null : [ChainId(source.Path, chainId)];
            builder.AddContract(address, new KnownContract(name, category, source.Name, source.Licence), chains);
            count++;
        }

        foreach (var constant in doc.RootElement.EnumerateObject())
        {
            if (constant.Name.StartsWith('_') || constant.Name == "chainIds") continue;
            if (constant.Name == "permit2")
            {
                foreach (var p in constant.Value.EnumerateObject()) Add("permit2", p.Name == "default" ? null : p.Name, p.Value);
            }
            else if (constant.Name == "CHAIN_TO_ADDRESSES_MAP")
            {
                foreach (var chain in constant.Value.EnumerateObject())
                    foreach (var field in chain.Value.EnumerateObject()) Add(field.Name, chain.Name, field.Value);
            }
            else if (constant.Value.ValueKind == JsonValueKind.String)
            {
                Add(constant.Name, "1", constant.Value);
            }
            else if (constant.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in constant.Value.EnumerateObject()) Add(constant.Name, p.Name, p.Value);
            }
            else
            {
                throw new InvalidDataException($"{source.Path}: '{constant.Name}' is neither an address nor a map of chain id to address.");
            }
        }
        return count;
    }

    /// <summary>{address: {name, symbol, erc20?, erc721?}} on Ethereum mainnet.</summary>
    public static int MetaMaskContractMap(IndexBuilder builder, SourceInfo source)
    {
        using var doc = Json.Parse(source.Path, builder.Files.Text(source.Path));
        var count = 0;
        foreach (var token in doc.RootElement.EnumerateObject())
        {
            var address = AddressSources.ParseEvm(source.Path, 0, token.Name);
            var name = Json.String(token.Value, "name", $"{source.Path} {token.Name}");
            var symbol = Json.OptionalString(token.Value, "symbol");
            var category = token.Value.TryGetProperty("erc721", out var erc721) && erc721.ValueKind == JsonValueKind.True ? "nft" : "token";
            builder.AddContract(address, new KnownContract(symbol is null ? name : $"{name} ({symbol})", category, source.Name, source.Licence),
                source.ChainId is { } chainId ? [chainId] : null);
            count++;
        }
        return count;
    }

    /// <summary>address, chain_ids ("*" or "1;10;…"), name, category, source.</summary>
    public static int Curated(IndexBuilder builder, SourceInfo source)
    {
        var csv = Csv.Parse(source.Path, builder.Files.Text(source.Path));
        int address = csv.Column("address"), chains = csv.Column("chain_ids"), name = csv.Column("name"), category = csv.Column("category"), origin = csv.Column("source");
        foreach (var (line, f) in csv.Rows)
        {
            long[]? chainIds = f[chains] == "*" ? null : f[chains].Split(';').Select(c => ChainId($"{source.Path} line {line}", c)).ToArray();
            builder.AddContract(AddressSources.ParseEvm(source.Path, line, f[address]),
                new KnownContract(f[name], f[category], $"{source.Name}: {f[origin]}", source.Licence), chainIds);
        }
        return csv.Rows.Count;
    }

    private static long ChainId(string where, string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new InvalidDataException($"{where}: '{text}' is not a chain id.");

    /// <summary>A readable name and a category for an sdk-core constant or CHAIN_TO_ADDRESSES_MAP field.</summary>
    private static (string Name, string Category) UniswapName(string key)
    {
        var k = key.Replace("_ADDRESSES", "").Replace("_ADDRESS", "").Replace("_", "").ToLowerInvariant();
        if (k.EndsWith("address", StringComparison.Ordinal)) k = k[..^"address".Length];
        return k switch
        {
            "permit2" => ("Uniswap Permit2", "permit2"),
            "v2router" => ("Uniswap V2 Router02", "router"),
            "swaprouter02" => ("Uniswap SwapRouter02", "router"),
            "v2factory" => ("Uniswap V2 Factory", "factory"),
            "v3corefactory" => ("Uniswap V3 Factory", "factory"),
            "v4poolmanager" => ("Uniswap V4 PoolManager", "pool-manager"),
            "nonfungiblepositionmanager" => ("Uniswap V3 NonfungiblePositionManager", "position-manager"),
            "v4positionmanager" => ("Uniswap V4 PositionManager", "position-manager"),
            "permissionedv4positionmanager" => ("Uniswap V4 permissioned PositionManager", "position-manager"),
            "v3migrator" => ("Uniswap V3 Migrator", "periphery"),
            "uni" => ("Uniswap UNI token", "token"),
            "governancealphav0" or "governancealphav1" or "governancebravo" or "timelock" => ($"Uniswap governance ({key})", "governance"),
            "merkledistributor" or "uniswapnftairdropclaim" => ($"Uniswap distributor ({key})", "distributor"),
            _ => ($"Uniswap {key}", "periphery"),
        };
    }
}
