using Scorpius.Contracts;
using Xunit;

namespace Scorpius.Consistency.Tests;

/// <summary>
/// A throw-away copy of the files the validators read (dapr.yaml, tye.yaml, components/, deploy/, and each app's
/// project file and launchSettings.json), so a test can break one file and run a validator on the copy.
/// </summary>
public sealed class TempRepo : IDisposable
{
    public TempRepo()
    {
        Root = Path.Combine(Path.GetTempPath(), "scorpius-consistency-" + Guid.NewGuid().ToString("N"));
        var files = new[] { "dapr.yaml", "tye.yaml", "Scorpius.sln" }
            .Concat(Below("components")).Concat(Below("deploy"))
            .Concat(ScorpiusApps.All.SelectMany(a => new[]
            {
                $"{a.ProjectDir}/{Path.GetFileName(a.ProjectDir)}.csproj",
                $"{a.ProjectDir}/Properties/launchSettings.json",
            }));
        foreach (var file in files)
        {
            var target = PathOf(file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(RepoPaths.Root, file), target);
        }
    }

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>A copy with one text replacement in one file.</summary>
    public static TempRepo With(string relative, string oldText, string newText) => new TempRepo().Replace(relative, oldText, newText);

    /// <summary>Replaces text in a copied file; fails the test if the text is not there (the real file changed).</summary>
    public TempRepo Replace(string relative, string oldText, string newText)
    {
        var text = File.ReadAllText(PathOf(relative));
        Assert.True(text.Contains(oldText, StringComparison.Ordinal), $"{relative} no longer contains: {oldText}");
        File.WriteAllText(PathOf(relative), text.Replace(oldText, newText, StringComparison.Ordinal));
        return this;
    }

    public TempRepo Append(string relative, string text)
    {
        File.AppendAllText(PathOf(relative), text);
        return this;
    }

    public TempRepo Write(string relative, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PathOf(relative))!);
        File.WriteAllText(PathOf(relative), text);
        return this;
    }

    public TempRepo Delete(string relative)
    {
        File.Delete(PathOf(relative));
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder left behind does no harm
        }
    }

    private static IEnumerable<string> Below(string folder) =>
        Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, folder), "*", SearchOption.AllDirectories)
            .Select(f => RepoPaths.Relative(RepoPaths.Root, f));
}
