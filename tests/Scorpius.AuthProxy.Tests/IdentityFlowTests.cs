using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using OtpNet;
using Scorpius.AuthProxy.Mfa;
using Scorpius.Testing.Fixtures;

namespace Scorpius.AuthProxy.Tests;

/// <summary>Login, lockout, MFA enrolment, the authorization code flow and refresh-token reuse detection; run on SQLite and on PostgreSQL.</summary>
public abstract class IdentityFlowTests
{
    protected virtual Task<Dictionary<string, string?>> StoreSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    protected async Task<AuthProxyHost> StartAsync(Action<IServiceCollection>? services = null, Dictionary<string, string?>? extra = null)
    {
        var settings = await StoreSettingsAsync();
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        return await AuthProxyHost.StartAsync(extra: settings, services: services);
    }

    [Fact]
    public async Task A_viewer_logs_in_and_the_dashboard_gets_a_code_and_tokens_with_scopes_cut_to_the_role()
    {
        await using var host = await StartAsync();
        var user = await IdentityClient.CreateUserAsync(host, "Viewer@Example.com", [Identity.Roles.Viewer]);
        using var browser = host.Browser();

        var response = await IdentityClient.PostLoginAsync(browser, "  viewer@example.COM ");
        var login = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("authenticated", login["status"]!.GetValue<string>());
        Assert.Equal(user.Id, login["sub"]!.GetValue<string>());
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("scorpius.session=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        var tokens = await IdentityClient.CodeFlowAsync(host, browser, $"openid offline_access {Permissions.WalletsRead} {Permissions.WalletsWrite}");
        var access = tokens["access_token"]!.GetValue<string>();
        Assert.NotNull(tokens["refresh_token"]);
        Assert.NotNull(tokens["id_token"]);

        var validated = await AccessTokenTests.ValidateOfflineAsync(host, access, ScorpiusApps.WalletGuardId);
        Assert.True(validated.IsValid, validated.Exception?.ToString());
        var jwt = new JsonWebToken(access);
        Assert.Equal(user.Id, jwt.Subject);
        Assert.Equal(AuthProxyHost.TenantA, jwt.GetClaim("tenant_id").Value);
        Assert.Equal(Identity.Roles.Viewer, jwt.GetClaim("role").Value);
        Assert.Equal("pwd", jwt.GetClaim("amr").Value);
        Assert.Equal("viewer@example.com", jwt.GetClaim("email").Value);
        Assert.Equal("User Viewer@Example.com", jwt.GetClaim("name").Value);
        // wallets:write was asked for but the Viewer role does not grant it.
        Assert.Equal(["offline_access", "openid", Permissions.WalletsRead], jwt.GetClaim("scope").Value.Split(' ').Order(StringComparer.Ordinal));

        using var api = host.Authorized(access);
        var me = (await api.GetFromJsonAsync<JsonObject>("/v1/me"))!;
        Assert.Equal(user.Id, me["sub"]!.GetValue<string>());
        Assert.Equal([Identity.Roles.Viewer], me["roles"]!.AsArray().Select(r => r!.GetValue<string>()));

        // Without a session the authorization endpoint answers a 401 problem.
        using var stranger = host.Browser();
        var refused = await stranger.GetAsync($"/connect/authorize?client_id={IdentityClient.Dashboard}&response_type=code&redirect_uri={Uri.EscapeDataString(IdentityClient.RedirectUri)}&scope=openid&code_challenge=abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq&code_challenge_method=S256");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_reused_refresh_token_revokes_the_whole_family()
    {
        await using var host = await StartAsync();
        await IdentityClient.CreateUserAsync(host, "auditor@example.com", [Identity.Roles.Auditor]);
        using var browser = host.Browser();
        await IdentityClient.LoginAsync(browser, "auditor@example.com");
        var first = await IdentityClient.CodeFlowAsync(host, browser, $"openid offline_access {Permissions.LedgerRead}");
        var r1 = first["refresh_token"]!.GetValue<string>();

        var second = await IdentityClient.RefreshAsync(host, r1);
        var secondBody = (await second.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(second.IsSuccessStatusCode, secondBody.ToJsonString());
        var r2 = secondBody["refresh_token"]!.GetValue<string>();
        var a2 = secondBody["access_token"]!.GetValue<string>();
        Assert.NotEqual(r1, r2);
        Assert.True((await host.IntrospectAsync(a2))["active"]!.GetValue<bool>());

        var replay = await IdentityClient.RefreshAsync(host, r1);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("invalid_grant", (await replay.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());

        var afterReplay = await IdentityClient.RefreshAsync(host, r2);
        Assert.Equal("invalid_grant", (await afterReplay.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        Assert.False((await host.IntrospectAsync(a2))["active"]!.GetValue<bool>());
        Assert.False((await host.IntrospectAsync(first["access_token"]!.GetValue<string>()))["active"]!.GetValue<bool>());
        using var api = host.Authorized(a2);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_with_the_same_answer_until_the_growing_delay_passes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await StartAsync(s => s.AddSingleton<TimeProvider>(clock),
            new Dictionary<string, string?> { ["AuthProxy:RateLimits:Login:PermitLimit"] = "100" });
        await IdentityClient.CreateUserAsync(host, "victim@example.com", [Identity.Roles.Viewer]);
        using var browser = host.Browser();

        async Task<string> RefusedAsync(string email, string password, string tenant = AuthProxyHost.TenantA)
        {
            var response = await IdentityClient.PostLoginAsync(browser, email, password, tenant);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            problem.Remove("traceId");
            return problem.ToJsonString();
        }

        var wrong = await RefusedAsync("victim@example.com", "not the password");
        for (var i = 0; i < 4; i++) Assert.Equal(wrong, await RefusedAsync("victim@example.com", "not the password"));
        // Locked: the right password gets exactly the wrong-password answer, as do unknown users and tenants.
        Assert.Equal(wrong, await RefusedAsync("victim@example.com", IdentityClient.Password));
        Assert.Equal(wrong, await RefusedAsync("nobody@example.com", IdentityClient.Password));
        Assert.Equal(wrong, await RefusedAsync("victim@example.com", IdentityClient.Password, "no-such-tenant"));

        clock.Advance(TimeSpan.FromSeconds(61));
        // The sixth failure locks for two minutes.
        Assert.Equal(wrong, await RefusedAsync("victim@example.com", "still wrong"));
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(wrong, await RefusedAsync("victim@example.com", IdentityClient.Password));
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("authenticated", (await IdentityClient.LoginAsync(browser, "victim@example.com"))["status"]!.GetValue<string>());

        // Success reset the counter: one more failure does not lock.
        Assert.Equal(wrong, await RefusedAsync("victim@example.com", "wrong again"));
        Assert.Equal("authenticated", (await IdentityClient.LoginAsync(browser, "victim@example.com"))["status"]!.GetValue<string>());

        // Every attempt is on the audit topic, the unknown ones too.
        var logins = host.Sidecar.PubSub.Published.Where(m => m.Topic == DaprNames.Topics.Audit).Select(m => m.DataAs<AuditEvent>()!)
            .Where(e => e.Action.StartsWith("login.", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, logins.Count(e => e.Action == "login.password" && e.Reason!.StartsWith("wrong-password", StringComparison.Ordinal)));
        Assert.Equal(2, logins.Count(e => e.Action == "login.lockout"));
        Assert.Equal(2, logins.Count(e => e.Action == "login.session" && e.Outcome == "success"));
        Assert.Contains(logins, e => e.Reason == "locked");
        Assert.Contains(logins, e => e.Reason == "unknown-account" && e.Actor == "anonymous");
    }

    [Fact]
    public async Task An_admin_must_enrol_totp_then_logs_in_with_totp_or_a_recovery_code_once()
    {
        await using var host = await StartAsync();
        await IdentityClient.CreateUserAsync(host, "admin@example.com", [Identity.Roles.Admin]);
        using var browser = host.Browser();

        var login = await IdentityClient.LoginAsync(browser, "admin@example.com");
        Assert.Equal("mfa_enrollment_required", login["status"]!.GetValue<string>());
        var challenge = login["challenge"]!.GetValue<string>();
        // The enrolment challenge allows enrolment only: it is no MFA challenge.
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.MfaAsync(browser, challenge, "totp", "000000")).StatusCode);

        using var enrol = host.Browser();
        enrol.DefaultRequestHeaders.Add(MfaEndpoints.ChallengeHeader, challenge);
        var start = (await (await enrol.PostAsync("/v1/mfa/totp", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        var uri = new Uri(start["otpauthUri"]!.GetValue<string>());
        Assert.Equal("otpauth", uri.Scheme);
        var secret = Base32Encoding.ToBytes(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(uri.Query)["secret"].ToString());

        var now = DateTimeOffset.UtcNow;
        var badConfirm = await enrol.PostAsJsonAsync("/v1/mfa/totp/confirm", new { code = "12345" });
        Assert.Equal(HttpStatusCode.BadRequest, badConfirm.StatusCode);
        var confirm = await enrol.PostAsJsonAsync("/v1/mfa/totp/confirm", new { code = TotpCodes.Compute(secret, now) });
        Assert.Equal("authenticated", (await confirm.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>());
        var codes = (await (await enrol.PostAsync("/v1/mfa/recovery-codes", null)).Content.ReadFromJsonAsync<RecoveryCodes>())!.Codes;
        Assert.Equal(10, codes.Count);

        // Stored encrypted: the row holds no plain secret.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Identity.AuthDbContext>();
            var row = db.Users.Single(u => u.Email == "admin@example.com");
            Assert.True(row.TotpConfirmed);
            Assert.False(row.TotpSecret!.AsSpan().IndexOf(secret) >= 0);
        }

        var second = await IdentityClient.LoginAsync(browser, "admin@example.com");
        Assert.Equal("mfa_required", second["status"]!.GetValue<string>());
        Assert.Equal(["totp", "recovery"], second["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        var ch2 = second["challenge"]!.GetValue<string>();
        // The code used at enrolment cannot be replayed; the next step's code works.
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.MfaAsync(browser, ch2, "totp", TotpCodes.Compute(secret, now))).StatusCode);
        var ok = await IdentityClient.MfaAsync(browser, ch2, "totp", TotpCodes.Compute(secret, now.AddSeconds(30)));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        // A used challenge is gone.
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.MfaAsync(browser, ch2, "recovery", codes[0])).StatusCode);

        var tokens = await IdentityClient.CodeFlowAsync(host, browser, $"openid {Permissions.UsersManage}");
        var jwt = new JsonWebToken(tokens["access_token"]!.GetValue<string>());
        Assert.Equal(["mfa", "otp", "pwd"], jwt.Claims.Where(c => c.Type == "amr").Select(c => c.Value).Order(StringComparer.Ordinal));

        var third = (await IdentityClient.LoginAsync(browser, "admin@example.com"))["challenge"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await IdentityClient.MfaAsync(browser, third, "recovery", codes[0])).StatusCode);
        var fourth = (await IdentityClient.LoginAsync(browser, "admin@example.com"))["challenge"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityClient.MfaAsync(browser, fourth, "recovery", codes[0])).StatusCode);
    }
}

public sealed class SqliteIdentityFlowTests : IdentityFlowTests;

/// <summary>The same flows on PostgreSQL (a fresh database per test, on the server of <see cref="PostgresFixture"/>).</summary>
public sealed class PostgresIdentityFlowTests(PostgresFixture postgres) : IdentityFlowTests, IClassFixture<PostgresFixture>
{
    protected override async Task<Dictionary<string, string?>> StoreSettingsAsync() => new()
    {
        ["AuthProxy:Store"] = "Postgres",
        ["ConnectionStrings:Identity"] = await postgres.Server.CreateDatabaseAsync("auth"),
    };
}
