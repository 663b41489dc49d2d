using System.IO.Compression;
using System.Text;

namespace Scorpius.ThreatIntel.Tests;

/// <summary>Test data beside the tests, the repository's data/threat-intel, and bundles made from it.</summary>
internal static class TestFiles
{
    public static string TestData(string relative) => Path.Combine(AppContext.BaseDirectory, "TestData", relative);

    public static string IntelData { get; } = Path.Combine(RepoRoot(), "data", "threat-intel");

    /// <summary>data/threat-intel as a zip, with some files replaced (or removed, for a null text).</summary>
    public static MemoryStream Bundle(IReadOnlyDictionary<string, string?>? replace = null)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var file in Directory.EnumerateFiles(IntelData, "*", SearchOption.AllDirectories))
            {
                var path = Path.GetRelativePath(IntelData, file).Replace('\\', '/');
                var text = replace is not null && replace.TryGetValue(path, out var replacement) ? replacement : File.ReadAllText(file);
                if (text is null) continue;
                using var entry = zip.CreateEntry(path).Open();
                entry.Write(Encoding.UTF8.GetBytes(text));
            }
            foreach (var (path, text) in replace ?? new Dictionary<string, string?>())
            {
                if (text is not null && !File.Exists(Path.Combine(IntelData, path)))
                {
                    using var entry = zip.CreateEntry(path).Open();
                    entry.Write(Encoding.UTF8.GetBytes(text));
                }
            }
        }
        stream.Position = 0;
        return stream;
    }

    public static string IntelText(string relative) => File.ReadAllText(Path.Combine(IntelData, relative));

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Scorpius.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No Scorpius.sln above {AppContext.BaseDirectory}.");
    }
}
