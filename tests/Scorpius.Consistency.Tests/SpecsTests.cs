using System.Text.RegularExpressions;
using Scorpius.Consistency.Tests.Validators;
using Xunit;

namespace Scorpius.Consistency.Tests;

/// <summary>The vendored specifications are complete, documented and of the format the validators expect.</summary>
public partial class SpecsTests
{
    [Fact]
    public void Every_vendored_file_is_listed_in_SOURCE_md_and_every_listed_file_exists()
    {
        var source = File.ReadAllText(RepoPaths.Spec("SOURCE.md"));
        var listed = FileRow().Matches(source).Select(m => m.Groups[1].Value).ToHashSet();
        var present = Directory.EnumerateFiles(RepoPaths.Specs, "*", SearchOption.AllDirectories)
            .Select(f => RepoPaths.Relative(RepoPaths.Specs, f)).Where(f => f != "SOURCE.md").ToHashSet();

        Assert.Empty(present.Except(listed));
        Assert.Empty(listed.Except(present));
    }

    [Fact]
    public void Every_vendored_metadata_yaml_follows_component_metadata_schema()
    {
        // The schema is JSON Schema 2020-12; NJsonSchema resolves draft-07 "definitions" but not "$defs" references.
        var json = File.ReadAllText(RepoPaths.Spec("dapr/components-contrib/component-metadata-schema.json"))
            .Replace("\"$defs\"", "\"definitions\"", StringComparison.Ordinal)
            .Replace("#/$defs/", "#/definitions/", StringComparison.Ordinal);
        var schema = SchemaCheck.Load(json);
        var problems = Yaml.FilesUnder(RepoPaths.Spec("dapr/components-contrib"))
            .Where(f => Path.GetFileName(f) == "metadata.yaml")
            .SelectMany(f => SchemaCheck.Errors(schema, Yaml.LoadSingle(RepoPaths.Specs, f)).Select(e => $"{RepoPaths.Relative(RepoPaths.Specs, f)}: {e}"))
            .ToList();

        Problems.AssertNone(problems);
    }

    [GeneratedRegex(@"^\| ((?:dapr|kubernetes)/[^ |]+) \|", RegexOptions.Multiline)]
    private static partial Regex FileRow();
}
