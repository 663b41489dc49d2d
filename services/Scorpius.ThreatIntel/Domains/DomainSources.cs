using System.Globalization;
using System.Text.Json;
using Scorpius.ThreatIntel.Domains;

namespace Scorpius.ThreatIntel.Loading;

/// <summary>Parsers of the domain data: MetaMask eth-phishing-detect, our curated dApp domains, the confusables table.</summary>
internal static class DomainSources
{
    /// <summary>eth-phishing-detect config.json: version, tolerance, whitelist, blacklist, fuzzylist.</summary>
    public static int MetaMaskConfig(IndexBuilder builder, SourceInfo source)
    {
        using var doc = Json.Parse(source.Path, builder.Files.Text(source.Path));
        var root = doc.RootElement;
        var domains = builder.Domains;
        domains.Tolerance = Json.Int(root, "tolerance", source.Path);
        domains.MetaMaskSource = source.Name;
        var count = 0;
        foreach (var (list, target) in new[] { ("whitelist", (ICollection<string>)domains.Whitelist), ("blacklist", domains.Blacklist), ("fuzzylist", domains.Fuzzylist) })
        {
            if (!root.TryGetProperty(list, out var entries) || entries.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{source.Path}: '{list}' must be an array of domains.");
            foreach (var entry in entries.EnumerateArray())
            {
                var domain = entry.GetString();
                if (string.IsNullOrWhiteSpace(domain)) throw new InvalidDataException($"{source.Path}: '{list}' has an empty entry.");
                target.Add(domain.ToLowerInvariant());
                count++;
            }
        }
        return count;
    }

    /// <summary>domain, name, category, brand, strength (distinctive or generic; empty with no brand), source.</summary>
    public static int CuratedDomains(IndexBuilder builder, SourceInfo source)
    {
        var csv = Csv.Parse(source.Path, builder.Files.Text(source.Path));
        int domain = csv.Column("domain"), name = csv.Column("name"), category = csv.Column("category"), brand = csv.Column("brand"),
            strength = csv.Column("strength"), origin = csv.Column("source");
        builder.Domains.CuratedSource = source.Name;
        foreach (var (line, f) in csv.Rows)
        {
            var distinctive = f[strength] switch
            {
                "distinctive" when f[brand].Length > 0 => true,
                "generic" when f[brand].Length > 0 => false,
                "" when f[brand].Length == 0 => false,
                _ => throw new InvalidDataException($"{source.Path} line {line}: strength must be 'distinctive' or 'generic' with a brand, empty without."),
            };
            if (f[brand].Any(c => !char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c)))
                throw new InvalidDataException($"{source.Path} line {line}: brand '{f[brand]}' must be lower-case ASCII letters and digits.");
            builder.Domains.Curated.Add(new CuratedDomain(f[domain].ToLowerInvariant(), f[name], f[category],
                f[brand].Length > 0 ? f[brand] : null, distinctive, f[origin]));
        }
        return csv.Rows.Count;
    }

    /// <summary>code point (hex) TAB ASCII look-alike TAB origin TAB name; # comments.</summary>
    public static int Confusables(IndexBuilder builder, SourceInfo source)
    {
        var count = 0;
        foreach (var (line, text) in AddressSources.Lines(builder.Files.Text(source.Path)))
        {
            var fields = text.Split('\t');
            if (fields.Length < 2
                || !int.TryParse(fields[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var codePoint)
                || codePoint is < 0x80 or > 0xFFFF
                || fields[1].Length != 1 || !char.IsAsciiLetterLower(fields[1][0]) && !char.IsAsciiDigit(fields[1][0]))
                throw new InvalidDataException($"{source.Path} line {line}: expected a BMP code point in hex, a tab and one ASCII letter or digit.");
            builder.Domains.Confusables[(char)codePoint] = fields[1][0];
            count++;
        }
        return count;
    }
}
