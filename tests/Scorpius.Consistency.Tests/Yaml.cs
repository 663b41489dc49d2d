using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Scorpius.Consistency.Tests;

/// <summary>One YAML document of a file, as JSON; <see cref="File"/> is relative to the repository root.</summary>
public sealed record YamlDoc(string File, JObject Json)
{
    public string Kind => (string?)Json["kind"] ?? "";
    public string ApiVersion => (string?)Json["apiVersion"] ?? "";
    public string Name => (string?)Json["metadata"]?["name"] ?? "";
    public string Label => $"{File}: {Kind} '{Name}'";
}

/// <summary>
/// Reads YAML into Newtonsoft JSON so NJsonSchema can validate it. Plain scalars are typed the way Go's
/// gopkg.in/yaml.v2 (dapr CLI) and sigs.k8s.io/yaml (daprd, kubectl) type them: YAML 1.1 booleans
/// (true/yes/on/y...), integers, floats and null; anything quoted stays a string.
/// </summary>
public static partial class Yaml
{
    public static IReadOnlyList<YamlDoc> LoadDocs(string root, string path)
    {
        var relative = RepoPaths.Relative(root, path);
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException) // YamlDotNet throws both on broken input
        {
            throw new InvalidDataException($"{relative}: not valid YAML: {e.Message}", e);
        }

        var docs = new List<YamlDoc>();
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is YamlScalarNode { Value: null or "" })
            {
                continue; // a document that holds only comments
            }

            docs.Add(new YamlDoc(relative, ToJson(doc.RootNode) as JObject
                ?? throw new InvalidDataException($"{relative}: a document is not a mapping")));
        }

        return docs;
    }

    public static JObject LoadSingle(string root, string path) =>
        LoadDocs(root, path) is [var only] ? only.Json : throw new InvalidDataException($"{RepoPaths.Relative(root, path)}: expected exactly one YAML document");

    /// <summary>Every YAML file under <paramref name="folder"/> (recursive), in a stable order.</summary>
    public static IEnumerable<string> FilesUnder(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
            : [];

    /// <summary>The text of a scalar as Go would print it (booleans lower-case), or null for a non-scalar.</summary>
    public static string? Text(JToken? token) => token switch
    {
        JValue { Type: JTokenType.Boolean } b => (bool)b ? "true" : "false",
        JValue { Value: IFormattable f } => f.ToString(null, CultureInfo.InvariantCulture),
        JValue v => v.Value?.ToString(),
        _ => null,
    };

    private static JToken ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JObject(map.Children.Select(kv => new JProperty(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))),
        YamlSequenceNode seq => new JArray(seq.Children.Select(ToJson)),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidDataException($"unsupported YAML node {node.NodeType} at {node.Start}"),
    };

    private static JValue Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || !scalar.Tag.IsEmpty)
        {
            return new JValue(text);
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => JValue.CreateNull(),
            "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y" => new JValue(true),
            "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N" => new JValue(false),
            _ when IntPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => new JValue(l),
            _ when FloatPattern().IsMatch(text) => new JValue(double.Parse(text, CultureInfo.InvariantCulture)),
            _ => new JValue(text),
        };
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
