namespace Scorpius.Consistency.Tests.Validators;

/// <summary>The YAML files the validators read, loaded so that a file that does not parse becomes a problem.</summary>
public static class RepoFiles
{
    public const string DaprApiVersion = "dapr.io/v1alpha1";

    /// <summary>Every YAML document in components/ (all folders) and deploy/k8s/ (all folders but kustomization.yaml).</summary>
    public static IReadOnlyList<YamlDoc> AllDocs(string root, List<string> problems) =>
        [.. LocalDocs(root, problems), .. KubernetesDocs(root, problems)];

    public static IReadOnlyList<YamlDoc> LocalDocs(string root, List<string> problems) =>
        Load(root, Yaml.FilesUnder(Path.Combine(root, "components")), problems);

    public static IReadOnlyList<YamlDoc> KubernetesDocs(string root, List<string> problems) =>
        Load(root, KubernetesFiles(root), problems);

    public static IEnumerable<string> KubernetesFiles(string root) =>
        Yaml.FilesUnder(Path.Combine(root, "deploy", "k8s")).Where(f => Path.GetFileName(f) != "kustomization.yaml");

    public static IReadOnlyList<YamlDoc> Load(string root, IEnumerable<string> files, List<string> problems)
    {
        var docs = new List<YamlDoc>();
        foreach (var file in files)
        {
            try
            {
                docs.AddRange(Yaml.LoadDocs(root, file));
            }
            catch (InvalidDataException e)
            {
                problems.Add(e.Message);
            }
        }

        return docs;
    }

    public static bool IsDapr(YamlDoc doc) => doc.ApiVersion.StartsWith("dapr.io/", StringComparison.Ordinal);

    /// <summary>The docs of one kind in the top-level files of a folder (what daprd loads from a resources path).</summary>
    public static IEnumerable<YamlDoc> TopLevel(IEnumerable<YamlDoc> docs, string folder, string kind) =>
        docs.Where(d => d.Kind == kind && Path.GetDirectoryName(d.File)?.Replace('\\', '/') == folder);
}
