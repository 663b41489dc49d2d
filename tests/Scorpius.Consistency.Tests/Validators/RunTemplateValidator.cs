using Newtonsoft.Json.Linq;

namespace Scorpius.Consistency.Tests.Validators;

/// <summary>
/// dapr.yaml against the multi-app run template fields of the dapr CLI (specs/dapr/cli/run-template-fields.json).
/// The CLI parses the file with gopkg.in/yaml.v2 and ignores unknown keys, so a misspelt key silently does
/// nothing: here it is an error, and so is a deprecated key. The offline rules of run_file_config_parser.go are
/// checked too: version present and non-zero, every app has an existing appDirPath, relative paths resolve (common.*
/// against the run file's folder, apps[].* against the app's appDirPath) and exist, log destinations and the image
/// pull policy take their allowed values.
/// </summary>
public static class RunTemplateValidator
{
    private static readonly string[] LogDestinations = ["console", "file", "fileAndConsole"];
    private static readonly string[] PullPolicies = ["Always", "Never", "IfNotPresent"];

    private static readonly Lazy<Fields> Known = new(Fields.Load);

    public static IReadOnlyList<string> Validate(string root)
    {
        var path = Path.Combine(root, "dapr.yaml");
        var file = RepoPaths.Relative(root, path);
        if (!File.Exists(path))
        {
            return [$"{file}: missing"];
        }

        var problems = new List<string>();
        JObject json;
        try
        {
            json = Yaml.LoadSingle(root, path);
        }
        catch (InvalidDataException e)
        {
            return [e.Message];
        }

        var runDir = Path.GetDirectoryName(path)!;
        CheckFields(file, "(top level)", json, Known.Value.TopLevel, problems);
        if (json["version"] is not JValue { Type: JTokenType.Integer } version || (long)version == 0)
        {
            problems.Add($"{file}: required field 'version' is missing or 0");
        }

        if (json["common"] is JObject common)
        {
            CheckFields(file, "common", common, Known.Value.Common, problems);
            CheckShared(file, "common", common, runDir, problems);
        }

        if (json["apps"] is not JArray { Count: > 0 } apps)
        {
            problems.Add($"{file}: 'apps' lists no app");
            return problems;
        }

        for (var i = 0; i < apps.Count; i++)
        {
            var at = $"apps[{i}] ({apps[i]["appID"]})";
            if (apps[i] is not JObject app)
            {
                problems.Add($"{file}: {at} is not a mapping");
                continue;
            }

            CheckFields(file, at, app, Known.Value.App, problems);
            if ((string?)app["appDirPath"] is not { Length: > 0 } appDirPath)
            {
                problems.Add($"{file}: {at}: required field 'appDirPath' is missing");
                continue;
            }

            var appDir = Resolve(runDir, appDirPath);
            if (!Directory.Exists(appDir))
            {
                problems.Add($"{file}: {at}: appDirPath '{appDirPath}' does not exist");
                continue;
            }

            CheckShared(file, at, app, appDir, problems);
            if (Yaml.Text(app["containerImagePullPolicy"]) is { } policy && !PullPolicies.Contains(policy))
            {
                problems.Add($"{file}: {at}: containerImagePullPolicy '{policy}' is not one of {string.Join(", ", PullPolicies)}");
            }
        }

        return problems;
    }

    /// <summary>Unknown, deprecated and mistyped keys of one section.</summary>
    private static void CheckFields(string file, string at, JObject section, IReadOnlyDictionary<string, JObject> known, List<string> problems)
    {
        foreach (var property in section.Properties())
        {
            if (!known.TryGetValue(property.Name, out var field))
            {
                problems.Add($"{file}: {at}: unknown field '{property.Name}' (the dapr CLI ignores it silently)");
                continue;
            }

            var note = (string?)field["note"] ?? "";
            if (note.Contains("deprecated", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{file}: {at}: field '{property.Name}' is deprecated ({note})");
            }

            var goType = (string)field["goType"]!;
            if (!HasGoType(property.Value, goType))
            {
                problems.Add($"{file}: {at}: field '{property.Name}' must be {goType}, is {property.Value.Type}");
            }
        }
    }

    private static bool HasGoType(JToken value, string goType) => goType switch
    {
        "int" => value.Type == JTokenType.Integer,
        "bool" => value.Type == JTokenType.Boolean,
        "list of string" => value is JArray list && list.All(v => v.Type == JTokenType.String),
        "map string->string" => value is JObject map && map.Properties().All(p => p.Value is JValue),
        "list of App" => value is JArray,
        _ when goType.StartsWith("object", StringComparison.Ordinal) => value is JObject,
        _ => value.Type == JTokenType.String || (goType.StartsWith('*') && value.Type == JTokenType.Null),
    };

    /// <summary>The SharedRunConfig rules that hold for common and for every app.</summary>
    private static void CheckShared(string file, string at, JObject section, string baseDir, List<string> problems)
    {
        if ((string?)section["configFilePath"] is { Length: > 0 } config && !File.Exists(Resolve(baseDir, config)))
        {
            problems.Add($"{file}: {at}: configFilePath '{config}' does not exist (resolves to {Resolve(baseDir, config)})");
        }

        var resources = (section["resourcesPaths"] as JArray)?.Select(p => (string?)p).ToList() ?? [];
        if ((string?)section["resourcesPath"] is { Length: > 0 } single)
        {
            resources.Add(single);
        }

        foreach (var resourcesPath in resources.OfType<string>().Where(p => !Directory.Exists(Resolve(baseDir, p))))
        {
            problems.Add($"{file}: {at}: resourcesPaths entry '{resourcesPath}' does not exist (resolves to {Resolve(baseDir, resourcesPath)})");
        }

        foreach (var key in new[] { "daprdLogDestination", "appLogDestination" })
        {
            if (Yaml.Text(section[key]) is { } destination && !LogDestinations.Contains(destination))
            {
                problems.Add($"{file}: {at}: {key} '{destination}' is not one of {string.Join(", ", LogDestinations)}");
            }
        }
    }

    private static string Resolve(string baseDir, string path) =>
        Path.GetFullPath(path.StartsWith('~')
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]
            : Path.Combine(baseDir, path));

    private sealed record Fields(
        IReadOnlyDictionary<string, JObject> TopLevel, IReadOnlyDictionary<string, JObject> Common, IReadOnlyDictionary<string, JObject> App)
    {
        public static Fields Load()
        {
            var json = JObject.Parse(File.ReadAllText(RepoPaths.Spec("dapr/cli/run-template-fields.json")));
            Dictionary<string, JObject> Section(params string[] names) =>
                names.SelectMany(n => json[n]!.Cast<JObject>()).ToDictionary(f => (string)f["yamlKey"]!);
            return new Fields(Section("topLevel"), Section("commonAndApps"), Section("commonAndApps", "appsOnly"));
        }
    }
}
