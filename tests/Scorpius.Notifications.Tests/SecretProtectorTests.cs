using System.Security.Cryptography;
using Dapr;
using Dapr.Client;
using Scorpius.Contracts;
using Scorpius.Notifications.Endpoints;
using Scorpius.Testing.Sidecar;

namespace Scorpius.Notifications.Tests;

/// <summary>The encryption of signing secrets, with the key read through the real DaprClient from the fake sidecar's secret store.</summary>
public sealed class SecretProtectorTests : IAsyncLifetime
{
    private FakeDaprSidecar sidecar = null!;
    private DaprClient dapr = null!;

    public async Task InitializeAsync()
    {
        sidecar = await FakeDaprSidecar.StartAsync();
        dapr = sidecar.CreateClient();
    }

    public async Task DisposeAsync()
    {
        dapr.Dispose();
        await sidecar.DisposeAsync();
    }

    private void SetKey(string value) =>
        sidecar.SetSecret(DaprNames.SecretStore, SecretProtector.SecretName, new Dictionary<string, string> { [SecretProtector.SecretKey] = value });

    [Fact]
    public async Task A_secret_round_trips_only_with_its_context_and_key_and_is_not_readable_when_stored()
    {
        SetKey("key-one-0123456789-0123456789-0123456789");
        var protector = new SecretProtector(dapr);

        var protectedValue = await protector.ProtectAsync("whsec_secret-value", "tenant-a/ep_1/key_1", default);

        Assert.StartsWith("v1.", protectedValue, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", protectedValue, StringComparison.Ordinal);
        Assert.NotEqual(protectedValue, await protector.ProtectAsync("whsec_secret-value", "tenant-a/ep_1/key_1", default)); // fresh nonce
        Assert.Equal("whsec_secret-value", await protector.UnprotectAsync(protectedValue, "tenant-a/ep_1/key_1", default));
        await Assert.ThrowsAnyAsync<CryptographicException>(() => protector.UnprotectAsync(protectedValue, "tenant-b/ep_1/key_1", default));

        var tampered = protectedValue[..^4] + (protectedValue[^4] == 'A' ? "B" : "A") + protectedValue[^3..];
        await Assert.ThrowsAnyAsync<CryptographicException>(() => protector.UnprotectAsync(tampered, "tenant-a/ep_1/key_1", default));

        SetKey("key-two-0123456789-0123456789-0123456789");
        await Assert.ThrowsAnyAsync<CryptographicException>(() => new SecretProtector(dapr).UnprotectAsync(protectedValue, "tenant-a/ep_1/key_1", default));
    }

    [Fact]
    public async Task A_missing_or_short_key_fails_with_a_message_that_names_the_secret()
    {
        await Assert.ThrowsAsync<DaprException>(() => new SecretProtector(dapr).ProtectAsync("x", "c", default));

        SetKey("too-short");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new SecretProtector(dapr).ProtectAsync("x", "c", default));
        Assert.Contains("'notifications'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'webhookSecretsKey'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tripwire_Dapr_SDK_1_19_SaveBulkStateAsync_does_not_send_the_API_token()
    {
        // DeliveryStore uses a state transaction instead. When this test fails, the SDK sends the token: SaveBulkStateAsync is usable again.
        var error = await Assert.ThrowsAsync<DaprException>(() => dapr.SaveBulkStateAsync(DaprNames.StateStore, [new SaveStateItem<string>("k", "v", "")]));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, Assert.IsType<Grpc.Core.RpcException>(error.InnerException).StatusCode);

        await dapr.ExecuteStateTransactionAsync(DaprNames.StateStore, [new StateTransactionRequest("k", "\"v\""u8.ToArray(), StateOperationType.Upsert)]);
        Assert.Equal("v", await dapr.GetStateAsync<string>(DaprNames.StateStore, "k"));
    }
}
