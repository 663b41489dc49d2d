using System.Globalization;
using System.Text;

namespace Scorpius.ThreatIntel.Domains;

/// <summary>
/// Skeletons (what a name looks like once look-alike characters are replaced: Cyrillic "а" → "a", "0" → "o", "rn" → "m"),
/// edit distance and a readable description of how two names differ.
/// </summary>
internal sealed class Similarity(IReadOnlyDictionary<char, char> confusables)
{
    /// <summary>
    /// Maps every character to the ASCII letter it looks like, then folds the ASCII look-alikes: rn → m, vv → w, 0 → o,
    /// and 1, i, l → l. Two names with the same skeleton look alike.
    /// </summary>
    public string Skeleton(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name) sb.Append(c < 128 ? c : confusables.TryGetValue(c, out var ascii) ? ascii : c);
        sb.Replace("rn", "m").Replace("vv", "w");
        for (var i = 0; i < sb.Length; i++)
        {
            sb[i] = sb[i] switch { '0' => 'o', '1' or 'i' => 'l', var c => c };
        }
        return sb.ToString();
    }

    /// <summary>True when every character of the name is ASCII or maps to an ASCII look-alike.</summary>
    public bool MapsToAscii(string name) => name.All(c => c < 128 || confusables.ContainsKey(c));

    /// <summary>Levenshtein distance (insertions, deletions, substitutions), as fast-levenshtein computes it for eth-phishing-detect.</summary>
    public static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost 1.</summary>
    public static int Distance(string a, string b)
    {
        // Three rolling rows (two back for the swap), on the stack for domain-sized names.
        var width = b.Length + 1;
        Span<int> rows = width * 3 <= 512 ? stackalloc int[width * 3] : new int[width * 3];
        Span<int> older = rows[..width], previous = rows.Slice(width, width), current = rows[(2 * width)..];
        for (var j = 0; j < width; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j < width; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) current[j] = Math.Min(current[j], older[j - 2] + 1);
            }
            var recycled = older;
            older = previous;
            previous = current;
            current = recycled;
        }
        return previous[b.Length];
    }

    /// <summary>
    /// How <paramref name="input"/> differs from <paramref name="target"/>, as "input part→target part" groups:
    /// "rn→m", "Cyrillic 'а' (U+0430)→a", "extra 'x'", "missing 'e'".
    /// </summary>
    public static IReadOnlyList<string> Differences(string input, string target)
    {
        var d = Matrix(input, target);
        var ops = new List<(string From, string To)>();
        int i = input.Length, j = target.Length;
        while (i > 0 || j > 0)
        {
            if (i > 0 && j > 0 && input[i - 1] == target[j - 1] && d[i, j] == d[i - 1, j - 1]) { ops.Add(("", "")); i--; j--; }
            else if (i > 1 && j > 1 && input[i - 1] == target[j - 2] && input[i - 2] == target[j - 1] && d[i, j] == d[i - 2, j - 2] + 1)
            { ops.Add((input.Substring(i - 2, 2), target.Substring(j - 2, 2))); i -= 2; j -= 2; }
            else if (i > 0 && j > 0 && d[i, j] == d[i - 1, j - 1] + 1) { ops.Add((input[i - 1].ToString(), target[j - 1].ToString())); i--; j--; }
            else if (i > 0 && d[i, j] == d[i - 1, j] + 1) { ops.Add((input[i - 1].ToString(), "")); i--; }
            else { ops.Add(("", target[j - 1].ToString())); j--; }
        }
        ops.Reverse();

        // Neighbouring edits read as one: "r"→"m" followed by an extra "n" is "rn→m".
        var groups = new List<string>();
        string from = "", to = "";
        var open = false;
        foreach (var (f, t) in ops.Append(("", "")))
        {
            var isMatch = f.Length == 0 && t.Length == 0;
            if (!isMatch) { from += f; to += t; open = true; continue; }
            if (open) groups.Add(Describe(from, to));
            from = to = "";
            open = false;
        }
        return groups;
    }

    private static string Describe(string from, string to) =>
        from.Length == 0 ? $"missing '{to}'"
        : to.Length == 0 ? $"extra {Show(from)}"
        : $"{Show(from)}→{to}";

    /// <summary>A text as written, with the script and code point of any non-ASCII character: "Cyrillic 'а' (U+0430)".</summary>
    internal static string Show(string text)
    {
        if (text.All(char.IsAscii)) return text;
        return string.Join(" ", text.Select(c => c < 128
            ? c.ToString()
            : string.Create(CultureInfo.InvariantCulture, $"{Script(c)} '{c}' (U+{(int)c:X4})")));
    }

    /// <summary>The script of a letter, for the scripts whose letters pass for Latin ones.</summary>
    public static string Script(char c) => c switch
    {
        < '\u0080' => char.IsAsciiLetter(c) ? "Latin" : "Common",
        >= '\u00C0' and <= '\u024F' or >= '\u1E00' and <= '\u1EFF' or >= '\u2C60' and <= '\u2C7F' or >= '\uA720' and <= '\uA7FF' => "Latin",
        >= '\u0250' and <= '\u02AF' => "Latin",
        >= '\u0370' and <= '\u03FF' or >= '\u1F00' and <= '\u1FFF' => "Greek",
        >= '\u0400' and <= '\u052F' or >= '\u2DE0' and <= '\u2DFF' or >= '\uA640' and <= '\uA69F' => "Cyrillic",
        >= '\u0530' and <= '\u058F' => "Armenian",
        >= '\u13A0' and <= '\u13FF' or >= '\uAB70' and <= '\uABBF' => "Cherokee",
        >= '\uFF00' and <= '\uFFEF' => "Fullwidth",
        _ => "Other",
    };

    private static int[,] Matrix(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d;
    }
}
