using Newtonsoft.Json.Linq;
using NJsonSchema;

namespace Scorpius.Consistency.Tests.Validators;

/// <summary>
/// Every Dapr resource (Component, Configuration, Resiliency) in components/ and deploy/k8s/ against the
/// openAPIV3Schema of its CRD (specs/dapr/crds). The API server prunes unknown fields silently and daprd ignores
/// them, so a typo would go unnoticed: the schemas are closed here (additionalProperties: false wherever the CRD
/// lists properties and does not say x-kubernetes-preserve-unknown-fields), and apiVersion, kind and a minimal
/// ObjectMeta (name required; namespace, labels, annotations) are pinned.
/// </summary>
public static class DaprCrdValidator
{
    private static readonly Lazy<IReadOnlyDictionary<string, JsonSchema>> Schemas = new(LoadSchemas);

    public static bool IsKnownKind(string kind) => Schemas.Value.ContainsKey(kind);

    public static IReadOnlyList<string> Validate(string root)
    {
        var problems = new List<string>();
        foreach (var doc in RepoFiles.AllDocs(root, problems))
        {
            if (RepoFiles.IsDapr(doc))
            {
                problems.AddRange(ValidateDoc(doc));
            }
            else if (doc.File.StartsWith("components/", StringComparison.Ordinal))
            {
                problems.Add($"{doc.Label}: apiVersion '{doc.ApiVersion}' is not a Dapr resource; components/ holds Dapr resources only");
            }
        }

        return problems;
    }

    public static IEnumerable<string> ValidateDoc(YamlDoc doc) =>
        Schemas.Value.TryGetValue(doc.Kind, out var schema)
            ? SchemaCheck.Errors(schema, doc.Json).Select(error => $"{doc.Label}: {error}")
            : [$"{doc.Label}: no vendored CRD for Dapr kind '{doc.Kind}'"];

    private static Dictionary<string, JsonSchema> LoadSchemas()
    {
        var schemas = new Dictionary<string, JsonSchema>();
        foreach (var file in new[] { "components.yaml", "configuration.yaml", "resiliency.yaml" })
        {
            var crd = Yaml.LoadSingle(RepoPaths.Specs, RepoPaths.Spec($"dapr/crds/{file}"));
            var kind = (string)crd["spec"]!["names"]!["kind"]!;
            var version = crd["spec"]!["versions"]!.Single(v => (bool)v["storage"]!);
            var schema = (JObject)version["schema"]!["openAPIV3Schema"]!.DeepClone();

            Close(schema);
            var properties = (JObject)schema["properties"]!;
            properties["apiVersion"] = new JObject { ["type"] = "string", ["enum"] = new JArray($"{crd["spec"]!["group"]}/{version["name"]}") };
            properties["kind"] = new JObject { ["type"] = "string", ["enum"] = new JArray(kind) };
            properties["metadata"] = ObjectMeta();
            schema["required"] = new JArray("apiVersion", "kind", "metadata", "spec");
            schemas[kind] = SchemaCheck.Load(schema.ToString());
        }

        return schemas;
    }

    private static void Close(JObject schema)
    {
        if (schema["properties"] is JObject properties)
        {
            if (schema["additionalProperties"] is null && schema["x-kubernetes-preserve-unknown-fields"] is null)
            {
                schema["additionalProperties"] = false;
            }

            foreach (var property in properties.Properties())
            {
                if (property.Value is JObject child)
                {
                    Close(child);
                }
            }
        }

        if (schema["items"] is JObject items)
        {
            Close(items);
        }

        if (schema["additionalProperties"] is JObject values)
        {
            Close(values);
        }
    }

    private static JObject ObjectMeta()
    {
        var map = new JObject { ["type"] = "object", ["additionalProperties"] = new JObject { ["type"] = "string" } };
        return new JObject
        {
            ["type"] = "object",
            ["required"] = new JArray("name"),
            ["additionalProperties"] = false,
            ["properties"] = new JObject
            {
                ["name"] = new JObject { ["type"] = "string", ["minLength"] = 1 },
                ["namespace"] = new JObject { ["type"] = "string" },
                ["labels"] = map,
                ["annotations"] = map.DeepClone(),
            },
        };
    }
}
