using Scorpius.Consistency.Tests.Validators;
using Xunit;

namespace Scorpius.Consistency.Tests;

public class KubernetesValidatorTests
{
    [Fact]
    public void Every_Kubernetes_object_matches_its_schema() => Problems.AssertNone(KubernetesValidator.Validate(RepoPaths.Root));

    [Theory]
    [InlineData("deploy/k8s/usage-meter.yaml", "          imagePullPolicy: IfNotPresent\n", "          imagePullPolicy: IfNotPresent\n          imagePullPolice: Always\n", "Deployment 'usage-meter': spec.template.spec.containers[0].imagePullPolice: NoAdditionalPropertiesAllowed")]
    [InlineData("deploy/k8s/workflows.yaml", "            readOnlyRootFilesystem: true", "            readOnlyRootFileSystem: true", "securityContext.readOnlyRootFileSystem: NoAdditionalPropertiesAllowed")]
    [InlineData("deploy/k8s/reporting.yaml", "  replicas: 1", "  replicas: one", "spec.replicas: NoTypeValidates (expected integer or null, is String)")]
    [InlineData("deploy/k8s/auth-proxy.yaml", "        dapr.io/app-port: \"8001\"", "        dapr.io/app-port: 8001", "annotations['dapr.io/app-port']: NoTypeValidates (expected null or string, is Integer)")]
    [InlineData("deploy/k8s/dashboard.yaml", "      targetPort: http\n", "      targetPort: http\n      nodePorts: 30000\n", "Service 'dashboard': spec.ports[0].nodePorts: NoAdditionalPropertiesAllowed")]
    [InlineData("deploy/k8s/namespace.yaml", "kind: Namespace", "kind: Namespace\nspec:\n  finalizer: []", "spec.finalizer: NoAdditionalPropertiesAllowed")]
    [InlineData("deploy/k8s/audit-trail.yaml", "apiVersion: apps/v1", "apiVersion: apps/v1beta1", "no vendored schema for apps/v1beta1 Deployment")]
    [InlineData("deploy/k8s/components/pubsub.yaml", "  namespace: scorpius", "  namespace: default", "metadata.namespace must be 'scorpius'")]
    [InlineData("deploy/k8s/components/config/dashboard.yaml", "kind: Configuration", "kind: Subscription", "no vendored CRD for Dapr kind 'Subscription'")]
    [InlineData("deploy/k8s/kustomization.yaml", "  - components/crypto.yaml\n", "", "resources does not list components/crypto.yaml")]
    [InlineData("deploy/k8s/kustomization.yaml", "  - components/crypto.yaml\n", "  - components/crypto.yaml\n  - components/kms.yaml\n", "resources lists components/kms.yaml, which is not a YAML file")]
    [InlineData("deploy/k8s/kustomization.yaml", "  - components/crypto.yaml\n", "  - components/crypto.yaml\n  - components/crypto.yaml\n", "resources lists components/crypto.yaml twice")]
    public void A_broken_copy_is_reported(string file, string oldText, string newText, string expected)
    {
        using var repo = TempRepo.With(file, oldText, newText);
        Problems.AssertReported(KubernetesValidator.Validate(repo.Root), file, expected);
    }
}
