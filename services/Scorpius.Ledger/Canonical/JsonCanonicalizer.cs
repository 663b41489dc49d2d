using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Scorpius.Ledger.Canonical;

/// <summary>The JSON cannot be canonicalized (not I-JSON: duplicate names, lone surrogates, numbers outside IEEE 754 doubles).</summary>
public sealed class CanonicalJsonException(string message) : Exception(message);

/// <summary>
/// RFC 8785 JSON Canonicalization Scheme (JCS): no whitespace; object members sorted by the UTF-16 code units of
/// their names; strings escaped as ECMAScript's JSON.stringify does (only <c>"</c>, <c>\</c> and control characters);
/// numbers as ECMAScript's Number.prototype.toString prints the nearest IEEE 754 double; UTF-8 output. Any language
/// with a JCS library reproduces these bytes, and so the ledger's hashes.
/// </summary>
public static class JsonCanonicalizer
{
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        JsonDocument document;
        try { document = JsonDocument.ParseValue(ref reader); }
        catch (JsonException ex) { throw new CanonicalJsonException($"not valid JSON: {ex.Message}"); }
        using (document) return Canonicalize(document.RootElement);
    }

    public static byte[] Canonicalize(JsonElement element)
    {
        var text = new StringBuilder();
        Write(element, text);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static void Write(JsonElement element, StringBuilder text)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<(string Name, JsonElement Value)>();
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in element.EnumerateObject())
                {
                    var name = RequireWellFormed(member.Name);
                    if (!names.Add(name)) throw new CanonicalJsonException($"duplicate member name \"{name}\"");
                    members.Add((name, member.Value));
                }
                // string.CompareOrdinal compares UTF-16 code units, as RFC 8785 §3.2.3 requires.
                members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                text.Append('{');
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0) text.Append(',');
                    WriteString(members[i].Name, text);
                    text.Append(':');
                    Write(members[i].Value, text);
                }
                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!first) text.Append(',');
                    first = false;
                    Write(item, text);
                }
                text.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(DecodeString(element), text);
                break;
            case JsonValueKind.Number:
                text.Append(FormatNumber(double.Parse(element.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture)));
                break;
            case JsonValueKind.True: text.Append("true"); break;
            case JsonValueKind.False: text.Append("false"); break;
            case JsonValueKind.Null: text.Append("null"); break;
            default: throw new CanonicalJsonException($"unexpected JSON value kind {element.ValueKind}");
        }
    }

    private static string DecodeString(JsonElement element)
    {
        string value;
        try { value = element.GetString()!; }
        catch (InvalidOperationException ex) { throw new CanonicalJsonException($"string is not valid Unicode: {ex.Message}"); }
        return RequireWellFormed(value);
    }

    private static string RequireWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
            if (char.IsSurrogate(value[i])) throw new CanonicalJsonException($"string contains a lone surrogate U+{(int)value[i]:X4}");
        }
        return value;
    }

    /// <summary>Appends <paramref name="value"/> as an RFC 8785 string (quoted, minimally escaped).</summary>
    public static void WriteString(string value, StringBuilder text)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ': text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: text.Append(c); break;
            }
        }
        text.Append('"');
    }

    /// <summary>ECMAScript Number.prototype.toString (ECMA-262 §6.1.6.1.20) of a finite double, as RFC 8785 §3.2.2.3 requires.</summary>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value)) throw new CanonicalJsonException($"number {value} is not finite");
        if (value == 0) return "0"; // also -0
        // "R" gives the shortest digit string that round-trips, which is what ECMAScript prints.
        var r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var e = r.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e < 0 ? r : r[..e];
        var exponent = e < 0 ? 0 : int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var pointAt = (dot < 0 ? mantissa.Length : dot) + exponent; // value = 0.digits × 10^pointAt, before trimming zeros
        var trimmedLead = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        var n = pointAt - trimmedLead;
        var k = digits.Length;

        string s;
        if (k <= n && n <= 21) s = digits + new string('0', n - k);
        else if (0 < n && n <= 21) s = digits[..n] + "." + digits[n..];
        else if (-6 < n && n <= 0) s = "0." + new string('0', -n) + digits;
        else
        {
            var exp = n - 1;
            var sign = exp < 0 ? "-" : "+";
            s = (k == 1 ? digits : digits[..1] + "." + digits[1..]) + "e" + sign + Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
        }
        return value < 0 ? "-" + s : s;
    }
}
