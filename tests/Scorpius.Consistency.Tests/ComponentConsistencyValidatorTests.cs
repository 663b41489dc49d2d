using Scorpius.Consistency.Tests.Validators;
using Xunit;

namespace Scorpius.Consistency.Tests;

public class ComponentConsistencyValidatorTests
{
    [Fact]
    public void Component_names_and_scopes_agree_everywhere() => Problems.AssertNone(ComponentConsistencyValidator.Validate(RepoPaths.Root));

    [Theory]
    [InlineData("components/crypto.yaml", "  - auth-proxy", "  - authproxy", "scopes names 'authproxy', which is not an app-id")]
    [InlineData("deploy/k8s/components/statestore.yaml", "  - reporting\n", "  - reporting\n  - reporting\n", "scopes lists 'reporting' twice")]
    [InlineData("components/alternatives/secrets/kubernetes/secretstore.yaml", "scopes:\n", "unscoped:\n", "has no scopes")]
    [InlineData("components/alternatives/crypto/jwks/crypto.yaml", "  - notifications\n", "", "scopes [audit-trail, auth-proxy] differ from components/crypto.yaml [audit-trail, notifications, auth-proxy]")]
    [InlineData("deploy/k8s/components/pubsub.yaml", "  - dashboard\n", "", "differ from components/pubsub.yaml")]
    [InlineData("components/alternatives/pubsub/rabbitmq/pubsub.yaml", "name: scorpius-pubsub", "name: scorpius-rabbitmq", "name is not a DaprNames component")]
    [InlineData("components/alternatives/pubsub/rabbitmq/pubsub.yaml", "name: scorpius-pubsub", "name: scorpius-rabbitmq", "has no default of the same name in components/")]
    [InlineData("components/alternatives/resiliency/resiliency.yaml", "      fast: 3s", "      fast: 2s", "is the alternatives copy of the default components/resiliency.yaml but differs from it")]
    [InlineData("components/secretstore.yaml", "value: ../../components/secrets/dev-secrets.json", "value: components/secrets/dev-secrets.json", "'secretsFile' 'components/secrets/dev-secrets.json' does not resolve from workflows/Scorpius.Workflows")]
    [InlineData("components/alternatives/crypto/localstorage/crypto.yaml", "value: ../../components/keys", "value: ../components/keys", "'path' '../components/keys' does not resolve from services/Scorpius.AuditTrail")]
    [InlineData("deploy/k8s/components/bearer-reporting.yaml", "  - reporting", "  - dashboard", "scopes [dashboard] differ from components/bearer-reporting.yaml [reporting]")]
    [InlineData("components/alternatives/pubsub/kafka/pubsub.yaml", "        key: username", "        key: user", "'saslUsername' reads secret 'kafka' key 'user', which components/secrets/dev-secrets.json does not hold")]
    public void A_broken_copy_is_reported(string file, string oldText, string newText, string expected)
    {
        using var repo = TempRepo.With(file, oldText, newText);
        Problems.AssertReported(ComponentConsistencyValidator.Validate(repo.Root), file, expected);
    }

    [Fact]
    public void A_missing_Kubernetes_twin_is_reported()
    {
        using var repo = new TempRepo().Delete("deploy/k8s/components/crypto.yaml");
        Problems.AssertReported(ComponentConsistencyValidator.Validate(repo.Root), "deploy/k8s/components/: no twin for component 'scorpius-crypto'");
    }

    [Fact]
    public void A_missing_Kubernetes_twin_of_a_bearer_middleware_is_reported()
    {
        using var repo = new TempRepo().Delete("deploy/k8s/components/bearer-usage-meter.yaml");
        Problems.AssertReported(ComponentConsistencyValidator.Validate(repo.Root), "deploy/k8s/components/: no twin for component 'scorpius-bearer-usage-meter'");
    }

    [Fact]
    public void A_DaprNames_component_without_a_default_is_reported()
    {
        using var repo = new TempRepo().Delete("components/statestore.yaml");
        Problems.AssertReported(ComponentConsistencyValidator.Validate(repo.Root), "components/: no default component for DaprNames 'scorpius-statestore'");
    }

    [Fact]
    public void A_second_component_of_the_same_name_in_the_default_set_is_reported()
    {
        using var repo = new TempRepo().Write("components/redis.yaml", File.ReadAllText(RepoPaths.PathOf("components/alternatives/state/redis/statestore.yaml")));
        Problems.AssertReported(ComponentConsistencyValidator.Validate(repo.Root), "'scorpius-statestore' is defined twice", "components/redis.yaml");
    }

    [Fact]
    public void An_alternatives_folder_with_two_files_is_reported()
    {
        using var repo = new TempRepo().Write("components/alternatives/state/redis/extra.yaml", File.ReadAllText(RepoPaths.PathOf("components/alternatives/state/redis/statestore.yaml")));
        Problems.AssertReported(ComponentConsistencyValidator.Validate(repo.Root), "components/alternatives/state/redis: holds 2 YAML files");
    }
}
