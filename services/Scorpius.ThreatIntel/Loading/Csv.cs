using System.Text;

namespace Scorpius.ThreatIntel.Loading;

/// <summary>A CSV table (RFC 4180: commas, double quotes, "" inside quotes) with a header row.</summary>
internal sealed class Csv
{
    private readonly Dictionary<string, int> _columns;

    private Csv(string file, Dictionary<string, int> columns, List<(int Line, string[] Fields)> rows)
    {
        File = file;
        _columns = columns;
        Rows = rows;
    }

    public string File { get; }
    public IReadOnlyList<(int Line, string[] Fields)> Rows { get; }

    public bool HasColumn(string name) => _columns.ContainsKey(name);

    /// <summary>The index of a header column; a missing column is a malformed bundle.</summary>
    public int Column(string name) => _columns.TryGetValue(name, out var index)
        ? index
        : throw new InvalidDataException($"{File}: no column '{name}' (columns: {string.Join(", ", _columns.Keys)}).");

    public static Csv Parse(string file, string text)
    {
        var records = ReadRecords(file, text).ToList();
        if (records.Count == 0) throw new InvalidDataException($"{file}: empty, expected a header row.");
        var header = records[0].Fields;
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Length; i++) columns[header[i].Trim()] = i;
        foreach (var (line, fields) in records.Skip(1))
        {
            if (fields.Length != header.Length)
                throw new InvalidDataException($"{file} line {line}: {fields.Length} fields, the header has {header.Length}.");
        }
        return new Csv(file, columns, records.Skip(1).ToList());
    }

    private static IEnumerable<(int Line, string[] Fields)> ReadRecords(string file, string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var inQuotes = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inQuotes)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') inQuotes = false;
                else { if (c == '\n') line++; field.Append(c); }
            }
            else if (c == '"') inQuotes = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\r') { }
            else if (c == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                if (fields.Count > 1 || fields[0].Length > 0) yield return (recordLine, fields.ToArray());
                fields.Clear();
                recordLine = ++line;
            }
            else field.Append(c);
        }
        if (inQuotes) throw new InvalidDataException($"{file} line {recordLine}: a quoted field is not closed.");
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return (recordLine, fields.ToArray());
        }
    }
}
