using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scorpius.AuthProxy.ApiKeys;
using Scorpius.AuthProxy.Identity;
using Scorpius.Contracts;

namespace Scorpius.AuthProxy.Tests;

public sealed class ApiKeyTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_key_is_shown_once_validates_to_its_tenant_and_scopes_and_stops_working_when_revoked()
    {
        await using var host = await AuthProxyHost.StartAsync();
        using var admin = host.Authorized(await host.TokenAsync(AuthProxyHost.AdminA));

        var create = await admin.PostAsJsonAsync("/v1/api-keys", new CreateApiKeyRequest("ci", "test", [Permissions.WalletsRead, Permissions.AssessmentsWrite], 30));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var created = (await create.Content.ReadFromJsonAsync<CreatedApiKey>(Web))!;
        Assert.StartsWith($"scp_test_{created.ApiKey.Id}_", created.Key, StringComparison.Ordinal);

        // Stored only as a hash: the row holds neither the key nor its secret part.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var row = await scope.ServiceProvider.GetRequiredService<AuthDbContext>().ApiKeys.FindAsync(created.ApiKey.Id);
            Assert.Equal(32, row!.SecretHash.Length);
            Assert.DoesNotContain(Convert.ToHexStringLower(row.SecretHash), created.Key, StringComparison.Ordinal);
        }

        var principal = await Validate(admin, created.Key);
        Assert.True(principal.Active);
        Assert.Equal(AuthProxyHost.TenantA, principal.TenantId);
        Assert.Equal($"api-key:{created.ApiKey.Id}", principal.Sub);
        Assert.Equal("test", principal.Environment);
        Assert.Equal([Permissions.AssessmentsWrite, Permissions.WalletsRead], principal.Scope!.Split(' ').Order(StringComparer.Ordinal));

        var listed = (await admin.GetFromJsonAsync<ApiKeyView[]>("/v1/api-keys", Web))!;
        Assert.NotNull(Assert.Single(listed).LastUsedAt);
        Assert.DoesNotContain(created.Key.Split('_')[3], await admin.GetStringAsync("/v1/api-keys"), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/api-keys/{created.ApiKey.Id}")).StatusCode);
        Assert.False((await Validate(admin, created.Key)).Active);

        var audit = host.Sidecar.PubSub.Published.Where(m => m.Topic == DaprNames.Topics.Audit).Select(m => m.DataAs<AuditEvent>()!).ToArray();
        Assert.Contains(audit, e => e.Action == "api-key.create" && e.Actor == AuthProxyHost.AdminA && e.TenantId == AuthProxyHost.TenantA);
        Assert.Contains(audit, e => e.Action == "api-key.revoke" && e.Resource == $"api-key/{created.ApiKey.Id}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("scp_test_")]
    [InlineData("scp_prod_abcdefghijklmnop_0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("scp_test_abcdefghijklmnop_0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Malformed_or_unknown_keys_are_inactive(string key)
    {
        await using var host = await AuthProxyHost.StartAsync();
        using var client = host.Authorized(await host.TokenAsync(AuthProxyHost.ReaderA));
        Assert.False((await Validate(client, key)).Active);
    }

    [Fact]
    public async Task A_tampered_secret_or_a_changed_environment_prefix_is_inactive()
    {
        await using var host = await AuthProxyHost.StartAsync();
        using var admin = host.Authorized(await host.TokenAsync(AuthProxyHost.AdminA));
        var created = (await (await admin.PostAsJsonAsync("/v1/api-keys", new CreateApiKeyRequest("ci", "live", [Permissions.WalletsRead], 1)))
            .Content.ReadFromJsonAsync<CreatedApiKey>(Web))!;
        Assert.True((await Validate(admin, created.Key)).Active);
        var last = created.Key[^1] == '0' ? '1' : '0';
        Assert.False((await Validate(admin, created.Key[..^1] + last)).Active);
        Assert.False((await Validate(admin, created.Key.Replace("scp_live_", "scp_test_", StringComparison.Ordinal))).Active);
    }

    [Fact]
    public async Task An_expired_key_is_inactive()
    {
        await using var host = await AuthProxyHost.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        await db.Database.EnsureCreatedAsync();
        var service = new ApiKeyService(db, clock);
        var created = await service.CreateAsync(AuthProxyHost.TenantA, "short", "live", [Permissions.WalletsRead], TimeSpan.FromHours(1), "test", default);

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.NotNull(await service.ValidateAsync(created.PlainText, default));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await service.ValidateAsync(created.PlainText, default));
    }

    [Fact]
    public async Task Creating_needs_users_manage_and_only_scopes_the_caller_holds_and_tenants_cannot_revoke_each_others_keys()
    {
        await using var host = await AuthProxyHost.StartAsync();
        var request = new CreateApiKeyRequest("ci", "test", [Permissions.WalletsRead], 30);

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.PostAsJsonAsync("/v1/api-keys", request)).StatusCode);
        using var reader = host.Authorized(await host.TokenAsync(AuthProxyHost.ReaderA));
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/v1/api-keys", request)).StatusCode);
        using var narrowAdmin = host.Authorized(await host.TokenAsync(AuthProxyHost.AdminA, Permissions.UsersManage));
        Assert.Equal(HttpStatusCode.Forbidden, (await narrowAdmin.PostAsJsonAsync("/v1/api-keys", request)).StatusCode);

        using var adminA = host.Authorized(await host.TokenAsync(AuthProxyHost.AdminA));
        var created = (await (await adminA.PostAsJsonAsync("/v1/api-keys", request)).Content.ReadFromJsonAsync<CreatedApiKey>(Web))!;
        using var adminB = host.Authorized(await host.TokenAsync(AuthProxyHost.AdminB));
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.DeleteAsync($"/v1/api-keys/{created.ApiKey.Id}")).StatusCode);
        Assert.Empty((await adminB.GetFromJsonAsync<ApiKeyView[]>("/v1/api-keys", Web))!);
        Assert.True((await Validate(adminA, created.Key)).Active);

        var badEnvironment = await adminA.PostAsJsonAsync("/v1/api-keys", request with { Environment = "prod" });
        Assert.Equal(HttpStatusCode.BadRequest, badEnvironment.StatusCode);
    }

    private static async Task<ApiKeyPrincipal> Validate(HttpClient client, string key)
    {
        var response = await client.PostAsJsonAsync("/v1/api-keys/validate", new ValidateApiKeyRequest(key));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ApiKeyPrincipal>(Web))!;
    }
}
