using Newtonsoft.Json.Linq;
using Scorpius.Contracts;

namespace Scorpius.Consistency.Tests.Validators;

/// <summary>
/// The Dapr Configurations and the Resiliency agree with <see cref="InvocationPolicy.AllowedCallers"/>: one
/// Configuration per app-id in components/config (namespace default: a self-hosted daprd without NAMESPACE) and in
/// deploy/k8s/components/config (namespace scorpius), each with metrics and tracing, accessControl defaultAction
/// deny in Kubernetes (allow locally, where no mTLS identifies callers), trustDomain public and exactly one policy per
/// allowed caller: allow, without operations, except that in Kubernetes each caller of a callee in
/// <see cref="KubernetesOperations"/> is denied by default and allowed exactly those operations; the Resiliency in
/// components/ and in deploy/k8s/components/ targets every callee app and the state store and pub/sub, and names only
/// policies it defines.
/// </summary>
public static class PolicyConsistencyValidator
{
    private const string TrustDomain = "public";
    public const string LocalDefaultAction = "allow";

    /// <summary>One allowed operation of an access-control policy: the method path and its HTTP verb.</summary>
    public sealed record Operation(string Name, string HttpVerb)
    {
        public override string ToString() => $"{HttpVerb} {Name}";
    }

    /// <summary>
    /// callee app-id → the only operations its allowed callers may invoke in Kubernetes (policy defaultAction deny).
    /// auth-proxy: what platform apps need from it through Dapr, and nothing of its API for people (login, users,
    /// API keys, MFA, policies). The paths are the ones Scorpius.ServiceDefaults.Security calls: ServiceTokens
    /// (/connect/token), CredentialStatus.MePath, SigningKeys.JwksPath; plus discovery and the decision point.
    /// Locally there is no mTLS, so no policy ever matches a caller and the local twins list no operations.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<Operation>> KubernetesOperations { get; } =
        new Dictionary<string, IReadOnlyList<Operation>>
        {
            [ScorpiusApps.AuthProxyId] =
            [
                new("/connect/token", "POST"),
                new("/v1/me", "GET"),
                new("/.well-known/jwks", "GET"),
                new("/.well-known/openid-configuration", "GET"),
                new("/v1/authorize", "POST"),
            ],
        };

    public static IReadOnlyList<string> Validate(string root)
    {
        var problems = new List<string>();
        var appIds = ScorpiusApps.All.Select(a => a.AppId).ToHashSet();
        problems.AddRange(appIds.Where(id => !InvocationPolicy.AllowedCallers.ContainsKey(id)).Select(id => $"InvocationPolicy.AllowedCallers: no entry for app-id '{id}'"));
        problems.AddRange(InvocationPolicy.AllowedCallers.SelectMany(e => e.Value.Prepend(e.Key)).Where(id => !appIds.Contains(id)).Distinct()
            .Select(id => $"InvocationPolicy.AllowedCallers: '{id}' is not an app-id in ScorpiusApps"));

        // Locally there is no Sentry and so no mTLS: daprd cannot tell callers apart and would apply the global
        // defaultAction to every call, so local Configurations allow by default (and still list the policies);
        // in Kubernetes the control plane's mTLS identifies callers and everything not listed is denied.
        CheckConfigurations(root, "components/config", "default", LocalDefaultAction, new Dictionary<string, IReadOnlyList<Operation>>(), problems);
        CheckConfigurations(root, "deploy/k8s/components/config", KubernetesValidator.Namespace, "deny", KubernetesOperations, problems);
        var docs = RepoFiles.AllDocs(root, problems);
        CheckResiliency(RepoFiles.TopLevel(docs, "components", "Resiliency").ToList(), "components/", problems);
        CheckResiliency(RepoFiles.TopLevel(docs, "deploy/k8s/components", "Resiliency").ToList(), "deploy/k8s/components/", problems);
        return problems;
    }

