using Xunit;

namespace Scorpius.Consistency.Tests;

/// <summary>Assertions on a validator's list of problems.</summary>
public static class Problems
{
    public static void AssertNone(IReadOnlyList<string> problems) =>
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s):\n" + string.Join("\n", problems));

    /// <summary>Some problem mentions every fragment (typically the file and the field).</summary>
    public static void AssertReported(IReadOnlyList<string> problems, params string[] fragments) =>
        Assert.True(
            problems.Any(p => fragments.All(f => p.Contains(f, StringComparison.Ordinal))),
            $"No problem mentions all of [{string.Join(" | ", fragments)}]. Reported:\n" + (problems.Count == 0 ? "(none)" : string.Join("\n", problems)));
}
