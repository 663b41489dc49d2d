using Newtonsoft.Json.Linq;
using Scorpius.Contracts;

namespace Scorpius.Consistency.Tests.Validators;

/// <summary>
/// Every Component (components/, components/alternatives/**, deploy/k8s/components/) against the components-contrib
/// metadata.yaml of its spec.type and spec.version (looked up in specs/dapr/component-types.json, runtime aliases
/// included): the type and version exist, every spec.metadata name is declared (by the component, by one of its
/// authenticationProfiles, by one of its builtinAuthenticationProfiles as defined in
/// builtin-authentication-profiles.yaml, or by the short runtime-wide list below), required fields are present,
/// at least one authentication profile is complete, values are within allowedValues, deprecated fields are not
/// used, sensitive fields come only as secretKeyRef through auth.secretStore = DaprNames.SecretStore.
/// </summary>
public static class ComponentMetadataValidator
{
    /// <summary>
    /// Metadata that daprd itself reads for every component of a category, so no metadata.yaml declares it
    /// (in-memory's metadata.yaml declares no field at all, yet it is a valid actor state store).
    /// </summary>
    private static readonly Dictionary<string, string[]> RuntimeWide = new()
    {
        ["state"] =
        [
            "actorStateStore", // marks the state store that actors and workflows use
            "keyPrefix",       // key prefix strategy (appid, name, namespace, none or a constant)
        ],
    };

    /// <summary>Credentials that metadata.yaml does not mark sensitive but that must not be written in a file either.</summary>
    private static readonly HashSet<string> AlsoSensitive =
    [
        "password",                // state/postgresql host/user/password variant
        "vaultToken",              // secretstores/hashicorp/vault
        "schemaRegistryAPISecret", // pubsub/kafka
    ];

    /// <summary>
    /// Fields that metadata.yaml marks required one by one although the component needs exactly one of them:
    /// hashicorp.vault's initVaultToken fails with "token mount path and token not set" or "... both set".
    /// </summary>
    private static readonly Dictionary<string, string[][]> ExactlyOneOf = new()
    {
        ["secretstores.hashicorp.vault"] = [["vaultToken", "vaultTokenMountPath"]],
    };

    private static readonly Lazy<ComponentTypes> Types = new(ComponentTypes.Load);

    public static IReadOnlyList<string> Validate(string root)
    {
        var problems = new List<string>();
        foreach (var doc in RepoFiles.AllDocs(root, problems).Where(d => RepoFiles.IsDapr(d) && d.Kind == "Component"))
        {
            problems.AddRange(ValidateComponent(doc));
        }

        return problems;
    }

