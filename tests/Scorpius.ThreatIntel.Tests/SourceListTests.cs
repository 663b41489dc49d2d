using System.Text.Json;
using System.Text.RegularExpressions;

namespace Scorpius.ThreatIntel.Tests;

/// <summary>data/threat-intel/SOURCE.md accounts for every shipped file, and every list has its licence beside it.</summary>
public class SourceListTests
{
    private static readonly string[] Files = Directory.EnumerateFiles(TestFiles.IntelData, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(TestFiles.IntelData, f).Replace('\\', '/'))
        .Where(f => f != "SOURCE.md")
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>The first cell of each table row, globs ("v*/*.json") as patterns.</summary>
    private static Regex[] Rows() => TestFiles.IntelText("SOURCE.md").Split('\n')
        .Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| file", StringComparison.Ordinal))
        .Select(l => l.Split('|')[1].Trim().Split(' ')[0])
        .Select(cell => new Regex("^" + Regex.Escape(cell).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "$"))
        .ToArray();

    [Fact]
    public void Every_shipped_file_has_a_row()
    {
        var rows = Rows();
        var missing = Files.Where(f => !rows.Any(r => r.IsMatch(f))).ToArray();
        Assert.True(missing.Length == 0, $"no row for: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_row_names_a_shipped_file()
    {
        var stale = Rows().Where(r => !Files.Any(r.IsMatch)).Select(r => r.ToString()).ToArray();
        Assert.True(stale.Length == 0, $"rows without a file: {string.Join(", ", stale)}");
    }

    [Fact]
    public void Every_third_party_folder_has_its_licence()
    {
        var folders = Files.Select(f => f.Split('/')[0]).Distinct().Where(f => f is not "manifest.json" and not "scorpius");
        foreach (var folder in folders)
            Assert.True(Files.Any(f => f.StartsWith($"{folder}/LICENSE", StringComparison.Ordinal)), $"{folder} has no LICENSE");
    }

    [Fact]
    public void Every_manifest_source_is_a_shipped_file_or_folder()
    {
        using var manifest = JsonDocument.Parse(TestFiles.IntelText("manifest.json"));
        foreach (var source in manifest.RootElement.GetProperty("sources").EnumerateArray())
        {
            var path = source.GetProperty("path").GetString()!;
            Assert.True(Files.Any(f => f == path || (path.EndsWith('/') && f.StartsWith(path, StringComparison.Ordinal))), path);
        }
    }
}
