using Newtonsoft.Json.Linq;
using NJsonSchema;

namespace Scorpius.Consistency.Tests.Validators;

/// <summary>
/// Every object in deploy/k8s against the vendored strict JSON schema of its kind (Kubernetes 1.32
/// standalone-strict: unknown fields are errors); Dapr kinds are left to <see cref="DaprCrdValidator"/>, any other
/// kind is an error. Every namespaced object names the scorpius namespace, and kustomization.yaml lists exactly the
/// YAML files under deploy/k8s.
/// </summary>
public static class KubernetesValidator
{
    public const string Namespace = "scorpius";

    private static readonly Dictionary<(string ApiVersion, string Kind), string> SchemaFiles = new()
    {
        [("apps/v1", "Deployment")] = "deployment-apps-v1.json",
        [("v1", "Service")] = "service-v1.json",
        [("v1", "Namespace")] = "namespace-v1.json",
    };

    private static readonly Dictionary<string, Lazy<JsonSchema>> Schemas = SchemaFiles.Values.ToDictionary(
        f => f,
        f => new Lazy<JsonSchema>(() => SchemaCheck.Load(File.ReadAllText(RepoPaths.Spec($"kubernetes/v1.32.2-standalone-strict/{f}")))));

    public static IReadOnlyList<string> Validate(string root)
    {
        var problems = new List<string>();
        foreach (var doc in RepoFiles.KubernetesDocs(root, problems))
        {
            if (RepoFiles.IsDapr(doc))
            {
                if (!DaprCrdValidator.IsKnownKind(doc.Kind))
                {
                    problems.Add($"{doc.Label}: no vendored CRD for Dapr kind '{doc.Kind}'");
                }
            }
            else if (SchemaFiles.TryGetValue((doc.ApiVersion, doc.Kind), out var schemaFile))
            {
                problems.AddRange(SchemaCheck.Errors(Schemas[schemaFile].Value, doc.Json).Select(e => $"{doc.Label}: {e}"));
            }
            else
            {
                problems.Add($"{doc.Label}: no vendored schema for {doc.ApiVersion} {doc.Kind} (add it to specs/kubernetes and {nameof(KubernetesValidator)})");
            }

            var ns = (string?)doc.Json["metadata"]?["namespace"];
            if (doc.Kind != "Namespace" && ns != Namespace)
            {
                problems.Add($"{doc.Label}: metadata.namespace must be '{Namespace}' (is '{ns}')");
            }
        }

        CheckKustomization(root, problems);
        return problems;
    }

    private static void CheckKustomization(string root, List<string> problems)
    {
        var path = Path.Combine(root, "deploy", "k8s", "kustomization.yaml");
        var file = RepoPaths.Relative(root, path);
        if (!File.Exists(path))
        {
            problems.Add($"{file}: missing");
            return;
        }

        var listed = (Yaml.LoadSingle(root, path)["resources"] as JArray)?.Select(r => (string?)r ?? "").ToList() ?? [];
        var present = RepoFiles.KubernetesFiles(root).Select(f => RepoPaths.Relative(Path.GetDirectoryName(path)!, f)).ToList();
        problems.AddRange(present.Except(listed).Select(f => $"{file}: resources does not list {f}"));
        problems.AddRange(listed.Except(present).Select(f => $"{file}: resources lists {f}, which is not a YAML file under deploy/k8s"));
        problems.AddRange(listed.GroupBy(f => f).Where(g => g.Count() > 1).Select(g => $"{file}: resources lists {g.Key} twice"));
    }
}
