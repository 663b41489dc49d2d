using System.Globalization;
using System.Text.Json;
using Newtonsoft.Json.Linq;
using Scorpius.Contracts;

namespace Scorpius.Consistency.Tests.Validators;

/// <summary>
/// App-ids, ports and project folders agree with <see cref="ScorpiusApps"/> everywhere they are written down:
/// dapr.yaml (appID, appDirPath, appPort, ASPNETCORE_URLS, configFilePath), tye.yaml (service, project, http
/// binding), each project's Properties/launchSettings.json (applicationUrl), and deploy/k8s (dapr.io/app-id,
/// dapr.io/app-port, dapr.io/config, containerPort, probes, ASPNETCORE_URLS, Service targetPort).
/// </summary>
public static class AppConsistencyValidator
{
    public static IReadOnlyList<string> Validate(string root)
    {
        var problems = new List<string>();
        CheckDaprYaml(root, problems);
        CheckTyeYaml(root, problems);
        CheckLaunchSettings(root, problems);
        CheckKubernetes(root, problems);
        return problems;
    }

    private static void CheckDaprYaml(string root, List<string> problems)
    {
        const string file = "dapr.yaml";
        var apps = Load(root, file, problems)?["apps"] as JArray ?? [];
        var seen = CheckIds(apps.Select(a => (file, (string?)a["appID"])), problems);
        foreach (var entry in apps.OfType<JObject>())
        {
            if (Find((string?)entry["appID"]) is not { } app)
            {
                continue;
            }

            var at = $"{file}: app '{app.AppId}'";
            Expect(problems, at, "appPort", Yaml.Text(entry["appPort"]), app.Port.ToString(CultureInfo.InvariantCulture));
            Expect(problems, at, "appDirPath", Normalize((string?)entry["appDirPath"]), app.ProjectDir);
            Expect(problems, at, "env.ASPNETCORE_URLS", (string?)entry["env"]?["ASPNETCORE_URLS"], $"http://localhost:{app.Port}");
            var config = (string?)entry["configFilePath"];
            var resolved = config is null ? null : RepoPaths.Relative(root, Path.GetFullPath(Path.Combine(root, app.ProjectDir, config)));
            Expect(problems, at, "configFilePath (resolved from appDirPath)", resolved, $"components/config/{app.AppId}.yaml");
        }

        ReportMissing(file, seen, problems);
    }

    private static void CheckTyeYaml(string root, List<string> problems)
    {
        const string file = "tye.yaml";
        var services = Load(root, file, problems)?["services"] as JArray ?? [];
        var seen = CheckIds(services.Select(s => (file, (string?)s["name"])), problems);
        foreach (var service in services.OfType<JObject>())
        {
            if (Find((string?)service["name"]) is not { } app)
            {
                continue;
            }

            var at = $"{file}: service '{app.AppId}'";
            var project = (string?)service["project"];
            Expect(problems, at, "project", project, $"{app.ProjectDir}/{Path.GetFileName(app.ProjectDir)}.csproj");
            if (project is not null && !File.Exists(Path.Combine(root, project)))
            {
                problems.Add($"{at}: project {project} does not exist");
            }

            var ports = (service["bindings"] as JArray ?? []).Where(b => (string?)b["protocol"] is null or "http").Select(b => Yaml.Text(b["port"]));
            Expect(problems, at, "bindings (http port)", string.Join(",", ports), app.Port.ToString(CultureInfo.InvariantCulture));
        }

        ReportMissing(file, seen, problems);
    }

    private static void CheckLaunchSettings(string root, List<string> problems)
    {
        foreach (var app in ScorpiusApps.All)
        {
            var file = $"{app.ProjectDir}/Properties/launchSettings.json";
            if (!File.Exists(Path.Combine(root, file)))
            {
                problems.Add($"{file}: missing (app '{app.AppId}')");
                continue;
            }

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, file)), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            var urls = json.RootElement.GetProperty("profiles").EnumerateObject()
                .Where(p => p.Value.TryGetProperty("applicationUrl", out _))
                .SelectMany(p => p.Value.GetProperty("applicationUrl").GetString()!.Split(';').Select(u => (Profile: p.Name, Url: u)))
                .ToList();
            if (urls.Count == 0)
            {
                problems.Add($"{file}: no profile sets applicationUrl (app '{app.AppId}', port {app.Port})");
            }

