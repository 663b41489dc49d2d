using Newtonsoft.Json.Linq;
using Scorpius.Contracts;

namespace Scorpius.Consistency.Tests.Validators;

/// <summary>
/// The token check at the sidecars: every app of <see cref="DaprNames.BearerProtectedApps"/> has, locally
/// (components/, components/config) and in Kubernetes (deploy/k8s/components, deploy/k8s/components/config), a
/// <c>middleware.http.bearer</c> component named <see cref="DaprNames.BearerMiddleware"/> and scoped to it alone, with
/// audience = its app-id, issuer = the issuer of that environment and jwksURL = auth-proxy's JWKS there, and its
/// Configuration names that component in spec.appHttpPipeline. No other app has a bearer component or handler, no
/// bearer handler sits in an httpPipeline, and every pipeline handler names a loaded component of its type (daprd
/// skips a handler it cannot find, silently, and lets the calls through). The Kubernetes bearer components fail
/// closed (no ignoreErrors). The list itself leaves out auth-proxy, the dashboard, and every app that daprd calls on
/// its own, without a token (pub/sub subscriptions, input bindings, actors, scheduled jobs). Every Deployment sets Auth__Issuer, and
/// auth-proxy's AuthProxy__Issuer, to the Kubernetes issuer.
/// </summary>
public static class SidecarAuthValidator
{
    public const string BearerType = "middleware.http.bearer";

    /// <summary>auth-proxy's JWKS, relative to its base address (Scorpius.ServiceDefaults.Security.SigningKeys.JwksPath).</summary>
    public const string JwksPath = ".well-known/jwks";

    /// <summary>The issuer of local runs: <see cref="AuthDefaults.Issuer"/>, auth-proxy on localhost.</summary>
    public static string LocalIssuer { get; } = AuthDefaults.Issuer.AbsoluteUri;

    /// <summary>The issuer in Kubernetes: auth-proxy's Service in the scorpius namespace, on its port.</summary>
    public static string KubernetesIssuer { get; } =
        $"http://{ScorpiusApps.AuthProxyId}.{KubernetesValidator.Namespace}.svc.cluster.local:{ScorpiusApps.AuthProxy.Port}/";

    /// <summary>Input bindings: daprd calls the app with their events (through the app pipeline, without a token).</summary>
    private static readonly HashSet<string> InputBindingTypes = ["bindings.cron"];

    /// <summary>
    /// What in an app's code makes daprd call it on its own, through the app pipeline and without a token: topic
    /// subscriptions (Dapr.AspNetCore), hosted actors (Dapr.Actors.AspNetCore: actor methods, timers, reminders, and
    /// /dapr/config, which registers the actor types) and scheduled jobs (Dapr.Jobs).
    /// </summary>
    private static readonly (string Marker, string What)[] DaprDeliveries =
    [
        (".WithTopic(", "subscribes to a topic"),
        ("[Topic(", "subscribes to a topic"),
        ("MapActorsHandlers(", "hosts actors"),
        ("AddActors(", "hosts actors"),
        ("MapDaprScheduledJobHandler(", "receives scheduled jobs"),
    ];

    public static IReadOnlyList<string> Validate(string root) => Validate(root, DaprNames.BearerProtectedApps);

    /// <summary>Validates with <paramref name="protectedApps"/> in place of <see cref="DaprNames.BearerProtectedApps"/>.</summary>
    public static IReadOnlyList<string> Validate(string root, IReadOnlyList<string> protectedApps)
    {
        var problems = new List<string>();
        var docs = RepoFiles.AllDocs(root, problems);
        CheckList(root, docs, protectedApps, problems);
        CheckEnvironment(docs, "components", "components/config", LocalIssuer, failClosed: false, protectedApps, problems);
        CheckEnvironment(docs, "deploy/k8s/components", "deploy/k8s/components/config", KubernetesIssuer, failClosed: true, protectedApps, problems);
        CheckDeployments(docs, problems);
        return problems;
    }

    private static void CheckList(string root, IReadOnlyList<YamlDoc> docs, IReadOnlyList<string> protectedApps, List<string> problems)
    {
        const string list = "DaprNames.BearerProtectedApps";
        var appIds = ScorpiusApps.All.Select(a => a.AppId).ToHashSet();
        problems.AddRange(protectedApps.Where(id => !appIds.Contains(id)).Select(id => $"{list}: '{id}' is not an app-id in ScorpiusApps"));
        problems.AddRange(protectedApps.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => $"{list}: lists '{g.Key}' twice"));
        if (protectedApps.Contains(ScorpiusApps.AuthProxyId))
        {
            problems.Add($"{list}: lists '{ScorpiusApps.AuthProxyId}', whose /connect/token, /.well-known/* and /v1/me must answer callers without a token");
        }

