using Scorpius.Consistency.Tests.Validators;
using Xunit;

namespace Scorpius.Consistency.Tests;

public class DaprCrdValidatorTests
{
    [Fact]
    public void Every_Dapr_resource_matches_its_CRD() => Problems.AssertNone(DaprCrdValidator.Validate(RepoPaths.Root));

    [Theory]
    [InlineData("components/pubsub.yaml", "  version: v1\n", "  version: v1\n  initTimout: 5s\n", "spec.initTimout: NoAdditionalPropertiesAllowed")]
    [InlineData("components/alternatives/pubsub/kafka/pubsub.yaml", "  version: v1\n", "", "spec.version: PropertyRequired")]
    [InlineData("deploy/k8s/components/statestore.yaml", "        key: password", "        key: password\n        namespace: scorpius", "spec.metadata[1].secretKeyRef.namespace: NoAdditionalPropertiesAllowed")]
    [InlineData("components/alternatives/crypto/jwks/crypto.yaml", "  secretStore: scorpius-secrets", "  secretstore: scorpius-secrets", "auth.secretStore: PropertyRequired")]
    [InlineData("components/resiliency.yaml", "        maxRetries: 3", "        maxRetrys: 3", "maxRetrys: NoAdditionalPropertiesAllowed")]
    [InlineData("deploy/k8s/components/resiliency.yaml", "        maxRetries: 6", "        maxRetries: six", "spec.policies.retries.components.maxRetries: IntegerExpected")]
    [InlineData("components/config/reporting.yaml", "    enabled: true", "    enabled: \"true\"", "spec.metrics.enabled: BooleanExpected")]
    [InlineData("deploy/k8s/components/config/wallet-guard.yaml", "    defaultAction: deny", "    defaultActon: deny", "spec.accessControl.defaultActon: NoAdditionalPropertiesAllowed")]
    [InlineData("components/config/workflows.yaml", "    zipkin:", "    zipkinn:", "spec.tracing.zipkinn: NoAdditionalPropertiesAllowed")]
    [InlineData("components/crypto.yaml", "  name: scorpius-crypto\n", "  labels: {}\n", "metadata.name: PropertyRequired")]
    [InlineData("components/statestore.yaml", "apiVersion: dapr.io/v1alpha1", "apiVersion: dapr.io/v1", "apiVersion: NotInEnumeration")]
    [InlineData("components/statestore.yaml", "kind: Component", "kind: Subscription", "no vendored CRD for Dapr kind 'Subscription'")]
    [InlineData("components/pubsub.yaml", "apiVersion: dapr.io/v1alpha1", "apiVersion: v1", "is not a Dapr resource")]
    [InlineData("components/pubsub.yaml", "  name: scorpius-pubsub\n", "  name: scorpius-pubsub\n  name: again\n", "not valid YAML: Duplicate key name")]
    [InlineData("components/pubsub.yaml", "  metadata: []", "  metadata: [", "not valid YAML")]
    public void A_broken_copy_is_reported(string file, string oldText, string newText, string expected)
    {
        using var repo = TempRepo.With(file, oldText, newText);
        Problems.AssertReported(DaprCrdValidator.Validate(repo.Root), file, expected);
    }
}
