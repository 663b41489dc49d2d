using Scorpius.Consistency.Tests.Validators;
using Xunit;

namespace Scorpius.Consistency.Tests;

public class ComponentMetadataValidatorTests
{
    private const string Redis = "components/alternatives/state/redis/statestore.yaml";
    private const string Postgres = "components/alternatives/state/postgresql/statestore.yaml";
    private const string Kafka = "components/alternatives/pubsub/kafka/pubsub.yaml";
    private const string Vault = "components/alternatives/secrets/vault/secretstore.yaml";
    private const string Aws = "components/alternatives/secrets/aws/secretstore.yaml";

    [Fact]
    public void Every_component_matches_its_metadata_yaml() => Problems.AssertNone(ComponentMetadataValidator.Validate(RepoPaths.Root));

    [Theory]
    // unknown names; the runtime-wide list is per category and exact
    [InlineData(Redis, "name: redisHost\n", "name: redisHostname\n", "'redisHostname' is not declared in components-contrib/state/redis/metadata.yaml")]
    [InlineData("components/statestore.yaml", "name: actorStateStore", "name: actorstatestore", "'actorstatestore' is not declared in components-contrib/state/in-memory/metadata.yaml (it declares 'actorStateStore')")]
    [InlineData("components/pubsub.yaml", "  metadata: []", "  metadata:\n    - name: actorStateStore\n      value: \"true\"", "'actorStateStore' is not declared in components-contrib/pubsub/in-memory/metadata.yaml")]
    // required fields, exactly-one groups, authentication profiles
    [InlineData("components/secretstore.yaml", "    - name: secretsFile\n      value: ../../components/secrets/dev-secrets.json\n", "", "required spec.metadata 'secretsFile' is missing")]
    [InlineData(Vault, "    - name: enginePath", "    - name: vaultToken\n      envRef: VAULT_TOKEN\n    - name: enginePath", "exactly one of vaultToken, vaultTokenMountPath (has vaultToken, vaultTokenMountPath)")]
    [InlineData(Vault, "    - name: vaultTokenMountPath\n      value: /var/run/secrets/vault/token\n", "", "exactly one of vaultToken, vaultTokenMountPath (has none)")]
    [InlineData(Kafka, "    - name: saslPassword\n      secretKeyRef:\n        name: kafka\n        key: password\n", "", "'SASL Authentication' needs authType, saslUsername, saslPassword")]
    [InlineData(Kafka, "    - name: authType\n      value: password", "    - name: authType\n      value: sasl", "'authType' is 'sasl', not one of")]
    [InlineData("components/bearer-reporting.yaml", "    - name: issuer\n      value: http://localhost:8001/\n", "", "required spec.metadata 'issuer' is missing (components-contrib/middleware/http/bearer/metadata.yaml)")]
    [InlineData("deploy/k8s/components/bearer-usage-meter.yaml", "    - name: audience\n", "    - name: clientID\n", "'clientID' is not declared in components-contrib/middleware/http/bearer/metadata.yaml")]
    [InlineData("deploy/k8s/components/bearer-usage-meter.yaml", "    - name: jwksURL\n", "    - name: jwksUrl\n", "'jwksUrl' is not declared in components-contrib/middleware/http/bearer/metadata.yaml (it declares 'jwksURL')")]
    // values
    [InlineData("deploy/k8s/components/pubsub.yaml", "value: oldest", "value: earliest", "'initialOffset' is 'earliest', not one of newest, oldest")]
    [InlineData(Postgres, "    - name: timeout\n", "    - name: awsAccessKey\n      value: AKIAEXAMPLE\n    - name: timeout\n", "'awsAccessKey' is deprecated in components-contrib/state/postgresql/v2/metadata.yaml")]
    [InlineData("components/crypto.yaml", "      value: ../../components/keys\n", "", "'path' needs exactly one of value, secretKeyRef or envRef (has none)")]
    [InlineData("components/secretstore.yaml", "    - name: multiValued\n", "    - name: nestedSeparator\n      value: \".\"\n    - name: multiValued\n", "'nestedSeparator' is given twice")]
    // secrets
    [InlineData("components/alternatives/pubsub/redis/pubsub.yaml", "      secretKeyRef:\n        name: redis\n        key: password", "      value: hunter2", "'redisPassword' is sensitive")]
    [InlineData(Kafka, "      secretKeyRef:\n        name: kafka\n        key: password", "      envRef: KAFKA_PASSWORD", "'saslPassword' is sensitive")]
    [InlineData(Vault, "    - name: vaultTokenMountPath\n      value: /var/run/secrets/vault/token", "    - name: vaultToken\n      value: s.dev", "'vaultToken' is sensitive")]
    [InlineData("components/alternatives/crypto/jwks/crypto.yaml", "auth:\n  secretStore: scorpius-secrets\n", "", "'jwks' is a secretKeyRef, so auth.secretStore must be 'scorpius-secrets'")]
    [InlineData("deploy/k8s/components/crypto.yaml", "        key: clientSecret\n", "", "'azureClientSecret' secretKeyRef needs both name and key")]
    [InlineData(Aws, "    - name: region\n      value: eu-central-1", "    - name: region\n      secretKeyRef:\n        name: aws\n        key: region", "'region' is a secretKeyRef, but a secret store cannot")]
    // types and versions, with the runtime's names
    [InlineData("components/crypto.yaml", "type: crypto.dapr.localstorage", "type: crypto.localstorage", "'crypto.localstorage' is not a known component type (metadata.yaml calls it that, but the runtime registers it as 'crypto.dapr.localstorage')")]
    [InlineData(Aws, "type: secretstores.aws.secretmanager", "type: secretstores.aws.secretsmanager", "the runtime registers it as 'secretstores.aws.secretmanager'")]
    [InlineData(Postgres, "version: v2", "version: v3", "spec.version 'v3' does not exist for spec.type 'state.postgresql' (known: v1, v2)")]
    [InlineData("components/pubsub.yaml", "type: pubsub.in-memory", "type: pubsub.inmemory", "spec.type 'pubsub.inmemory' is not a known component type")]
    [InlineData("components/bearer-usage-meter.yaml", "type: middleware.http.bearer", "type: middleware.bearer", "spec.type 'middleware.bearer' is not a known component type")]
    [InlineData("components/pubsub.yaml", "type: pubsub.in-memory", "type: bindings.aws.s3", "metadata.yaml not vendored in specs/: components-contrib/bindings/aws/s3/metadata.yaml")]
    public void A_broken_copy_is_reported(string file, string oldText, string newText, string expected)
    {
        using var repo = TempRepo.With(file, oldText, newText);
        Problems.AssertReported(ComponentMetadataValidator.Validate(repo.Root), file, expected);
    }

    [Fact]
    public void A_runtime_alias_of_a_type_is_accepted()
    {
        using var repo = TempRepo.With(Postgres, "type: state.postgresql", "type: state.postgres");
        Problems.AssertNone(ComponentMetadataValidator.Validate(repo.Root));
    }
}
