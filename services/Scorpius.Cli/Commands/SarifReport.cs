using System.Text.Json;
using System.Text.Json.Nodes;
using Scorpius.Contracts;
using Scorpius.RiskEngine.Model;

namespace Scorpius.Cli.Commands;

/// <summary>
/// SARIF 2.1.0 output: one run of the tool "Scorpius", one rule per finding code, one result per finding (and one per
/// engine error), located logically at the request id. Levels: critical/high → error, medium → warning, low/info → note.
/// </summary>
internal static class SarifReport
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    public static string Build(IReadOnlyList<AssessmentResult> results)
    {
        var rules = new JsonArray();
        var ruleIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var sarifResults = new JsonArray();
        foreach (var result in results)
        {
            if (result.Verdict == Verdict.Error)
            {
                sarifResults.Add(Result(RuleFor("ENGINE_ERROR", "The request could not be assessed.", Severity.High), "ENGINE_ERROR", "error",
                    $"Request {result.Id} could not be assessed: {result.Error}", result, null));
                continue;
            }
            foreach (var finding in result.Findings)
            {
                var index = RuleFor(finding.Code, finding.Message, finding.Severity);
                sarifResults.Add(Result(index, finding.Code, Level(finding.Severity), finding.Message, result, finding));
            }
        }

        var log = new JsonObject
        {
            ["$schema"] = SchemaUri,
            ["version"] = "2.1.0",
            ["runs"] = new JsonArray
            {
                new JsonObject
                {
                    ["tool"] = new JsonObject
                    {
                        ["driver"] = new JsonObject
                        {
                            ["name"] = "Scorpius",
                            ["version"] = typeof(SarifReport).Assembly.GetName().Version?.ToString() ?? "0.0.0",
                            ["rules"] = rules,
                        },
                    },
                    ["results"] = sarifResults,
                },
            },
        };
        return log.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

        int RuleFor(string code, string example, Severity severity)
        {
            if (ruleIndex.TryGetValue(code, out var existing)) return existing;
            rules.Add(new JsonObject
            {
                ["id"] = code,
                ["name"] = Pascal(code),
                ["shortDescription"] = new JsonObject { ["text"] = code.Replace('_', ' ').ToLowerInvariant() },
                ["fullDescription"] = new JsonObject { ["text"] = example },
                ["defaultConfiguration"] = new JsonObject { ["level"] = Level(severity) },
            });
            ruleIndex[code] = rules.Count - 1;
            return rules.Count - 1;
        }
    }

    private static JsonObject Result(int ruleIndex, string ruleId, string level, string message, AssessmentResult result, Finding? finding)
    {
        var properties = new JsonObject
        {
            ["verdict"] = ResultWriter.VerdictText(result.Verdict),
            ["score"] = result.Score,
        };
        if (finding is not null)
        {
            properties["severity"] = ResultWriter.SeverityText(finding.Severity);
            var evidence = new JsonObject();
            foreach (var (key, value) in finding.Evidence)
                evidence[key] = value switch
                {
                    bool b => JsonValue.Create(b),
                    int i => JsonValue.Create(i),
                    long l => JsonValue.Create(l),
                    double d => JsonValue.Create(d),
                    _ => JsonValue.Create(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
                };
            properties["evidence"] = evidence;
        }
        return new JsonObject
        {
            ["ruleId"] = ruleId,
            ["ruleIndex"] = ruleIndex,
            ["level"] = level,
            ["message"] = new JsonObject { ["text"] = message },
            ["locations"] = new JsonArray
            {
                new JsonObject
                {
                    ["logicalLocations"] = new JsonArray
                    {
                        new JsonObject { ["name"] = result.Id ?? "", ["fullyQualifiedName"] = "request/" + (result.Id ?? ""), ["kind"] = "object" },
                    },
                },
            },
            ["properties"] = properties,
        };
    }

    private static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

    private static string Pascal(string code) =>
        string.Concat(code.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..].ToLowerInvariant()));
}
