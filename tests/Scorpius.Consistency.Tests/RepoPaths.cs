namespace Scorpius.Consistency.Tests;

/// <summary>Where the repository and the vendored specifications are, found from the test binaries.</summary>
public static class RepoPaths
{
    /// <summary>The repository root: the first folder above the test binaries that holds Scorpius.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The pinned upstream specifications (see specs/SOURCE.md).</summary>
    public static string Specs { get; } = Path.Combine(Root, "tests", "Scorpius.Consistency.Tests", "specs");

    public static string Spec(string relative) => Path.Combine(Specs, relative);

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>A path relative to <paramref name="root"/> with forward slashes, as used in every problem message.</summary>
    public static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Scorpius.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Scorpius.sln above {AppContext.BaseDirectory}.");
    }
}