    private static IEnumerable<string> ValidateComponent(YamlDoc doc)
    {
        var type = (string?)doc.Json["spec"]?["type"] ?? "";
        var version = (string?)doc.Json["spec"]?["version"] ?? "";
        var at = $"{doc.Label} ({type} {version})";
        var (spec, error) = Types.Value.Find(type, version);
        if (spec is null)
        {
            yield return $"{at}: {error}";
            yield break;
        }

        var items = (doc.Json["spec"]?["metadata"] as JArray)?.OfType<JObject>().ToList() ?? [];
        var given = new Dictionary<string, JObject>();
        foreach (var item in items)
        {
            var name = (string?)item["name"] ?? "";
            if (!given.TryAdd(name, item))
            {
                yield return $"{at}: spec.metadata '{name}' is given twice";
            }
        }

        var runtimeWide = RuntimeWide.GetValueOrDefault(spec.Category, []);
        foreach (var (name, item) in given)
        {
            var field = $"spec.metadata '{name}'";
            var definitions = spec.Definitions(name);
            if (definitions.Count == 0 && !runtimeWide.Contains(name))
            {
                var similar = spec.AllNames.Concat(runtimeWide).FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
                yield return $"{at}: {field} is not declared in {spec.MetadataFile}" + (similar is null ? "" : $" (it declares '{similar}')");
            }

            var sources = new[] { "value", "secretKeyRef", "envRef" }.Where(k => item[k] is not null).ToList();
            if (sources.Count != 1)
            {
                yield return $"{at}: {field} needs exactly one of value, secretKeyRef or envRef (has {(sources.Count == 0 ? "none" : string.Join(", ", sources))})";
            }

            if (definitions.Count > 0 && definitions.All(d => d.Deprecated))
            {
                yield return $"{at}: {field} is deprecated in {spec.MetadataFile}";
            }

            if ((definitions.Any(d => d.Sensitive) || AlsoSensitive.Contains(name)) && item["secretKeyRef"] is null)
            {
                yield return $"{at}: {field} is sensitive: give it as secretKeyRef (through auth.secretStore: {DaprNames.SecretStore}), not as a plain value";
            }

            var value = Yaml.Text(item["value"]);
            if (value is not null && definitions.Count > 0 && definitions.All(d => d.AllowedValues.Count > 0)
                && !definitions.Any(d => d.AllowedValues.Contains(value)))
            {
                yield return $"{at}: {field} is '{value}', not one of {string.Join(", ", definitions.SelectMany(d => d.AllowedValues).Distinct())}";
            }

            if (item["secretKeyRef"] is { } secretRef)
            {
                if (string.IsNullOrEmpty((string?)secretRef["name"]) || string.IsNullOrEmpty((string?)secretRef["key"]))
                {
                    yield return $"{at}: {field} secretKeyRef needs both name and key";
                }

                if (spec.Category == "secretstores")
                {
                    yield return $"{at}: {field} is a secretKeyRef, but a secret store cannot take its own settings from a secret store";
                }
                else if ((string?)doc.Json["auth"]?["secretStore"] != DaprNames.SecretStore)
                {
                    yield return $"{at}: {field} is a secretKeyRef, so auth.secretStore must be '{DaprNames.SecretStore}' (is '{doc.Json["auth"]?["secretStore"]}')";
                }
            }
        }

        var oneOfGroups = ExactlyOneOf.GetValueOrDefault(spec.SpecType, []);
        foreach (var required in spec.Fields.Where(f => f.Required && !oneOfGroups.Any(g => g.Contains(f.Name))))
        {
            if (!given.ContainsKey(required.Name))
            {
                yield return $"{at}: required spec.metadata '{required.Name}' is missing ({spec.MetadataFile})";
            }
        }

        foreach (var group in oneOfGroups)
        {
            var present = group.Where(given.ContainsKey).ToList();
            if (present.Count != 1)
            {
                yield return $"{at}: spec.metadata needs exactly one of {string.Join(", ", group)} (has {(present.Count == 0 ? "none" : string.Join(", ", present))})";
            }
        }

        if (spec.Profiles.Count > 0 && !spec.Profiles.Any(p => p.IsSatisfiedBy(given)))
        {
            var needs = spec.Profiles.Select(p => $"'{p.Title}' needs {string.Join(", ", p.Fields.Where(f => f.Required).Select(f => f.Name))}");
            yield return $"{at}: no authentication profile of {spec.MetadataFile} is complete: {string.Join("; ", needs)}";
        }
    }

    /// <summary>One metadata field of a metadata.yaml (or of an authentication profile).</summary>
    private sealed record Field(string Name, bool Required, bool Sensitive, bool Deprecated, IReadOnlyList<string> AllowedValues)
    {
        public static Field From(JToken json)
        {
            var description = (string?)json["description"] ?? "";
            return new Field(
                (string)json["name"]!,
                json["required"]?.Type == JTokenType.Boolean && (bool)json["required"]!,
                json["sensitive"]?.Type == JTokenType.Boolean && (bool)json["sensitive"]!,
                // metadata.yaml flags deprecation with deprecated: true, or (older files) only in the description.
                (json["deprecated"]?.Type == JTokenType.Boolean && (bool)json["deprecated"]!)
                    || description.Contains("deprecated", StringComparison.OrdinalIgnoreCase),
                (json["allowedValues"] as JArray)?.Select(v => Yaml.Text(v)!).ToList() ?? []);
        }

        public static List<Field> ListFrom(JToken? metadata) => (metadata as JArray)?.Select(From).ToList() ?? [];
    }

    private sealed record Profile(string Title, IReadOnlyList<Field> Fields)
    {
        public bool IsSatisfiedBy(IReadOnlyDictionary<string, JObject> given) =>
            Fields.Where(f => f.Required).All(f => given.ContainsKey(f.Name))
            && Fields.Where(f => f.AllowedValues.Count > 0 && given.ContainsKey(f.Name))
                .All(f => Yaml.Text(given[f.Name]["value"]) is not { } v || f.AllowedValues.Contains(v));
    }

