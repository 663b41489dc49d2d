using Scorpius.Contracts;
using Scorpius.RiskEngine.Model;

namespace Scorpius.RiskEngine.Detectors;

/// <summary>
/// From findings to a verdict and a 0–100 score, in a way a person can check by hand: the score is the weight of the
/// most severe finding (info 0, low 15, medium 40, high 65, critical 90) plus 3 for each further finding above info,
/// at most 9 more; any critical finding is malicious, any medium or high finding a warning, the rest benign.
/// </summary>
public static class Scoring
{
    public static int Weight(Severity severity) => severity switch
    {
        Severity.Critical => 90,
        Severity.High => 65,
        Severity.Medium => 40,
        Severity.Low => 15,
        _ => 0,
    };

    public static AssessmentResult Result(string? id, IReadOnlyList<Finding> findings)
    {
        if (findings.Count == 0) return new AssessmentResult(id, Verdict.Benign, 0, findings);
        var ordered = findings.OrderByDescending(f => f.Severity).ToArray();
        var top = ordered[0].Severity;
        var others = ordered.Skip(1).Count(f => f.Severity > Severity.Info);
        var score = Math.Min(100, Weight(top) + Math.Min(9, 3 * others));
        var verdict = top switch
        {
            Severity.Critical => Verdict.Malicious,
            Severity.High or Severity.Medium => Verdict.Warning,
            _ => Verdict.Benign,
        };
        return new AssessmentResult(id, verdict, score, ordered);
    }
}
