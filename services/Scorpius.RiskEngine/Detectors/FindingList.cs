using Scorpius.Contracts;
using Scorpius.RiskEngine.Model;

namespace Scorpius.RiskEngine.Detectors;

/// <summary>The findings of one assessment, without duplicates (same code about the same subject).</summary>
internal sealed class FindingList
{
    private readonly List<Finding> findings = new(4);
    private readonly HashSet<string> keys = new(StringComparer.Ordinal);

    public IReadOnlyList<Finding> Items => findings;

    public void Add(string code, Severity severity, string subject, string message, params (string Key, object? Value)[] evidence)
    {
        if (!keys.Add(code + "|" + subject)) return;
        var map = new Dictionary<string, object?>(evidence.Length);
        foreach (var (key, value) in evidence)
        {
            if (value is not null) map[key] = value;
        }
        findings.Add(new Finding(code, severity, message, map));
    }
}
