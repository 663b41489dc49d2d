namespace Scorpius.Testing;

/// <summary>Finds files of this repository from a test's output folder, wherever the clone lives.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Scorpius.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No Scorpius.sln above {AppContext.BaseDirectory}.");
    });

    public static string Root => RootLazy.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