    /// <summary>What one metadata.yaml allows.</summary>
    private sealed record ComponentSpec(
        string SpecType, string Category, string MetadataFile, IReadOnlyList<Field> Fields, IReadOnlyList<Profile> Profiles, bool Vendored = true)
    {
        public IEnumerable<string> AllNames => Fields.Concat(Profiles.SelectMany(p => p.Fields)).Select(f => f.Name).Distinct();

        public IReadOnlyList<Field> Definitions(string name) =>
            [.. Fields.Concat(Profiles.SelectMany(p => p.Fields)).Where(f => f.Name == name)];
    }

    /// <summary>specs/dapr/component-types.json: spec.type + spec.version -> metadata.yaml, with the runtime's names.</summary>
    private sealed class ComponentTypes
    {
        private readonly Dictionary<(string Type, string Version), ComponentSpec> byType = [];
        private readonly Dictionary<string, string> metadataNameToRuntimeType = [];

        public static ComponentTypes Load()
        {
            var index = JObject.Parse(File.ReadAllText(RepoPaths.Spec("dapr/component-types.json")));
            var builtin = Yaml.LoadSingle(RepoPaths.Specs, RepoPaths.Spec("dapr/components-contrib/builtin-authentication-profiles.yaml"));
            var types = new ComponentTypes();
            foreach (var entry in index["components"]!)
            {
                var specType = (string)entry["specType"]!;
                var category = specType[..specType.IndexOf('.', StringComparison.Ordinal)];
                var metadataYaml = (string)entry["metadataYaml"]!;
                var spec = ReadMetadataYaml(specType, category, metadataYaml, builtin);
                var names = entry["runtime"]?["registeredNames"]?.Select(n => $"{category}.{n}") ?? [];
                foreach (var type in names.Append(specType).Distinct())
                {
                    types.byType[(type, (string)entry["version"]!)] = spec;
                }

                types.metadataNameToRuntimeType[$"{category}.{entry["metadataName"]}"] = specType;
            }

            return types;
        }

        public (ComponentSpec? Spec, string Error) Find(string type, string version)
        {
            if (byType.TryGetValue((type, version), out var spec))
            {
                return spec.Vendored ? (spec, "") : (null, $"metadata.yaml not vendored in specs/: {spec.MetadataFile}");
            }

            var versions = byType.Keys.Where(k => k.Type == type).Select(k => k.Version).Order(StringComparer.Ordinal).ToList();
            if (versions.Count > 0)
            {
                return (null, $"spec.version '{version}' does not exist for spec.type '{type}' (known: {string.Join(", ", versions)})");
            }

            var hint = metadataNameToRuntimeType.TryGetValue(type, out var runtimeType) && runtimeType != type
                ? $" (metadata.yaml calls it that, but the runtime registers it as '{runtimeType}')"
                : "";
            return (null, $"spec.type '{type}' is not a known component type{hint}");
        }

        private static ComponentSpec ReadMetadataYaml(string specType, string category, string metadataYaml, JObject builtin)
        {
            var path = RepoPaths.Spec($"dapr/{metadataYaml}");
            if (!File.Exists(path))
            {
                return new ComponentSpec(specType, category, metadataYaml, [], [], Vendored: false);
            }

            var yaml = Yaml.LoadSingle(RepoPaths.Specs, path);
            var profiles = (yaml["authenticationProfiles"] as JArray ?? [])
                .Select(p => new Profile((string)p["title"]!, Field.ListFrom(p["metadata"])))
                .ToList();
            foreach (var reference in yaml["builtinAuthenticationProfiles"] as JArray ?? [])
            {
                var name = (string)reference["name"]!;
                var extra = Field.ListFrom(reference["metadata"]);
                var variants = builtin[name] as JArray ?? throw new InvalidDataException($"{metadataYaml}: unknown builtin authentication profile '{name}'");
                profiles.AddRange(variants.Select(v => new Profile($"{name}: {v["title"]}", [.. Field.ListFrom(v["metadata"]), .. extra])));
            }

            return new ComponentSpec(specType, category, metadataYaml, Field.ListFrom(yaml["metadata"]), profiles);
        }
    }
}
