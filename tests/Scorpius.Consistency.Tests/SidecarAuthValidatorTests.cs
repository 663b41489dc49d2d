using Scorpius.Consistency.Tests.Validators;
using Scorpius.Contracts;
using Xunit;

namespace Scorpius.Consistency.Tests;

public class SidecarAuthValidatorTests
{
    private const string LocalBearer = "components/bearer-usage-meter.yaml";
    private const string KubernetesBearer = "deploy/k8s/components/bearer-reporting.yaml";
    private const string Handler = "  appHttpPipeline:\n    handlers:\n      - name: scorpius-bearer-{0}\n        type: middleware.http.bearer\n";

    [Fact]
    public void Every_protected_app_checks_tokens_at_its_sidecar() => Problems.AssertNone(SidecarAuthValidator.Validate(RepoPaths.Root));

    [Fact]
    public void The_protected_apps_are_the_ones_other_apps_invoke_but_auth_proxy_and_the_dashboard()
    {
        Assert.DoesNotContain(ScorpiusApps.AuthProxyId, DaprNames.BearerProtectedApps);
        Assert.DoesNotContain(ScorpiusApps.DashboardId, DaprNames.BearerProtectedApps);
        Assert.All(DaprNames.BearerProtectedApps, id => Assert.NotEmpty(InvocationPolicy.AllowedCallers[id]));
        Assert.All(DaprNames.BearerProtectedApps, id => Assert.Contains(DaprNames.BearerMiddleware(id), DaprNames.Components));
    }

    [Fact]
    public void Kubernetes_issuer_is_auth_proxys_service()
    {
        Assert.Equal("http://auth-proxy.scorpius.svc.cluster.local:8001/", SidecarAuthValidator.KubernetesIssuer);
        Assert.Equal("http://localhost:8001/", SidecarAuthValidator.LocalIssuer);
    }

    [Theory]
    // the components: audience, issuer, JWKS, scopes, name, failing closed in Kubernetes
    [InlineData(LocalBearer, "      value: usage-meter", "      value: reporting", "spec.metadata 'audience' is 'reporting', expected 'usage-meter'")]
    [InlineData(KubernetesBearer, "      value: http://auth-proxy.scorpius.svc.cluster.local:8001/\n", "      value: http://localhost:8001/\n", "spec.metadata 'issuer' is 'http://localhost:8001/', expected 'http://auth-proxy.scorpius.svc.cluster.local:8001/'")]
    [InlineData("components/bearer-reporting.yaml", "value: http://localhost:8001/\n", "value: http://localhost:8001\n", "spec.metadata 'issuer' is 'http://localhost:8001', expected 'http://localhost:8001/'")]
    [InlineData("components/bearer-usage-meter.yaml", "8001/.well-known/jwks", "8001/jwks", "spec.metadata 'jwksURL' is 'http://localhost:8001/jwks', expected 'http://localhost:8001/.well-known/jwks'")]
    [InlineData(KubernetesBearer, "scopes:\n  - reporting", "scopes:\n  - reporting\n  - dashboard", "scopes must name exactly the one app it protects (has [reporting, dashboard])")]
    [InlineData(KubernetesBearer, "  version: v1\n", "  version: v1\n  ignoreErrors: true\n", "spec.ignoreErrors is true")]
    [InlineData(LocalBearer, "  - usage-meter", "  - audit-trail", "is scoped to 'audit-trail', which is not in DaprNames.BearerProtectedApps")]
    // the Configurations: the handler is there, in the app pipeline, and names the component
    [InlineData("components/config/usage-meter.yaml", "  appHttpPipeline:\n", "  httpPipeline:\n", "spec.appHttpPipeline has no handler 'scorpius-bearer-usage-meter'")]
    [InlineData("deploy/k8s/components/config/usage-meter.yaml", "  appHttpPipeline:\n", "  httpPipeline:\n", "spec.httpPipeline.handlers 'scorpius-bearer-usage-meter': a bearer check belongs in spec.appHttpPipeline")]
    [InlineData("deploy/k8s/components/config/reporting.yaml", "      - name: scorpius-bearer-reporting", "      - name: scorpius-bearer-report", "spec.appHttpPipeline.handlers 'scorpius-bearer-report': names no component of type 'middleware.http.bearer' in deploy/k8s/components/ scoped to 'reporting'")]
    [InlineData("components/config/reporting.yaml", "        type: middleware.http.bearer", "        type: middleware.http.oauth2", "names no component of type 'middleware.http.oauth2'")]
    [InlineData("components/config/reporting.yaml", "        type: middleware.http.bearer", "        type: middleware.http.oauth2", "spec.appHttpPipeline has no handler 'scorpius-bearer-reporting'")]
    // the Deployments carry the cluster's issuer
    [InlineData("deploy/k8s/wallet-guard.yaml", "            - name: Auth__Issuer\n              value: http://auth-proxy.scorpius.svc.cluster.local:8001/", "            - name: Auth__Issuer\n              value: http://auth-proxy:8001/", "env Auth__Issuer is 'http://auth-proxy:8001/', expected 'http://auth-proxy.scorpius.svc.cluster.local:8001/'")]
    [InlineData("deploy/k8s/dashboard.yaml", "            - name: Auth__Issuer\n", "            - name: Auth__Issuers\n", "Deployment 'dashboard': env Auth__Issuer is '', expected")]
    [InlineData("deploy/k8s/auth-proxy.yaml", "            - name: AuthProxy__Issuer\n", "            - name: AuthProxy__Issuers\n", "Deployment 'auth-proxy': env AuthProxy__Issuer is '', expected 'http://auth-proxy.scorpius.svc.cluster.local:8001/'")]
    public void A_broken_copy_is_reported(string file, string oldText, string newText, string expected)
    {
        using var repo = TempRepo.With(file, oldText, newText);
        Problems.AssertReported(SidecarAuthValidator.Validate(repo.Root), file, expected);
    }

