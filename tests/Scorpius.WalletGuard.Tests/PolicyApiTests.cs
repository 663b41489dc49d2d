using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scorpius.Contracts;
using Scorpius.WalletGuard.Tests.Support;

namespace Scorpius.WalletGuard.Tests;

/// <summary>/v1/policies and /v1/wallets/{id}/policy: round trips with normalization, validation with field paths, scopes.</summary>
public sealed class PolicyApiTests : IAsyncLifetime
{
    private WalletGuardHost host = null!;

    public async Task InitializeAsync() => host = await WalletGuardHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_tenant_without_a_policy_has_no_rules()
    {
        var policy = await host.Client.GetFromJsonAsync<JsonObject>("/v1/policies");
        Assert.Empty(policy!["rules"]!.AsArray());
        Assert.Null(policy["updatedAt"]);
    }

    [Fact]
    public async Task A_tenant_policy_is_stored_normalized_and_read_back()
    {
        var put = await host.Client.PutAsJsonAsync("/v1/policies", new
        {
            rules = new object[]
            {
                new { id = "friends", action = "allow", conditions = new { counterpartyIn = new[] { "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" } } },
                new { id = "big-usdc", action = "require-approval", conditions = new { minAmount = new { asset = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", amount = "1000000000" } } },
                new { id = "burst", action = "block", conditions = new { velocity = new { maxValue = "5000000000000000000", window = "PT60M" }, minVerdict = "warning" } },
                new { id = "catch-all", action = "warn" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var read = (await host.Client.GetFromJsonAsync<JsonObject>("/v1/policies"))!;
        var rules = read["rules"]!.AsArray();
        Assert.Equal(["friends", "big-usdc", "burst", "catch-all"], rules.Select(r => r!["id"]!.GetValue<string>()));
        Assert.Equal(Requests.Friend, rules[0]!["conditions"]!["counterpartyIn"]![0]!.GetValue<string>());
        Assert.Equal(Requests.Usdc, rules[1]!["conditions"]!["minAmount"]!["asset"]!.GetValue<string>());
        Assert.Equal("require-approval", rules[1]!["action"]!.GetValue<string>());
        Assert.Equal("PT1H", rules[2]!["conditions"]!["velocity"]!["window"]!.GetValue<string>());
        Assert.Equal("warning", rules[2]!["conditions"]!["minVerdict"]!.GetValue<string>());
        Assert.Null(rules[2]!["conditions"]!["velocity"]!["maxCount"]);
        Assert.Empty(rules[3]!["conditions"]!.AsObject());
        Assert.NotNull(read["updatedAt"]);
    }

    [Fact]
    public async Task An_invalid_policy_is_a_validation_problem_keyed_by_field_path()
    {
        var response = await host.Client.PutAsJsonAsync("/v1/policies", new
        {
            rules = new object[]
            {
                new { id = "ok", action = "deny" },
                new { id = "ok", action = "block", conditions = new { counterpartyIn = new[] { "0x123" }, methodKinds = new[] { "approve", "steal" } } },
                new { id = "", action = "warn", conditions = new { velocity = new { window = "P2D" }, minVerdict = "benign", minAmount = new { asset = "gold", amount = "-1" } } },
            },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(
            new[]
            {
                "rules[0].action", "rules[1].id", "rules[1].conditions.counterpartyIn[0]", "rules[1].conditions.methodKinds[1]",
                "rules[2].id", "rules[2].conditions.minAmount.asset", "rules[2].conditions.minAmount.amount", "rules[2].conditions.velocity.window",
                "rules[2].conditions.velocity", "rules[2].conditions.minVerdict",
            }.Order(),
            errors.Select(e => e.Key).Order());
        Assert.Empty((await host.Client.GetFromJsonAsync<JsonObject>("/v1/policies"))!["rules"]!.AsArray()); // nothing was saved
    }

    [Fact]
    public async Task A_body_without_rules_is_a_validation_problem()
    {
        var response = await host.Client.PutAsJsonAsync("/v1/policies", new { });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().ContainsKey("rules"));
    }

    [Fact]
    public async Task A_wallet_policy_belongs_to_an_existing_wallet_and_goes_with_it()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.PutAsJsonAsync("/v1/wallets/wal_missing/policy", new { rules = Array.Empty<object>() })).StatusCode);

        var wallet = await host.CreateWalletAsync("ethereum", Requests.Wallet, 1);
        var put = await host.Client.PutAsJsonAsync($"/v1/wallets/{wallet.Id}/policy",
            new { rules = new object[] { new { id = "no-upgrades", action = "block", conditions = new { methodKinds = new[] { "upgrade", "delegatecall" } } } } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var read = (await host.Client.GetFromJsonAsync<JsonObject>($"/v1/wallets/{wallet.Id}/policy"))!;
        Assert.Equal("no-upgrades", read["rules"]![0]!["id"]!.GetValue<string>());

        await host.Client.DeleteAsync($"/v1/wallets/{wallet.Id}");
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/v1/wallets/{wallet.Id}/policy")).StatusCode);
    }

    [Fact]
    public async Task Changing_a_policy_needs_policies_write_and_reading_it_wallets_read()
    {
        var reader = host.ClientFor(WalletGuardHost.Tenant, Permissions.WalletsRead);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/policies")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PutAsJsonAsync("/v1/policies", new { rules = Array.Empty<object>() })).StatusCode);
        var writer = host.ClientFor(WalletGuardHost.Tenant, Permissions.PoliciesWrite);
        Assert.Equal(HttpStatusCode.OK, (await writer.PutAsJsonAsync("/v1/policies", new { rules = Array.Empty<object>() })).StatusCode);
    }

    [Fact]
    public async Task Every_route_declares_its_protection_and_the_actor_routes_answer_only_the_sidecar()
    {
        // The auth matrix in Scorpius.Platform.Tests checks every app; this is wallet-guard's own tripwire.
        var anonymous = host.App.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dapr/config")).StatusCode);
        var tenantToken = host.ClientFor(WalletGuardHost.Tenant);
        Assert.NotEqual(HttpStatusCode.OK, (await tenantToken.GetAsync("/dapr/config")).StatusCode);

        var sidecar = host.App.CreateClient();
        sidecar.DefaultRequestHeaders.Add("dapr-api-token", host.Sidecar.Options.AppApiToken);
        var config = await sidecar.GetFromJsonAsync<JsonObject>("/dapr/config");
        Assert.Contains("WalletActor", config!["entities"]!.AsArray().Select(e => e!.GetValue<string>()));

        var openApi = (await anonymous.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        var paths = openApi["paths"]!.AsObject();
        foreach (var path in new[] { "/v1/assessments", "/v1/wallets", "/v1/wallets/{walletId}", "/v1/policies", "/v1/wallets/{walletId}/policy" })
            Assert.True(paths.ContainsKey(path), $"{path} is missing from the OpenAPI document");
    }
}
