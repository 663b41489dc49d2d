using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Scorpius.ThreatIntel.Domains;

namespace Scorpius.ThreatIntel.Loading;

/// <summary>
/// Reads a bundle: a zip holding manifest.json and the lists it names. Each manifest source names a parser, a path in the
/// zip, its licence, as-of date and origin. Anything that does not fit is an <see cref="InvalidDataException"/> naming the
/// file and line.
/// </summary>
internal static class BundleReader
{
    public const int Format = 1;

    public static ThreatIntelIndex Read(Stream bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(bundle, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"threat-intel bundle: not a zip archive ({e.Message}).", e);
        }

        using (zip)
        {
            var files = zip.Entries.Where(e => !e.FullName.EndsWith('/'))
                .ToDictionary(e => e.FullName.Replace('\\', '/'), StringComparer.Ordinal);
            var builder = new IndexBuilder(new BundleFiles(files));
            ReadManifest(builder, builder.Files.Text("manifest.json"));
            return builder.Build();
        }
    }

    private static void ReadManifest(IndexBuilder builder, string json)
    {
        using (var manifest = Json.Parse("manifest.json", json))
        {
            var root = manifest.RootElement;
            var format = Json.Int(root, "format", "manifest.json");
            if (format != Format) throw new InvalidDataException($"manifest.json: format {format} is not supported (expected {Format}).");
            builder.BuiltFrom = Json.Date(root, "builtFrom", "manifest.json")
                ?? throw new InvalidDataException("manifest.json: 'builtFrom' is required.");
            if (!root.TryGetProperty("sources", out var sources) || sources.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException("manifest.json: 'sources' must be an array.");

            foreach (var element in sources.EnumerateArray())
            {
                var source = SourceInfo.From(element);
                var entries = source.Parser switch
                {
                    "ofac" => AddressSources.Ofac(builder, source),
                    "forta-etherscan-labels" => AddressSources.FortaEtherscanLabels(builder, source),
                    "forta-phishing-scams" => AddressSources.FortaPhishingScams(builder, source),
                    "forta-malicious-contracts" => AddressSources.FortaMaliciousContracts(builder, source),
                    "etherscan-brianleect" => AddressSources.EtherscanBrianleect(builder, source),
                    "etherscan-dawsbot" => AddressSources.EtherscanDawsbot(builder, source),
                    "etherscan-phish-hack" => AddressSources.EtherscanPhishHack(builder, source),
                    "safe-deployments" => ContractSources.SafeDeployments(builder, source),
                    "uniswap-addresses" => ContractSources.Uniswap(builder, source),
                    "metamask-contract-map" => ContractSources.MetaMaskContractMap(builder, source),
                    "scorpius-known-contracts" => ContractSources.Curated(builder, source),
                    "metamask-phishing-config" => DomainSources.MetaMaskConfig(builder, source),
                    "scorpius-dapp-domains" => DomainSources.CuratedDomains(builder, source),
                    "confusables" => DomainSources.Confusables(builder, source),
                    _ => throw new InvalidDataException($"manifest.json: source '{source.Name}' has unknown parser '{source.Parser}'."),
                };
                builder.Sources.Add(new ThreatIntelSource(source.Name, source.Licence, source.AsOf, entries, source.Origin));
            }
        }
    }
}

/// <summary>The files of a bundle by path.</summary>
internal sealed class BundleFiles(Dictionary<string, ZipArchiveEntry> entries)
{
    public string Text(string path)
    {
        if (!entries.TryGetValue(path, out var entry)) throw new InvalidDataException($"threat-intel bundle: {path} is missing.");
        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The files under a folder, in path order.</summary>
    public IEnumerable<string> Under(string folder) =>
        entries.Keys.Where(p => p.StartsWith(folder, StringComparison.Ordinal)).Order(StringComparer.Ordinal);
}

/// <summary>One manifest source.</summary>
internal sealed record SourceInfo(
    string Name, string Parser, string Path, string Licence, DateOnly? AsOf, string Origin,
    long? ChainId, string? Chain, string? Asset, string? Delisted)
{
    public static SourceInfo From(JsonElement e)
    {
        const string where = "manifest.json source";
        var name = Json.String(e, "name", where);
        var at = $"manifest.json source '{name}'";
        return new SourceInfo(
            name,
            Json.String(e, "parser", at),
            Json.String(e, "path", at),
            Json.String(e, "licence", at),
            Json.Date(e, "asOf", at),
            Json.String(e, "origin", at),
            e.TryGetProperty("chainId", out var chainId) && chainId.ValueKind == JsonValueKind.Number ? chainId.GetInt64() : null,
            Json.OptionalString(e, "chain"),
            Json.OptionalString(e, "asset"),
            Json.OptionalString(e, "delisted"));
    }
}

internal static class Json
{
    public static string String(JsonElement e, string property, string where) =>
        e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s
            ? s
            : throw new InvalidDataException($"{where}: '{property}' must be a non-empty string.");

    public static string? OptionalString(JsonElement e, string property) =>
        e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static int Int(JsonElement e, string property, string where) =>
        e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i)
            ? i
            : throw new InvalidDataException($"{where}: '{property}' must be an integer.");

    public static DateOnly? Date(JsonElement e, string property, string where)
    {
        if (!e.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var date))
            return date;
        throw new InvalidDataException($"{where}: '{property}' must be a date (yyyy-MM-dd) or null.");
    }

    public static JsonDocument Parse(string file, string text)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not valid JSON ({e.Message}).", e);
        }
    }
}