    private static void CheckConfigurations(
        string root, string folder, string ns, string defaultAction, IReadOnlyDictionary<string, IReadOnlyList<Operation>> restricted, List<string> problems)
    {
        var expectedFiles = ScorpiusApps.All.Select(a => $"{folder}/{a.AppId}.yaml").ToHashSet();
        foreach (var extra in Yaml.FilesUnder(Path.Combine(root, folder)).Select(f => RepoPaths.Relative(root, f)).Where(f => !expectedFiles.Contains(f)))
        {
            problems.Add($"{extra}: is not the Configuration of an app-id in ScorpiusApps");
        }

        foreach (var app in ScorpiusApps.All)
        {
            var file = $"{folder}/{app.AppId}.yaml";
            var docs = File.Exists(Path.Combine(root, file)) ? RepoFiles.Load(root, [Path.Combine(root, file)], problems) : [];
            if (docs is not [{ Kind: "Configuration" } config])
            {
                problems.Add($"{file}: must hold exactly one Configuration (app '{app.AppId}')");
                continue;
            }

            var at = config.Label;
            var spec = config.Json["spec"];
            Expect(problems, at, "metadata.name", config.Name, app.AppId);
            Expect(problems, at, "spec.metrics.enabled", Yaml.Text(spec?["metrics"]?["enabled"]), "true");
            if (spec?["tracing"]?["samplingRate"] is null)
            {
                problems.Add($"{at}: spec.tracing.samplingRate is missing");
            }

            var acl = spec?["accessControl"];
            Expect(problems, at, "spec.accessControl.defaultAction", (string?)acl?["defaultAction"], defaultAction);
            Expect(problems, at, "spec.accessControl.trustDomain", (string?)acl?["trustDomain"], TrustDomain);
            var policies = (acl?["policies"] as JArray)?.OfType<JObject>().ToList() ?? [];
            var allowed = InvocationPolicy.AllowedCallers.GetValueOrDefault(app.AppId, []);
            var operations = restricted.GetValueOrDefault(app.AppId);
            foreach (var policy in policies)
            {
                var caller = (string?)policy["appId"];
                var where = $"{at}: spec.accessControl.policies '{caller}'";
                if (!allowed.Contains(caller!))
                {
                    problems.Add($"{where}: '{caller}' is not among InvocationPolicy.AllowedCallers[\"{app.AppId}\"] ({string.Join(", ", allowed)})");
                }

                Expect(problems, where, "defaultAction", (string?)policy["defaultAction"], operations is null ? "allow" : "deny");
                Expect(problems, where, "trustDomain", (string?)policy["trustDomain"], TrustDomain);
                Expect(problems, where, "namespace", (string?)policy["namespace"], ns);
                CheckOperations(problems, where, policy["operations"] as JArray, operations);
            }

            var callers = policies.Select(p => (string?)p["appId"]).ToList();
            problems.AddRange(allowed.Where(c => !callers.Contains(c))
                .Select(c => $"{at}: spec.accessControl.policies has no policy for '{c}', an allowed caller in InvocationPolicy.AllowedCallers[\"{app.AppId}\"]"));
            problems.AddRange(callers.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => $"{at}: spec.accessControl.policies lists '{g.Key}' twice"));
        }
    }

    /// <summary>The policy allows exactly <paramref name="expected"/> (each with action allow and its one verb), or lists no operations when null.</summary>
    private static void CheckOperations(List<string> problems, string where, JArray? given, IReadOnlyList<Operation>? expected)
    {
        var items = given?.OfType<JObject>().ToList() ?? [];
        if (expected is null)
        {
            if (items.Count > 0)
            {
                problems.Add($"{where}: lists operations, but only the Kubernetes policies of the callees in PolicyConsistencyValidator.KubernetesOperations restrict operations");
            }

            return;
        }

        var allowed = new List<Operation>();
        foreach (var item in items)
        {
            var name = (string?)item["name"] ?? "";
            var verbs = (item["httpVerb"] as JArray)?.Select(v => (string?)v ?? "").ToList() ?? [];
            if ((string?)item["action"] != "allow")
            {
                problems.Add($"{where}: operation '{name}' has action '{item["action"]}', expected 'allow' (the policy's defaultAction denies the rest)");
            }

            if (verbs.Count == 0)
            {
                problems.Add($"{where}: operation '{name}' names no httpVerb, so it would allow every verb");
            }

            allowed.AddRange(verbs.Select(v => new Operation(name, v)));
        }

        problems.AddRange(expected.Except(allowed).Select(o => $"{where}: operations do not allow {o}, which apps call (PolicyConsistencyValidator.KubernetesOperations)"));
        problems.AddRange(allowed.Except(expected).Select(o => $"{where}: operations allow {o}, which is not in PolicyConsistencyValidator.KubernetesOperations"));
        problems.AddRange(allowed.GroupBy(o => o).Where(g => g.Count() > 1).Select(g => $"{where}: operations allow {g.Key} twice"));
    }

    private static void CheckResiliency(List<YamlDoc> resiliencies, string folder, List<string> problems)
    {
        if (resiliencies is not [var resiliency])
        {
            problems.Add($"{folder}: needs exactly one Resiliency at the top level (has {resiliencies.Count})");
            return;
        }

        var at = resiliency.Label;
        var policies = resiliency.Json["spec"]?["policies"];
        var targets = resiliency.Json["spec"]?["targets"];
        var callees = InvocationPolicy.AllowedCallers.Where(e => e.Value.Count > 0).Select(e => e.Key).ToHashSet();
        var apps = (targets?["apps"] as JObject)?.Properties().Select(p => p.Name).ToHashSet() ?? [];
        problems.AddRange(callees.Except(apps).Select(a => $"{at}: spec.targets.apps has no target for '{a}', which other apps may invoke (InvocationPolicy)"));
        problems.AddRange(apps.Except(callees).Select(a => $"{at}: spec.targets.apps names '{a}', which no app may invoke (InvocationPolicy)"));

        foreach (var (component, directions) in new[] { (DaprNames.StateStore, new[] { "outbound" }), (DaprNames.PubSub, new[] { "outbound", "inbound" }) })
        {
            foreach (var direction in directions.Where(d => targets?["components"]?[component]?[d] is null))
            {
                problems.Add($"{at}: spec.targets.components.{component}.{direction} is missing");
            }
        }

        var references = (targets as JObject)?.Descendants().OfType<JProperty>()
            .Where(p => p.Name is "timeout" or "retry" or "circuitBreaker" && p.Value.Type == JTokenType.String) ?? [];
        foreach (var reference in references)
        {
            var section = reference.Name switch { "timeout" => "timeouts", "retry" => "retries", _ => "circuitBreakers" };
            if (policies?[section]?[(string)reference.Value!] is null)
            {
                problems.Add($"{at}: {reference.Path} names '{reference.Value}', which spec.policies.{section} does not define");
            }
        }
    }

    private static void Expect(List<string> problems, string at, string field, string? actual, string expected)
    {
        if (actual != expected)
        {
            problems.Add($"{at}: {field} is '{actual}', expected '{expected}'");
        }
    }
}