        if (protectedApps.Contains(ScorpiusApps.DashboardId))
        {
            problems.Add($"{list}: lists '{ScorpiusApps.DashboardId}', which nobody invokes through Dapr (InvocationPolicy.AllowedCallers is empty)");
        }

        foreach (var app in ScorpiusApps.All.Where(a => protectedApps.Contains(a.AppId)))
        {
            var bindings = docs.Where(d => RepoFiles.IsDapr(d) && d.Kind == "Component" && InputBindingTypes.Contains(Type(d)) && Scopes(d).Contains(app.AppId));
            problems.AddRange(bindings.Select(b =>
                $"{list}: lists '{app.AppId}', which receives the input binding {b.Label}; daprd delivers its events through the app pipeline without a token, so the bearer middleware would refuse them"));

            var folder = Path.Combine(root, app.ProjectDir);
            IEnumerable<string> sources = Directory.Exists(folder)
                ? Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Where(f => !IsBuildOutput(folder, f)).Order(StringComparer.Ordinal)
                : [];
            foreach (var source in sources)
            {
                var text = File.ReadAllText(source);
                foreach (var what in DaprDeliveries.Where(d => text.Contains(d.Marker, StringComparison.Ordinal)).Select(d => d.What).Distinct())
                {
                    problems.Add($"{list}: lists '{app.AppId}', which {what} in {RepoPaths.Relative(root, source)}; daprd calls the app for these through the app pipeline without a token, so the bearer middleware would refuse them");
                }
            }
        }
    }

    private static void CheckEnvironment(
        IReadOnlyList<YamlDoc> docs, string componentsFolder, string configFolder, string issuer, bool failClosed, IReadOnlyList<string> protectedApps, List<string> problems)
    {
        var components = RepoFiles.TopLevel(docs, componentsFolder, "Component").Where(RepoFiles.IsDapr).ToList();
        var bearers = components.Where(c => Type(c) == BearerType).ToList();
        foreach (var bearer in bearers)
        {
            CheckBearerComponent(bearer, issuer, failClosed, protectedApps, problems);
        }

        var configurations = RepoFiles.TopLevel(docs, configFolder, "Configuration").ToList();
        foreach (var app in ScorpiusApps.All)
        {
            var config = configurations.FirstOrDefault(c => c.Name == app.AppId);
            if (config is null)
            {
                continue; // PolicyConsistencyValidator reports a missing Configuration
            }

            var appPipeline = Handlers(config, "appHttpPipeline");
            var sidecarPipeline = Handlers(config, "httpPipeline");
            foreach (var (pipeline, name, type) in appPipeline.Select(h => ("appHttpPipeline", h.Name, h.Type)).Concat(sidecarPipeline.Select(h => ("httpPipeline", h.Name, h.Type))))
            {
                var where = $"{config.Label}: spec.{pipeline}.handlers '{name}'";
                var component = components.FirstOrDefault(c => c.Name == name);
                if (component is null || Type(component) != type || (Scopes(component).Count > 0 && !Scopes(component).Contains(app.AppId)))
                {
                    problems.Add($"{where}: names no component of type '{type}' in {componentsFolder}/ scoped to '{app.AppId}'; daprd skips such a handler silently and lets every call through");
                }

                if (pipeline == "httpPipeline" && type == BearerType)
                {
                    problems.Add($"{where}: a bearer check belongs in spec.appHttpPipeline (calls forwarded to the app); in httpPipeline it gates the app's own calls to its sidecar");
                }
            }

            var expected = DaprNames.BearerMiddleware(app.AppId);
            var bearerHandlers = appPipeline.Where(h => h.Type == BearerType).ToList();
            if (protectedApps.Contains(app.AppId))
            {
                if (!bearerHandlers.Any(h => h.Name == expected))
                {
                    problems.Add($"{config.Label}: spec.appHttpPipeline has no handler '{expected}' (type {BearerType}), though '{app.AppId}' is in DaprNames.BearerProtectedApps");
                }

                if (!bearers.Any(b => b.Name == expected && Scopes(b).Contains(app.AppId)))
                {
                    problems.Add($"{componentsFolder}/: no {BearerType} component '{expected}' scoped to '{app.AppId}' (DaprNames.BearerProtectedApps)");
                }
            }
            else
            {
                problems.AddRange(bearerHandlers.Select(h =>
                    $"{config.Label}: spec.appHttpPipeline has the bearer handler '{h.Name}', but '{app.AppId}' is not in DaprNames.BearerProtectedApps"));
            }
        }
    }

    private static void CheckBearerComponent(YamlDoc bearer, string issuer, bool failClosed, IReadOnlyList<string> protectedApps, List<string> problems)
    {
        var at = bearer.Label;
        var scopes = Scopes(bearer);
        if (scopes is not [var appId])
        {
            problems.Add($"{at}: scopes must name exactly the one app it protects (has [{string.Join(", ", scopes)}])");
            return;
        }

        if (!protectedApps.Contains(appId))
        {
            problems.Add($"{at}: is scoped to '{appId}', which is not in DaprNames.BearerProtectedApps");
        }

        Expect(problems, at, "metadata.name", bearer.Name, DaprNames.BearerMiddleware(appId));
        Expect(problems, at, "spec.version", (string?)bearer.Json["spec"]?["version"], "v1");
        Expect(problems, at, "spec.metadata 'audience'", Metadata(bearer, "audience"), appId);
        Expect(problems, at, "spec.metadata 'issuer'", Metadata(bearer, "issuer"), issuer);
        Expect(problems, at, "spec.metadata 'jwksURL'", Metadata(bearer, "jwksURL"), issuer + JwksPath);
        if (failClosed && Yaml.Text(bearer.Json["spec"]?["ignoreErrors"]) == "true")
        {
            problems.Add($"{at}: spec.ignoreErrors is true: a sidecar that cannot fetch the keys would run without the check; in Kubernetes it must fail closed");
        }
    }

    private static void CheckDeployments(IReadOnlyList<YamlDoc> docs, List<string> problems)
    {
        foreach (var deployment in docs.Where(d => d.Kind == "Deployment" && d.File.StartsWith("deploy/k8s/", StringComparison.Ordinal)))
        {
            var appId = (string?)deployment.Json["spec"]?["template"]?["metadata"]?["annotations"]?["dapr.io/app-id"];
            var container = deployment.Json["spec"]?["template"]?["spec"]?["containers"]?.FirstOrDefault(c => (string?)c["name"] == appId);
            if (appId is null || container is null)
            {
                continue; // AppConsistencyValidator reports these
            }

            var env = (container["env"] as JArray ?? []).GroupBy(e => (string?)e["name"] ?? "").ToDictionary(g => g.Key, g => (string?)g.First()["value"]);
            Expect(problems, deployment.Label, "env Auth__Issuer", env.GetValueOrDefault("Auth__Issuer"), KubernetesIssuer);
            if (appId == ScorpiusApps.AuthProxyId)
            {
                Expect(problems, deployment.Label, "env AuthProxy__Issuer", env.GetValueOrDefault("AuthProxy__Issuer"), KubernetesIssuer);
            }
        }
    }

    private static List<(string Name, string Type)> Handlers(YamlDoc config, string pipeline) =>
        (config.Json["spec"]?[pipeline]?["handlers"] as JArray)?.Select(h => ((string?)h["name"] ?? "", (string?)h["type"] ?? "")).ToList() ?? [];

    private static string? Metadata(YamlDoc doc, string name) =>
        Yaml.Text((doc.Json["spec"]?["metadata"] as JArray)?.FirstOrDefault(m => (string?)m["name"] == name)?["value"]);

    private static string Type(YamlDoc doc) => (string?)doc.Json["spec"]?["type"] ?? "";

    private static List<string> Scopes(YamlDoc doc) => (doc.Json["scopes"] as JArray)?.Select(s => (string?)s ?? "").ToList() ?? [];

    private static bool IsBuildOutput(string projectFolder, string file) =>
        RepoPaths.Relative(projectFolder, file).Split('/') is ["bin" or "obj", ..];

    private static void Expect(List<string> problems, string at, string field, string? actual, string expected)
    {
        if (actual != expected)
        {
            problems.Add($"{at}: {field} is '{actual}', expected '{expected}'");
        }
    }
}
