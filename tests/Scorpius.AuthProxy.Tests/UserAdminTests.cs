using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Scorpius.AuthProxy.Users;

namespace Scorpius.AuthProxy.Tests;

/// <summary>The /v1/users admin API, rate limits and the OpenAPI description of the new endpoints.</summary>
public sealed class UserAdminTests
{
    [Fact]
    public async Task Admins_manage_users_of_their_own_tenant_only_and_every_change_is_audited_with_its_reason()
    {
        await using var host = await AuthProxyHost.StartAsync();
        var user = await IdentityClient.CreateUserAsync(host, "Alice@Example.com", [Identity.Roles.Viewer]);
        Assert.Equal("alice@example.com", user.Email);
        using var adminA = host.Authorized(await host.TokenAsync(AuthProxyHost.AdminA));
        using var adminB = host.Authorized(await host.TokenAsync(AuthProxyHost.AdminB));
        using var reader = host.Authorized(await host.TokenAsync(AuthProxyHost.ReaderA));

        // Stored as a versioned PBKDF2 hash.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var row = await scope.ServiceProvider.GetRequiredService<Identity.AuthDbContext>().Users.FindAsync(user.Id);
            Assert.StartsWith("pbkdf2-sha256$v1$210000$", row!.PasswordHash, StringComparison.Ordinal);
            Assert.DoesNotContain(IdentityClient.Password, row.PasswordHash, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Conflict, (await adminA.PostAsJsonAsync("/v1/users",
            new CreateUserRequest("alice@example.com", "dup", IdentityClient.Password, [Identity.Roles.Viewer]))).StatusCode);
        var invalid = await adminA.PostAsJsonAsync("/v1/users", new CreateUserRequest("no-at-sign", "x", "short", ["Nobody"]));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await invalid.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Contains("email", errors.Select(e => e.Key));
        Assert.Contains("password", errors.Select(e => e.Key));
        Assert.Equal(HttpStatusCode.BadRequest, (await adminA.PostAsJsonAsync("/v1/users",
            new CreateUserRequest("bob@example.com", "Bob", IdentityClient.Password, ["Nobody"]))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/v1/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/v1/users")).StatusCode);

        Assert.Single((await adminA.GetFromJsonAsync<UserView[]>("/v1/users"))!);
        Assert.Empty((await adminB.GetFromJsonAsync<UserView[]>("/v1/users"))!);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"/v1/users/{user.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminB.PostAsJsonAsync($"/v1/users/{user.Id}/disable", new ReasonRequest("hostile"))).StatusCode);

        var roles = await adminA.PutAsJsonAsync($"/v1/users/{user.Id}/roles", new UpdateRolesRequest([Identity.Roles.Auditor], "joined audit"));
        Assert.Equal([Identity.Roles.Auditor], (await roles.Content.ReadFromJsonAsync<UserView>())!.Roles);

        using var browser = host.Browser();
        await IdentityClient.LoginAsync(browser, "alice@example.com");
        var tokens = await IdentityClient.CodeFlowAsync(host, browser, $"offline_access {Permissions.LedgerRead}");
        var disabled = await adminA.PostAsJsonAsync($"/v1/users/{user.Id}/disable", new ReasonRequest("left the company"));
        Assert.True((await disabled.Content.ReadFromJsonAsync<UserView>())!.Disabled);
        // Disabling revokes the user's tokens and refuses logins and refreshes.
        Assert.False((await host.IntrospectAsync(tokens["access_token"]!.GetValue<string>()))["active"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.BadRequest, (await IdentityClient.RefreshAsync(host, tokens["refresh_token"]!.GetValue<string>())).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.PostLoginAsync(browser, "alice@example.com")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await adminA.DeleteAsync($"/v1/users/{user.Id}?reason=gdpr")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await adminA.GetAsync($"/v1/users/{user.Id}")).StatusCode);

        var audit = host.Sidecar.PubSub.Published.Where(m => m.Topic == DaprNames.Topics.Audit).Select(m => m.DataAs<AuditEvent>()!)
            .Where(e => e.Resource == $"user/{user.Id}" && e.Action.StartsWith("user.", StringComparison.Ordinal)).ToArray();
        Assert.Contains(host.Sidecar.PubSub.Published.Select(m => m.DataAs<AuditEvent>()), e => e?.Resource == $"user/{user.Id}" && e.Action.StartsWith("login.", StringComparison.Ordinal));
        Assert.Equal(["user.create", "user.roles.update", "user.disable", "user.delete"], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal((AuthProxyHost.AdminA, AuthProxyHost.TenantA), (e.Actor, e.TenantId)));
        Assert.Equal(["test setup", "joined audit", "left the company", "gdpr"], audit.Select(e => e.Reason));
    }

    [Fact]
    public async Task A_caller_cannot_grant_roles_beyond_its_own_scopes()
    {
        await using var host = await AuthProxyHost.StartAsync();
        using var narrow = host.Authorized(await host.TokenAsync(AuthProxyHost.AdminA, Permissions.UsersManage));
        Assert.Equal(HttpStatusCode.Forbidden, (await narrow.PostAsJsonAsync("/v1/users",
            new CreateUserRequest("eve@example.com", "Eve", IdentityClient.Password, [Identity.Roles.Admin]))).StatusCode);
    }

    [Fact]
    public async Task The_token_endpoint_and_login_answer_429_problems_with_retry_after_beyond_their_limits()
    {
        await using var host = await AuthProxyHost.StartAsync(extra: new Dictionary<string, string?>
        {
            ["AuthProxy:RateLimits:Token:PermitLimit"] = "2",
            ["AuthProxy:RateLimits:Login:PermitLimit"] = "2",
        });
        Assert.Equal(HttpStatusCode.OK, (await host.RequestTokenAsync(AuthProxyHost.ReaderA)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.RequestTokenAsync(AuthProxyHost.ReaderA)).StatusCode);
        var limited = await host.RequestTokenAsync(AuthProxyHost.ReaderA);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        // Partitioned by client: another client is not affected.
        Assert.Equal(HttpStatusCode.OK, (await host.RequestTokenAsync(AuthProxyHost.AdminA)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.PostLoginAsync(host.Client, "x@example.com", "wrong password")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.PostLoginAsync(host.Client, "X@example.com ", "wrong password")).StatusCode);
        var login = await IdentityClient.PostLoginAsync(host.Client, "x@example.com", "wrong password");
        Assert.Equal(HttpStatusCode.TooManyRequests, login.StatusCode);
        Assert.True(login.Headers.Contains("Retry-After"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.PostLoginAsync(host.Client, "y@example.com", "wrong password")).StatusCode);
    }

    [Fact]
    public async Task The_new_endpoints_are_described_in_openapi_and_the_oauth_passthrough_endpoints_are_not()
    {
        await using var host = await AuthProxyHost.StartAsync();
        var document = (await host.Client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToArray();
        foreach (var path in new[] { "/v1/me", "/v1/login", "/v1/login/mfa", "/v1/login/mfa/sms", "/v1/login/mfa/webauthn/options", "/v1/logout",
                     "/v1/mfa/totp", "/v1/mfa/totp/confirm", "/v1/mfa/recovery-codes", "/v1/mfa/webauthn/register/options", "/v1/mfa/webauthn/register",
                     "/v1/users", "/v1/users/{id}", "/v1/users/{id}/roles", "/v1/users/{id}/disable" })
            Assert.Contains(path, paths);
        Assert.DoesNotContain("/connect/token", paths);
        Assert.DoesNotContain("/connect/authorize", paths);
    }
}
