using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scorpius.AuthProxy.ApiKeys;

namespace Scorpius.AuthProxy.Tests;

/// <summary>GET /v1/me: the exact self-description of an active access token or API key, and one 401 problem for everything else.</summary>
public sealed class MeTests
{
    [Fact]
    public async Task An_access_token_describes_itself_exactly_and_a_revoked_one_is_a_401_problem()
    {
        await using var host = await AuthProxyHost.StartAsync();
        var token = await host.TokenAsync(AuthProxyHost.ReaderA);
        using var client = host.Authorized(token);

        var response = await client.GetAsync("/v1/me");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var me = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(["active", "kind", "sub", "tenant_id", "scope", "roles", "exp"], me.Select(p => p.Key));
        Assert.True(me["active"]!.GetValue<bool>());
        Assert.Equal("access_token", me["kind"]!.GetValue<string>());
        Assert.Equal(AuthProxyHost.ReaderA, me["sub"]!.GetValue<string>());
        Assert.Equal(AuthProxyHost.TenantA, me["tenant_id"]!.GetValue<string>());
        Assert.Equal([Permissions.LedgerRead, Permissions.WalletsRead], me["scope"]!.GetValue<string>().Split(' ').Order(StringComparer.Ordinal));
        Assert.Empty(me["roles"]!.AsArray());
        Assert.InRange(me["exp"]!.GetValue<long>(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 800, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 901);

        await host.Client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["client_id"] = AuthProxyHost.ReaderA, ["client_secret"] = AuthProxyHost.SecretOf(AuthProxyHost.ReaderA),
        }));
        var revoked = await client.GetAsync("/v1/me");
        var unknown = await host.Authorized("not-a-token").GetAsync("/v1/me");
        var none = await host.Client.GetAsync("/v1/me");
        foreach (var refused in new[] { revoked, unknown, none })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal("The credential is not active.", problem["detail"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task An_api_key_is_accepted_as_bearer_or_x_api_key_by_me_and_by_auth_proxys_own_api()
    {
        await using var host = await AuthProxyHost.StartAsync();
        using var admin = host.Authorized(await host.TokenAsync(AuthProxyHost.AdminA));
        var created = (await (await admin.PostAsJsonAsync("/v1/api-keys", new CreateApiKeyRequest("ops", "live", [Permissions.UsersManage, Permissions.WalletsRead], 30)))
            .Content.ReadFromJsonAsync<CreatedApiKey>())!;

        using var bearer = host.Authorized(created.Key);
        using var header = host.Factory.CreateClient();
        header.DefaultRequestHeaders.Add("X-Api-Key", created.Key);
        foreach (var client in new[] { bearer, header })
        {
            var me = (await client.GetFromJsonAsync<JsonObject>("/v1/me"))!;
            Assert.Equal("api_key", me["kind"]!.GetValue<string>());
            Assert.Equal($"api-key:{created.ApiKey.Id}", me["sub"]!.GetValue<string>());
            Assert.Equal(AuthProxyHost.TenantA, me["tenant_id"]!.GetValue<string>());
            Assert.Equal([Permissions.UsersManage, Permissions.WalletsRead], me["scope"]!.GetValue<string>().Split(' ').Order(StringComparer.Ordinal));
            Assert.Equal(created.ApiKey.ExpiresAt.ToUnixTimeSeconds(), me["exp"]!.GetValue<long>());
            // The key's users:manage scope opens auth-proxy's own admin API.
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/api-keys")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/api-keys/{created.ApiKey.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await header.GetAsync("/v1/api-keys")).StatusCode);
    }
}