            foreach (var (profile, url) in urls.Where(u => !Uri.TryCreate(u.Url, UriKind.Absolute, out var uri) || uri.Port != app.Port))
            {
                problems.Add($"{file}: profile '{profile}' applicationUrl '{url}' does not use port {app.Port} of app '{app.AppId}'");
            }
        }
    }

    private static void CheckKubernetes(string root, List<string> problems)
    {
        var docs = RepoFiles.KubernetesDocs(root, problems);
        var deployments = docs.Where(d => d.Kind == "Deployment").ToList();
        var seen = CheckIds(deployments.Select(d => (d.Label, (string?)d.Json["spec"]?["template"]?["metadata"]?["annotations"]?["dapr.io/app-id"])), problems);
        foreach (var deployment in deployments)
        {
            var annotations = deployment.Json["spec"]?["template"]?["metadata"]?["annotations"];
            if (Find((string?)annotations?["dapr.io/app-id"]) is not { } app)
            {
                continue;
            }

            var port = app.Port.ToString(CultureInfo.InvariantCulture);
            var at = deployment.Label;
            Expect(problems, at, "metadata.name", deployment.Name, app.AppId);
            Expect(problems, at, "annotation dapr.io/enabled", (string?)annotations?["dapr.io/enabled"], "true");
            Expect(problems, at, "annotation dapr.io/app-port", Yaml.Text(annotations?["dapr.io/app-port"]), port);
            Expect(problems, at, "annotation dapr.io/config", (string?)annotations?["dapr.io/config"], app.AppId);
            var container = deployment.Json["spec"]?["template"]?["spec"]?["containers"]?.FirstOrDefault(c => (string?)c["name"] == app.AppId);
            if (container is null)
            {
                problems.Add($"{at}: no container named '{app.AppId}'");
                continue;
            }

            var namedPorts = (container["ports"] as JArray ?? []).GroupBy(p => (string?)p["name"] ?? "").ToDictionary(g => g.Key, g => Yaml.Text(g.First()["containerPort"]));
            Expect(problems, at, "containerPort", string.Join(",", namedPorts.Values), port);
            Expect(problems, at, "env ASPNETCORE_URLS", (string?)container["env"]?.FirstOrDefault(e => (string?)e["name"] == "ASPNETCORE_URLS")?["value"], $"http://+:{port}");
            foreach (var (probe, path) in new[] { ("livenessProbe", "/health/live"), ("readinessProbe", "/health/ready") })
            {
                var probePort = Yaml.Text(container[probe]?["httpGet"]?["port"]);
                Expect(problems, at, $"{probe}.httpGet.port", probePort is not null && namedPorts.TryGetValue(probePort, out var named) ? named : probePort, port);
                Expect(problems, at, $"{probe}.httpGet.path", (string?)container[probe]?["httpGet"]?["path"], path);
            }

            var service = docs.FirstOrDefault(d => d.Kind == "Service" && d.Name == app.AppId);
            var targets = (service?.Json["spec"]?["ports"] as JArray ?? []).Select(p => Yaml.Text(p["targetPort"]))
                .Select(t => t is not null && namedPorts.TryGetValue(t, out var named) ? named : t);
            Expect(problems, service?.Label ?? $"deploy/k8s: Service '{app.AppId}'", "spec.ports[].targetPort", string.Join(",", targets), port);
        }

        ReportMissing("deploy/k8s (Deployment with dapr.io/app-id)", seen, problems);
    }

    private static JObject? Load(string root, string file, List<string> problems)
    {
        try
        {
            return File.Exists(Path.Combine(root, file)) ? Yaml.LoadSingle(root, Path.Combine(root, file)) : null;
        }
        catch (InvalidDataException e)
        {
            problems.Add(e.Message);
            return null;
        }
    }

    private static ScorpiusApp? Find(string? appId) => ScorpiusApps.All.FirstOrDefault(a => a.AppId == appId);

    /// <summary>Reports app-ids that are unknown or repeated; returns the known ones seen.</summary>
    private static HashSet<string> CheckIds(IEnumerable<(string Where, string? Id)> ids, List<string> problems)
    {
        var seen = new HashSet<string>();
        foreach (var (where, id) in ids)
        {
            if (Find(id) is null)
            {
                problems.Add($"{where}: app-id '{id}' is not in ScorpiusApps ({string.Join(", ", ScorpiusApps.All.Select(a => a.AppId))})");
            }
            else if (!seen.Add(id!))
            {
                problems.Add($"{where}: app-id '{id}' appears twice");
            }
        }

        return seen;
    }

    private static void ReportMissing(string file, HashSet<string> seen, List<string> problems) =>
        problems.AddRange(ScorpiusApps.All.Where(a => !seen.Contains(a.AppId)).Select(a => $"{file}: no entry for app-id '{a.AppId}' (ScorpiusApps)"));

    private static void Expect(List<string> problems, string at, string field, string? actual, string expected)
    {
        if (actual != expected)
        {
            problems.Add($"{at}: {field} is '{actual}', expected '{expected}' (ScorpiusApps)");
        }
    }

    private static string? Normalize(string? path) => path?.Replace('\\', '/').TrimEnd('/') switch
    {
        { } p when p.StartsWith("./", StringComparison.Ordinal) => p[2..],
        var p => p,
    };
}
