using Newtonsoft.Json.Linq;
using Scorpius.Contracts;

namespace Scorpius.Consistency.Tests.Validators;

/// <summary>
/// Component names and scopes agree across environments: every name in any scopes: is an app-id; every Component
/// has scopes; every component name is a <see cref="DaprNames"/> constant and every DaprNames component has a
/// default in components/ and a twin in deploy/k8s/components/; every alternative and Kubernetes twin has the
/// default's scopes; each components/alternatives folder holds exactly one YAML file (a folder is what you pass
/// as a resources path, and daprd refuses duplicate names); a copy of a default under alternatives/ is identical
/// to it; local file paths in the default set resolve from every scoped app's folder (where `dapr run -f .`
/// starts daprd), and every secretKeyRef there is answered by components/secrets/dev-secrets.json.
/// </summary>
public static class ComponentConsistencyValidator
{
    /// <summary>Metadata that names a local file or folder, resolved by the component against daprd's working directory.</summary>
    private static readonly Dictionary<string, (string Field, bool IsFolder)> LocalPaths = new()
    {
        ["secretstores.local.file"] = ("secretsFile", false),
        ["crypto.dapr.localstorage"] = ("path", true),
    };

    public static IReadOnlyList<string> Validate(string root)
    {
        var problems = new List<string>();
        var docs = RepoFiles.AllDocs(root, problems);
        var components = docs.Where(d => RepoFiles.IsDapr(d) && d.Kind == "Component").ToList();
        var appIds = ScorpiusApps.All.Select(a => a.AppId).ToHashSet();

        foreach (var doc in docs.Where(d => d.Json["scopes"] is not null))
        {
            var scopes = Scopes(doc);
            problems.AddRange(scopes.Where(s => !appIds.Contains(s)).Select(s => $"{doc.Label}: scopes names '{s}', which is not an app-id in ScorpiusApps"));
            problems.AddRange(scopes.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => $"{doc.Label}: scopes lists '{g.Key}' twice"));
        }

        foreach (var doc in components)
        {
            if (Scopes(doc).Count == 0)
            {
                problems.Add($"{doc.Label}: has no scopes: list the app-ids that use it");
            }

            if (!DaprNames.Components.Contains(doc.Name))
            {
                problems.Add($"{doc.Label}: name is not a DaprNames component ({string.Join(", ", DaprNames.Components)})");
            }
        }

        var defaults = RepoFiles.TopLevel(components, "components", "Component").ToList();
        problems.AddRange(defaults.GroupBy(d => d.Name).Where(g => g.Count() > 1)
            .Select(g => $"components/: '{g.Key}' is defined twice ({string.Join(", ", g.Select(d => d.File))}); daprd refuses duplicate names"));
        problems.AddRange(DaprNames.Components.Where(n => defaults.All(d => d.Name != n))
            .Select(n => $"components/: no default component for DaprNames '{n}'"));
        problems.AddRange(DaprNames.Components.Where(n => !components.Any(d => d.Name == n && d.File.StartsWith("deploy/k8s/components/", StringComparison.Ordinal)))
            .Select(n => $"deploy/k8s/components/: no twin for component '{n}'"));

        foreach (var twin in components.Where(d => !defaults.Contains(d)))
        {
            if (defaults.FirstOrDefault(d => d.Name == twin.Name) is not { } original)
            {
                problems.Add($"{twin.Label}: has no default of the same name in components/");
            }
            else if (!Scopes(twin).ToHashSet().SetEquals(Scopes(original)))
            {
                problems.Add($"{twin.Label}: scopes [{string.Join(", ", Scopes(twin))}] differ from {original.File} [{string.Join(", ", Scopes(original))}]");
            }
        }

        CheckAlternativeFolders(root, docs, problems);
        var local = defaults.Concat(components.Where(d => d.File.StartsWith("components/alternatives/", StringComparison.Ordinal))).ToList();
        CheckLocalPaths(root, local, problems);
        CheckLocalSecrets(root, local, problems);
        return problems;
    }

    private static void CheckAlternativeFolders(string root, IReadOnlyList<YamlDoc> docs, List<string> problems)
    {
        var alternatives = Path.Combine(root, "components", "alternatives");
        foreach (var folder in Yaml.FilesUnder(alternatives).GroupBy(Path.GetDirectoryName).Where(g => g.Count() > 1))
        {
            problems.Add($"{RepoPaths.Relative(root, folder.Key!)}: holds {folder.Count()} YAML files; an alternatives folder holds exactly one");
        }

        var topLevel = docs.Where(d => RepoFiles.IsDapr(d) && Path.GetDirectoryName(d.File)?.Replace('\\', '/') == "components").ToList();
        foreach (var copy in docs.Where(d => d.File.StartsWith("components/alternatives/", StringComparison.Ordinal)))
        {
            var original = topLevel.FirstOrDefault(d => d.Kind == copy.Kind && d.Name == copy.Name
                && (string?)d.Json["spec"]?["type"] == (string?)copy.Json["spec"]?["type"]);
            if (original is not null && File.ReadAllText(Path.Combine(root, original.File)) != File.ReadAllText(Path.Combine(root, copy.File)))
            {
                problems.Add($"{copy.Label}: is the alternatives copy of the default {original.File} but differs from it; copy it again");
            }
        }
    }

    private static void CheckLocalPaths(string root, IEnumerable<YamlDoc> localComponents, List<string> problems)
    {
        foreach (var doc in localComponents)
        {
            if (!LocalPaths.TryGetValue((string?)doc.Json["spec"]?["type"] ?? "", out var local))
            {
                continue;
            }

            var value = (string?)(doc.Json["spec"]?["metadata"] as JArray)?.FirstOrDefault(m => (string?)m["name"] == local.Field)?["value"];
            foreach (var app in ScorpiusApps.All.Where(a => Scopes(doc).Contains(a.AppId)))
            {
                var resolved = value is null ? null : Path.GetFullPath(Path.Combine(root, app.ProjectDir, value));
                if (resolved is null || !(local.IsFolder ? Directory.Exists(resolved) : File.Exists(resolved)))
                {
                    problems.Add($"{doc.Label}: spec.metadata '{local.Field}' '{value}' does not resolve from {app.ProjectDir} (app '{app.AppId}'), where `dapr run -f .` starts daprd");
                }
            }
        }
    }

    /// <summary>Every secretKeyRef of the local set and its alternatives is in dev-secrets.json, so any composition runs locally.</summary>
    private static void CheckLocalSecrets(string root, IEnumerable<YamlDoc> localComponents, List<string> problems)
    {
        const string file = "components/secrets/dev-secrets.json";
        var secrets = File.Exists(Path.Combine(root, file)) ? JObject.Parse(File.ReadAllText(Path.Combine(root, file))) : [];
        foreach (var doc in localComponents)
        {
            foreach (var item in (doc.Json["spec"]?["metadata"] as JArray ?? []).Where(m => m["secretKeyRef"] is not null))
            {
                var (name, key) = ((string?)item["secretKeyRef"]!["name"] ?? "", (string?)item["secretKeyRef"]!["key"] ?? "");
                if (secrets[name]?[key] is null)
                {
                    problems.Add($"{doc.Label}: spec.metadata '{item["name"]}' reads secret '{name}' key '{key}', which {file} does not hold");
                }
            }
        }
    }

    private static List<string> Scopes(YamlDoc doc) => (doc.Json["scopes"] as JArray)?.Select(s => (string?)s ?? "").ToList() ?? [];
}
