using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scorpius.Contracts;
using Scorpius.WalletGuard.Tests.Support;
using Scorpius.WalletGuard.Wallets;

namespace Scorpius.WalletGuard.Tests;

/// <summary>/v1/wallets against the fake sidecar: validation and normalization, 409 duplicates, ETag-guarded index, tenant isolation.</summary>
public sealed class WalletApiTests : IAsyncLifetime
{
    private WalletGuardHost host = null!;

    public async Task InitializeAsync() => host = await WalletGuardHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_wallet_is_created_read_listed_replaced_and_deleted_with_its_address_in_eip55_form()
    {
        var create = await host.Client.PostAsJsonAsync("/v1/wallets", new { chain = "ethereum", chainId = 1, address = Requests.WalletLower, label = "treasury" });
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var wallet = (await create.Content.ReadFromJsonAsync<Wallet>(WalletGuardHost.Json))!;
        Assert.Equal($"/v1/wallets/{wallet.Id}", create.Headers.Location?.ToString());
        Assert.StartsWith("wal_", wallet.Id, StringComparison.Ordinal);
        Assert.Equal(Requests.Wallet, wallet.Address);
        Assert.Equal(1, wallet.ChainId);
        Assert.Equal(host.Clock.GetUtcNow(), wallet.CreatedAt);
        var json = JsonNode.Parse(await create.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(["id", "chain", "chainId", "address", "label", "createdAt"], json.Select(p => p.Key));

        Assert.Equal(wallet, await host.Client.GetFromJsonAsync<Wallet>($"/v1/wallets/{wallet.Id}", WalletGuardHost.Json));
        Assert.Equal([wallet], (await host.Client.GetFromJsonAsync<Wallet[]>("/v1/wallets", WalletGuardHost.Json))!);

        var put = await host.Client.PutAsJsonAsync($"/v1/wallets/{wallet.Id}", new { chain = "ethereum", chainId = 137, address = Requests.Wallet, label = "on polygon" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var replaced = (await put.Content.ReadFromJsonAsync<Wallet>(WalletGuardHost.Json))!;
        Assert.Equal(wallet with { ChainId = 137, Label = "on polygon" }, replaced);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/v1/wallets/{wallet.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/v1/wallets/{wallet.Id}")).StatusCode);
        Assert.Empty((await host.Client.GetFromJsonAsync<Wallet[]>("/v1/wallets", WalletGuardHost.Json))!);
    }

    [Fact]
    public async Task A_bitcoin_wallet_is_stored_in_canonical_form()
    {
        var wallet = await host.CreateWalletAsync("bitcoin", "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ");
        Assert.Equal("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", wallet.Address);
        Assert.Null(wallet.ChainId);
    }

    [Fact]
    public async Task The_same_address_on_the_same_chain_is_a_409_whatever_its_case()
    {
        var first = await host.CreateWalletAsync("ethereum", Requests.Wallet, 1);
        var again = await host.Client.PostAsJsonAsync("/v1/wallets", new { chain = "ethereum", chainId = 1, address = Requests.WalletLower });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(first.Id, (await again.Content.ReadFromJsonAsync<JsonObject>())!["walletId"]!.GetValue<string>());

        // Another chain id is another wallet; moving it onto the first one's chain is a conflict too.
        var other = await host.CreateWalletAsync("ethereum", Requests.Wallet, 10);
        var move = await host.Client.PutAsJsonAsync($"/v1/wallets/{other.Id}", new { chain = "ethereum", chainId = 1, address = Requests.Wallet });
        Assert.Equal(HttpStatusCode.Conflict, move.StatusCode);
    }

    [Theory]
    [InlineData("solana", null, "0x0000000000000000000000000000000000000001", "chain")]
    [InlineData("ethereum", 1L, "0x123", "address")]
    [InlineData("ethereum", 1L, "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "address")] // mixed case, bad checksum
    [InlineData("ethereum", 0L, Requests.Wallet, "chainId")]
    [InlineData("bitcoin", null, "bc1qnotanaddress", "address")]
    [InlineData("bitcoin", 1L, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "chainId")]
    public async Task An_invalid_wallet_is_a_validation_problem_naming_the_field(string chain, long? chainId, string address, string field)
    {
        var response = await host.Client.PostAsJsonAsync("/v1/wallets", new { chain, chainId, address });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal([field], errors.Select(e => e.Key));
    }

    [Fact]
    public async Task Concurrent_creations_all_land_in_the_tenant_index()
    {
        var addresses = Enumerable.Range(1, 12).Select(i => $"0x{i:x40}").ToArray();
        var responses = await Task.WhenAll(addresses.Select(a => host.Client.PostAsJsonAsync("/v1/wallets", new { chain = "ethereum", chainId = 1, address = a })));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(12, (await host.Client.GetFromJsonAsync<Wallet[]>("/v1/wallets", WalletGuardHost.Json))!.Length);
        Assert.Contains(WalletStore.Key(WalletGuardHost.Tenant), host.Sidecar.StateStore(DaprNames.StateStore).Keys);
    }

    [Fact]
    public async Task Another_tenant_never_sees_or_changes_a_wallet()
    {
        var wallet = await host.CreateWalletAsync("ethereum", Requests.Wallet, 1);
        var other = host.ClientFor(WalletGuardHost.OtherTenant);

        Assert.Empty((await other.GetFromJsonAsync<Wallet[]>("/v1/wallets", WalletGuardHost.Json))!);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/wallets/{wallet.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PutAsJsonAsync($"/v1/wallets/{wallet.Id}", new { chain = "ethereum", address = Requests.Friend })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/v1/wallets/{wallet.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/v1/wallets/{wallet.Id}/policy")).StatusCode);

        // The other tenant may protect the same address itself: no conflict across tenants.
        Assert.Equal(Requests.Wallet, (await host.CreateWalletAsync("ethereum", Requests.Wallet, 1, other)).Address);
        Assert.Equal(wallet, await host.Client.GetFromJsonAsync<Wallet>($"/v1/wallets/{wallet.Id}", WalletGuardHost.Json));
    }

    [Fact]
    public async Task Reading_needs_wallets_read_and_changing_needs_wallets_write()
    {
        var reader = host.ClientFor(WalletGuardHost.Tenant, Permissions.WalletsRead);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/wallets")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/v1/wallets", new { chain = "ethereum", address = Requests.Wallet })).StatusCode);
        var writer = host.ClientFor(WalletGuardHost.Tenant, Permissions.WalletsWrite);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync("/v1/wallets")).StatusCode);
    }
}
