using Scorpius.Consistency.Tests.Validators;
using Xunit;

namespace Scorpius.Consistency.Tests;

public class AppConsistencyValidatorTests
{
    [Fact]
    public void App_ids_and_ports_agree_everywhere() => Problems.AssertNone(AppConsistencyValidator.Validate(RepoPaths.Root));

    [Theory]
    // dapr.yaml
    [InlineData("dapr.yaml", "    appPort: 8003\n", "    appPort: 8005\n", "dapr.yaml: app 'audit-trail': appPort is '8005', expected '8003'")]
    [InlineData("dapr.yaml", "appID: usage-meter", "appID: metering", "dapr.yaml: app-id 'metering' is not in ScorpiusApps")]
    [InlineData("dapr.yaml", "appID: usage-meter", "appID: metering", "dapr.yaml: no entry for app-id 'usage-meter'")]
    [InlineData("dapr.yaml", "appID: usage-meter", "appID: wallet-guard", "dapr.yaml: app-id 'wallet-guard' appears twice")]
    [InlineData("dapr.yaml", "appDirPath: ./workflows/Scorpius.Workflows", "appDirPath: ./services/Scorpius.Workflows", "dapr.yaml: app 'workflows': appDirPath is 'services/Scorpius.Workflows'")]
    [InlineData("dapr.yaml", "ASPNETCORE_URLS: http://localhost:3000", "ASPNETCORE_URLS: http://localhost:5000", "dapr.yaml: app 'dashboard': env.ASPNETCORE_URLS is 'http://localhost:5000'")]
    [InlineData("dapr.yaml", "config/reporting.yaml", "config/dashboard.yaml", "dapr.yaml: app 'reporting': configFilePath (resolved from appDirPath) is 'components/config/dashboard.yaml'")]
    // tye.yaml
    [InlineData("tye.yaml", "        port: 8010", "        port: 8011", "tye.yaml: service 'workflows': bindings (http port) is '8011'")]
    [InlineData("tye.yaml", "Scorpius.AuthProxy/Scorpius.AuthProxy.csproj", "Scorpius.AuthProxy/AuthProxy.csproj", "tye.yaml: service 'auth-proxy': project is 'services/Scorpius.AuthProxy/AuthProxy.csproj'")]
    [InlineData("tye.yaml", "Scorpius.AuthProxy/Scorpius.AuthProxy.csproj", "Scorpius.AuthProxy/AuthProxy.csproj", "tye.yaml: service 'auth-proxy': project services/Scorpius.AuthProxy/AuthProxy.csproj does not exist")]
    [InlineData("tye.yaml", "  - name: reporting\n", "  - name: reports\n", "tye.yaml: no entry for app-id 'reporting'")]
    // launchSettings.json
    [InlineData("services/Scorpius.Notifications/Properties/launchSettings.json", "http://localhost:8004", "http://localhost:5004", "profile 'notifications' applicationUrl 'http://localhost:5004' does not use port 8004")]
    [InlineData("services/Scorpius.UsageMeter/Properties/launchSettings.json", "\"applicationUrl\"", "\"applicationUri\"", "no profile sets applicationUrl")]
    // deploy/k8s
    [InlineData("deploy/k8s/wallet-guard.yaml", "dapr.io/app-port: \"8000\"", "dapr.io/app-port: \"80\"", "Deployment 'wallet-guard': annotation dapr.io/app-port is '80'")]
    [InlineData("deploy/k8s/audit-trail.yaml", "dapr.io/config: audit-trail", "dapr.io/config: appconfig", "annotation dapr.io/config is 'appconfig'")]
    [InlineData("deploy/k8s/audit-trail.yaml", "dapr.io/enabled: \"true\"", "dapr.io/enabled: \"false\"", "annotation dapr.io/enabled is 'false'")]
    [InlineData("deploy/k8s/reporting.yaml", "containerPort: 8007", "containerPort: 8080", "Deployment 'reporting': containerPort is '8080'")]
    [InlineData("deploy/k8s/reporting.yaml", "containerPort: 8007", "containerPort: 8080", "Service 'reporting': spec.ports[].targetPort is '8080'")]
    [InlineData("deploy/k8s/notifications.yaml", "              path: /health/ready\n              port: 8004", "              path: /health/ready\n              port: 8080", "readinessProbe.httpGet.port is '8080'")]
    [InlineData("deploy/k8s/notifications.yaml", "path: /health/live", "path: /healthz", "livenessProbe.httpGet.path is '/healthz'")]
    [InlineData("deploy/k8s/workflows.yaml", "value: http://+:8010", "value: http://+:80", "env ASPNETCORE_URLS is 'http://+:80'")]
    [InlineData("deploy/k8s/usage-meter.yaml", "        - name: usage-meter\n", "        - name: app\n", "no container named 'usage-meter'")]
    [InlineData("deploy/k8s/dashboard.yaml", "dapr.io/app-id: dashboard", "dapr.io/app-id: web", "Deployment 'dashboard': app-id 'web' is not in ScorpiusApps")]
    public void A_broken_copy_is_reported(string file, string oldText, string newText, string expected)
    {
        using var repo = TempRepo.With(file, oldText, newText);
        Problems.AssertReported(AppConsistencyValidator.Validate(repo.Root), file, expected);
    }

    [Fact]
    public void A_missing_launchSettings_is_reported()
    {
        using var repo = new TempRepo().Delete("services/Scorpius.AuditTrail/Properties/launchSettings.json");
        Problems.AssertReported(AppConsistencyValidator.Validate(repo.Root), "services/Scorpius.AuditTrail/Properties/launchSettings.json: missing");
    }
}
