using System.Globalization;
using System.Text.Json;
using Scorpius.Contracts;

namespace Scorpius.RiskEngine.Model;

/// <summary>
/// Writes results in the contract's JSON shape:
/// <c>{"id","verdict","score","findings":[{"code","severity","message","evidence":{}}],"error"?}</c>.
/// Shared by the CLI (one line per result) and wallet-guard's HTTP API.
/// </summary>
public static class ResultWriter
{
    public static void Write(Utf8JsonWriter json, AssessmentResult result)
    {
        json.WriteStartObject();
        if (result.Id is null) json.WriteNull("id");
        else json.WriteString("id", result.Id);
        json.WriteString("verdict", VerdictText(result.Verdict));
        json.WriteNumber("score", result.Score);
        json.WriteStartArray("findings");
        foreach (var finding in result.Findings)
        {
            json.WriteStartObject();
            json.WriteString("code", finding.Code);
            json.WriteString("severity", SeverityText(finding.Severity));
            json.WriteString("message", finding.Message);
            json.WriteStartObject("evidence");
            foreach (var (key, value) in finding.Evidence)
            {
                switch (value)
                {
                    case null: break;
                    case string s: json.WriteString(key, s); break;
                    case bool b: json.WriteBoolean(key, b); break;
                    case int i: json.WriteNumber(key, i); break;
                    case long l: json.WriteNumber(key, l); break;
                    case double d: json.WriteNumber(key, d); break;
                    default: json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture)); break;
                }
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (result.Error is not null) json.WriteString("error", result.Error);
        json.WriteEndObject();
    }

    public static string ToJson(AssessmentResult result)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer)) Write(json, result);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string VerdictText(Verdict verdict) => verdict switch
    {
        Verdict.Benign => "benign",
        Verdict.Warning => "warning",
        Verdict.Malicious => "malicious",
        _ => "error",
    };

    public static string SeverityText(Severity severity) => severity switch
    {
        Severity.Critical => "critical",
        Severity.High => "high",
        Severity.Medium => "medium",
        Severity.Low => "low",
        _ => "info",
    };
}