    [Theory]
    [InlineData("components/config/auth-proxy.yaml", "auth-proxy", "spec.appHttpPipeline has the bearer handler 'scorpius-bearer-auth-proxy', but 'auth-proxy' is not in DaprNames.BearerProtectedApps")]
    [InlineData("deploy/k8s/components/config/dashboard.yaml", "dashboard", "spec.appHttpPipeline has the bearer handler 'scorpius-bearer-dashboard', but 'dashboard' is not in DaprNames.BearerProtectedApps")]
    [InlineData("deploy/k8s/components/config/audit-trail.yaml", "audit-trail", "'scorpius-bearer-audit-trail': names no component of type 'middleware.http.bearer'")]
    public void A_bearer_handler_on_an_unprotected_app_is_reported(string file, string appId, string expected)
    {
        using var repo = TempRepo.With(file, "  accessControl:\n", string.Format(Handler, appId) + "  accessControl:\n");
        Problems.AssertReported(SidecarAuthValidator.Validate(repo.Root), file, expected);
    }

    [Fact]
    public void A_bearer_component_for_an_unprotected_app_is_reported()
    {
        using var repo = new TempRepo().Write(
            "deploy/k8s/components/bearer-auth-proxy.yaml",
            File.ReadAllText(RepoPaths.PathOf(KubernetesBearer)).Replace("reporting", "auth-proxy", StringComparison.Ordinal));
        Problems.AssertReported(
            SidecarAuthValidator.Validate(repo.Root),
            "deploy/k8s/components/bearer-auth-proxy.yaml", "is scoped to 'auth-proxy', which is not in DaprNames.BearerProtectedApps");
    }

    [Fact]
    public void A_protected_app_without_a_Kubernetes_component_is_reported()
    {
        using var repo = new TempRepo().Delete(KubernetesBearer);
        Problems.AssertReported(SidecarAuthValidator.Validate(repo.Root), "deploy/k8s/components/: no middleware.http.bearer component 'scorpius-bearer-reporting' scoped to 'reporting'");
        Problems.AssertReported(SidecarAuthValidator.Validate(repo.Root), "deploy/k8s/components/config/reporting.yaml", "'scorpius-bearer-reporting': names no component");
    }

    [Theory]
    [InlineData("auth-proxy", "lists 'auth-proxy', whose /connect/token, /.well-known/* and /v1/me must answer callers without a token")]
    [InlineData("dashboard", "lists 'dashboard', which nobody invokes through Dapr")]
    [InlineData("audit-trail", "lists 'audit-trail', which receives the input binding components/audit-verify-cron.yaml")]
    [InlineData("billing", "'billing' is not an app-id in ScorpiusApps")]
    [InlineData("reporting", "lists 'reporting' twice")]
    public void A_wrong_protected_app_list_is_reported(string extra, string expected)
    {
        Problems.AssertReported(SidecarAuthValidator.Validate(RepoPaths.Root, [.. DaprNames.BearerProtectedApps, extra]), "DaprNames.BearerProtectedApps", expected);
    }

    [Fact]
    public void A_protected_app_that_subscribes_to_a_topic_is_reported()
    {
        using var repo = new TempRepo().Write(
            "services/Scorpius.UsageMeter/Api/UsageSubscription.cs",
            "app.MapPost(\"/events/usage\", Handle).WithTopic(DaprNames.PubSub, DaprNames.Topics.UsageRecorded);\n");
        Problems.AssertReported(
            SidecarAuthValidator.Validate(repo.Root),
            "lists 'usage-meter', which subscribes to a topic in services/Scorpius.UsageMeter/Api/UsageSubscription.cs");
    }

    [Fact]
    public void A_protected_app_that_hosts_actors_is_reported()
    {
        using var repo = new TempRepo().Write("services/Scorpius.Reporting/Actors/ReportActors.cs", "app.MapActorsHandlers().RequireDaprCallback();\n");
        Problems.AssertReported(
            SidecarAuthValidator.Validate(repo.Root),
            "lists 'reporting', which hosts actors in services/Scorpius.Reporting/Actors/ReportActors.cs");
    }

    [Fact]
    public void The_subscribers_in_the_real_code_are_recognised()
    {
        // audit-trail and notifications subscribe in code (so does workflows, for protection.requested, and wallet-guard
        // hosts actors): listing them must fail, which is why they are not listed.
        var problems = SidecarAuthValidator.Validate(RepoPaths.Root, [.. DaprNames.BearerProtectedApps, ScorpiusApps.AuditTrailId, ScorpiusApps.NotificationsId]);
        Problems.AssertReported(problems, "lists 'audit-trail', which subscribes to a topic in services/Scorpius.AuditTrail/");
        Problems.AssertReported(problems, "lists 'notifications', which subscribes to a topic in services/Scorpius.Notifications/");
    }
}
