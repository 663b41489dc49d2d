using Scorpius.Consistency.Tests.Validators;
using Xunit;

namespace Scorpius.Consistency.Tests;

public class PolicyConsistencyValidatorTests
{
    [Fact]
    public void Access_control_and_resiliency_agree_with_InvocationPolicy() => Problems.AssertNone(PolicyConsistencyValidator.Validate(RepoPaths.Root));

    [Theory]
    // access control
    [InlineData("components/config/notifications.yaml", "      - appId: dashboard\n        defaultAction: allow\n        trustDomain: public\n        namespace: default\n", "", "spec.accessControl.policies has no policy for 'dashboard'")]
    [InlineData("deploy/k8s/components/config/reporting.yaml", "      - appId: dashboard", "      - appId: wallet-guard", "policies 'wallet-guard': 'wallet-guard' is not among InvocationPolicy.AllowedCallers[\"reporting\"]")]
    [InlineData("components/config/dashboard.yaml", "    policies: []", "    policies:\n      - appId: reporting\n        defaultAction: allow\n        trustDomain: public\n        namespace: default", "'reporting' is not among InvocationPolicy.AllowedCallers[\"dashboard\"] ()")]
    [InlineData("components/config/reporting.yaml", "    policies:\n", "    policies:\n      - appId: dashboard\n        defaultAction: allow\n        trustDomain: public\n        namespace: default\n", "policies lists 'dashboard' twice")]
    [InlineData("deploy/k8s/components/config/auth-proxy.yaml", "  accessControl:\n    defaultAction: deny", "  accessControl:\n    defaultAction: allow", "spec.accessControl.defaultAction is 'allow', expected 'deny'")]
    [InlineData("components/config/auth-proxy.yaml", "  accessControl:\n    defaultAction: allow", "  accessControl:\n    defaultAction: deny", "spec.accessControl.defaultAction is 'deny', expected 'allow'")]
    [InlineData("components/config/auth-proxy.yaml", "    trustDomain: public\n    policies:", "    trustDomain: cluster.local\n    policies:", "spec.accessControl.trustDomain is 'cluster.local', expected 'public'")]
    [InlineData("deploy/k8s/components/config/workflows.yaml", "namespace: scorpius\n      - appId: dashboard", "namespace: default\n      - appId: dashboard", "policies 'wallet-guard': namespace is 'default', expected 'scorpius'")]
    [InlineData("components/config/usage-meter.yaml", "      - appId: reporting\n        defaultAction: allow", "      - appId: reporting\n        defaultAction: deny", "policies 'reporting': defaultAction is 'deny', expected 'allow'")]
    [InlineData("components/config/usage-meter.yaml", "  name: usage-meter", "  name: metering", "metadata.name is 'metering', expected 'usage-meter'")]
    [InlineData("deploy/k8s/components/config/dashboard.yaml", "  metrics:\n    enabled: true\n", "", "spec.metrics.enabled is '', expected 'true'")]
    [InlineData("components/config/workflows.yaml", "    samplingRate: \"1\"\n", "", "spec.tracing.samplingRate is missing")]
    // operations: auth-proxy's callers in Kubernetes may invoke exactly what apps need, nothing else
    [InlineData("deploy/k8s/components/config/auth-proxy.yaml", "      - appId: reporting\n        defaultAction: deny", "      - appId: reporting\n        defaultAction: allow", "policies 'reporting': defaultAction is 'allow', expected 'deny'")]
    [InlineData("deploy/k8s/components/config/auth-proxy.yaml", "      - appId: wallet-guard\n        defaultAction: deny\n        trustDomain: public\n        namespace: scorpius\n        operations:\n          - name: /connect/token\n            httpVerb: [\"POST\"]\n            action: allow\n", "      - appId: wallet-guard\n        defaultAction: deny\n        trustDomain: public\n        namespace: scorpius\n        operations:\n", "policies 'wallet-guard': operations do not allow POST /connect/token, which apps call")]
    [InlineData("deploy/k8s/components/config/auth-proxy.yaml", "      - appId: dashboard\n        defaultAction: deny\n        trustDomain: public\n        namespace: scorpius\n        operations:\n", "      - appId: dashboard\n        defaultAction: deny\n        trustDomain: public\n        namespace: scorpius\n        operations:\n          - name: /v1/users\n            httpVerb: [\"GET\"]\n            action: allow\n", "policies 'dashboard': operations allow GET /v1/users, which is not in PolicyConsistencyValidator.KubernetesOperations")]
    [InlineData("deploy/k8s/components/config/auth-proxy.yaml", "      - appId: usage-meter\n        defaultAction: deny\n        trustDomain: public\n        namespace: scorpius\n        operations:\n          - name: /connect/token\n            httpVerb: [\"POST\"]\n", "      - appId: usage-meter\n        defaultAction: deny\n        trustDomain: public\n        namespace: scorpius\n        operations:\n          - name: /connect/token\n            httpVerb: [\"GET\"]\n", "policies 'usage-meter': operations allow GET /connect/token, which is not in")]
    [InlineData("deploy/k8s/components/config/auth-proxy.yaml", "      - appId: notifications\n        defaultAction: deny\n        trustDomain: public\n        namespace: scorpius\n        operations:\n          - name: /connect/token\n            httpVerb: [\"POST\"]\n            action: allow", "      - appId: notifications\n        defaultAction: deny\n        trustDomain: public\n        namespace: scorpius\n        operations:\n          - name: /connect/token\n            httpVerb: [\"POST\"]\n            action: deny", "policies 'notifications': operation '/connect/token' has action 'deny', expected 'allow'")]
    [InlineData("deploy/k8s/components/config/auth-proxy.yaml", "      - appId: audit-trail\n        defaultAction: deny\n        trustDomain: public\n        namespace: scorpius\n        operations:\n          - name: /connect/token\n            httpVerb: [\"POST\"]\n", "      - appId: audit-trail\n        defaultAction: deny\n        trustDomain: public\n        namespace: scorpius\n        operations:\n          - name: /connect/token\n", "policies 'audit-trail': operation '/connect/token' names no httpVerb")]
    [InlineData("deploy/k8s/components/config/wallet-guard.yaml", "      - appId: reporting\n        defaultAction: allow\n        trustDomain: public\n        namespace: scorpius\n", "      - appId: reporting\n        defaultAction: allow\n        trustDomain: public\n        namespace: scorpius\n        operations:\n          - name: /v1/verdicts\n            httpVerb: [\"GET\"]\n            action: allow\n", "policies 'reporting': lists operations, but only the Kubernetes policies of the callees in PolicyConsistencyValidator.KubernetesOperations")]
    [InlineData("components/config/auth-proxy.yaml", "      - appId: reporting\n        defaultAction: allow\n        trustDomain: public\n        namespace: default\n", "      - appId: reporting\n        defaultAction: allow\n        trustDomain: public\n        namespace: default\n        operations:\n          - name: /v1/me\n            httpVerb: [\"GET\"]\n            action: allow\n", "policies 'reporting': lists operations")]
    // resiliency
    [InlineData("deploy/k8s/components/resiliency.yaml", "      usage-meter:\n", "      usage-meters:\n", "spec.targets.apps has no target for 'usage-meter'")]
    [InlineData("deploy/k8s/components/resiliency.yaml", "      usage-meter:\n", "      usage-meters:\n", "spec.targets.apps names 'usage-meters', which no app may invoke")]
    [InlineData("components/resiliency.yaml", "        inbound:\n", "        inbounds:\n", "spec.targets.components.scorpius-pubsub.inbound is missing")]
    [InlineData("components/resiliency.yaml", "          retry: delivery", "          retry: redelivery", "names 'redelivery', which spec.policies.retries does not define")]
    public void A_broken_copy_is_reported(string file, string oldText, string newText, string expected)
    {
        using var repo = TempRepo.With(file, oldText, newText);
        Problems.AssertReported(PolicyConsistencyValidator.Validate(repo.Root), file, expected);
    }

    [Fact]
    public void A_missing_resiliency_is_reported()
    {
        using var repo = new TempRepo().Delete("components/resiliency.yaml");
        Problems.AssertReported(PolicyConsistencyValidator.Validate(repo.Root), "components/: needs exactly one Resiliency at the top level (has 0)");
    }

    [Fact]
    public void A_missing_configuration_is_reported()
    {
        using var repo = new TempRepo().Delete("components/config/usage-meter.yaml");
        Problems.AssertReported(PolicyConsistencyValidator.Validate(repo.Root), "components/config/usage-meter.yaml: must hold exactly one Configuration");
    }

    [Fact]
    public void A_configuration_for_an_unknown_app_is_reported()
    {
        using var repo = new TempRepo().Write("components/config/billing.yaml", File.ReadAllText(RepoPaths.PathOf("components/config/dashboard.yaml")));
        Problems.AssertReported(PolicyConsistencyValidator.Validate(repo.Root), "components/config/billing.yaml: is not the Configuration of an app-id");
    }
}
