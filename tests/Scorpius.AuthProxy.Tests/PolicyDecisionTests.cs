using System.Text.Json.Nodes;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Scorpius.AuthProxy.Identity;
using Scorpius.AuthProxy.Policy;
using Scorpius.Contracts;

namespace Scorpius.AuthProxy.Tests;

public sealed class PolicyDecisionTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);
    private static readonly DateTimeOffset Noon = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Night = new(2026, 3, 2, 23, 30, 0, TimeSpan.Zero);

    /// <summary>name, subject scopes, clearance, action, resource tenant, classification, owner, time, network, risk → decision, rule.</summary>
    public static IEnumerable<object?[]> Cases => new List<object?[]>
    {
        new object?[] { "scope permits a read", "wallets:read", null, "wallets:read", "t1", null, null, Noon, null, null, Decision.Permit, "scope-grant" },
        new object?[] { "scope permits a write", "wallets:write", null, "wallets:write", "t1", "internal", null, Noon, "internet", "low", Decision.Permit, "scope-grant" },
        new object?[] { "no scope, no grant", "wallets:read", null, "wallets:write", "t1", null, null, Noon, null, null, Decision.Deny, "default-deny" },
        new object?[] { "nothing at all", "", null, "ledger:read", "t1", null, null, Noon, null, null, Decision.Deny, "default-deny" },
        new object?[] { "another tenant even with the scope", "wallets:read", "restricted", "wallets:read", "t2", "public", null, Noon, "internal", "low", Decision.Deny, "tenant-isolation" },
        new object?[] { "owner may read without the scope", "", null, "wallets:read", "t1", null, "alice", Noon, null, null, Decision.Permit, "owner-read" },
        new object?[] { "owner may not write without the scope", "", null, "wallets:write", "t1", null, "alice", Noon, null, null, Decision.Deny, "default-deny" },
        new object?[] { "critical risk locks writes", "wallets:write", null, "wallets:write", "t1", null, null, Noon, "internal", "critical", Decision.Deny, "risk-lockdown" },
        new object?[] { "critical risk still allows reads", "wallets:read", null, "wallets:read", "t1", null, null, Noon, "internal", "critical", Decision.Permit, "scope-grant" },
        new object?[] { "unknown risk level counts as critical", "wallets:write", null, "wallets:write", "t1", null, null, Noon, null, "whatever", Decision.Deny, "risk-lockdown" },
        new object?[] { "high risk is below lockdown", "wallets:write", null, "wallets:write", "t1", null, null, Noon, null, "high", Decision.Permit, "scope-grant" },
        new object?[] { "confidential above internal clearance", "ledger:read", "internal", "ledger:read", "t1", "confidential", null, Noon, "internal", null, Decision.Deny, "clearance" },
        new object?[] { "confidential with confidential clearance", "ledger:read", "confidential", "ledger:read", "t1", "confidential", null, Noon, "internet", null, Decision.Permit, "scope-grant" },
        new object?[] { "unknown classification counts as restricted", "ledger:read", "confidential", "ledger:read", "t1", "top-secret", null, Noon, "internal", null, Decision.Deny, "clearance" },
        new object?[] { "restricted from the internet", "ledger:read", "restricted", "ledger:read", "t1", "restricted", null, Noon, "internet", null, Decision.Deny, "restricted-network" },
        new object?[] { "restricted from no stated network", "ledger:read", "restricted", "ledger:read", "t1", "restricted", null, Noon, null, null, Decision.Deny, "restricted-network" },
        new object?[] { "restricted from inside", "ledger:read", "restricted", "ledger:read", "t1", "restricted", null, Noon, "internal", null, Decision.Permit, "scope-grant" },
        new object?[] { "restricted write at night", "policies:write", "restricted", "policies:write", "t1", "restricted", null, Night, "internal", "low", Decision.Deny, "after-hours-write" },
        new object?[] { "restricted read at night", "ledger:read", "restricted", "ledger:read", "t1", "restricted", null, Night, "internal", "low", Decision.Permit, "scope-grant" },
        new object?[] { "restricted write by day", "policies:write", "restricted", "policies:write", "t1", "restricted", null, Noon, "internal", "low", Decision.Permit, "scope-grant" },
        new object?[] { "a scope for another action does not count", "wallets:read ledger:read", null, "users:manage", "t1", "public", null, Noon, "internal", "low", Decision.Deny, "default-deny" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Abac_table(string name, string scopes, string? clearance, string action, string resourceTenant, string? classification,
        string? owner, DateTimeOffset time, string? network, string? risk, Decision expected, string rule)
    {
        var request = Request(scopes, clearance, action, resourceTenant, classification, owner, time, network, risk);
        var rulePicked = PolicyDecisionPoint.Evaluate(request, time, PolicySettings.Default);
        Assert.True(rule == rulePicked, $"{name}: expected rule {rule}, got {rulePicked}");
        using var pdp = new PolicyDecisionPoint(Microsoft.Extensions.Options.Options.Create(new AuthProxyOptions()), TimeProvider.System);
        Assert.Equal(expected, pdp.Decide(request).Decision);
    }

    [Fact]
    public async Task Decisions_over_http_are_cached_audited_and_the_cache_drops_when_the_policy_changes()
    {
        await using var host = await AuthProxyHost.StartAsync();
        using var caller = host.Authorized(await host.TokenAsync(AuthProxyHost.ReaderA));
        var request = Request("ledger:read", "restricted", "ledger:read", "t1", "restricted", null, Noon, "vpn", "low");

        var first = await Authorize(caller, request);
        Assert.Equal((Decision.Deny, "restricted-network", false), (first.Decision, first.Rule, first.Cached));
        var second = await Authorize(caller, request);
        Assert.Equal((Decision.Deny, "restricted-network", true), (second.Decision, second.Rule, second.Cached));

        // The reader may not change the platform's policy, nor may a customer tenant's admin; the platform operator may,
        // and the next decision is made afresh under it.
        var trustVpn = PolicySettings.Default with { TrustedNetworks = ["internal", "vpn"] };
        Assert.Equal(HttpStatusCode.Forbidden, (await caller.PutAsJsonAsync("/v1/policies", trustVpn, Web)).StatusCode);
        using var tenantAdmin = host.Authorized(await host.TokenAsync(AuthProxyHost.AdminA));
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantAdmin.PutAsJsonAsync("/v1/policies", trustVpn, Web)).StatusCode);
        using var admin = host.Authorized(await host.TokenAsync(AuthProxyHost.Operator));
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/v1/policies", trustVpn, Web)).StatusCode);

        var third = await Authorize(caller, request);
        Assert.Equal((Decision.Permit, "scope-grant", false), (third.Decision, third.Rule, third.Cached));
        Assert.Equal(first.PolicyVersion + 1, third.PolicyVersion);

        var audit = host.Sidecar.PubSub.Published.Where(m => m.PubSub == DaprNames.PubSub && m.Topic == DaprNames.Topics.Audit)
            .Select(m => (Type: m.Type, Event: m.DataAs<AuditEvent>()!)).ToArray();
        var decisions = audit.Where(a => a.Event.Action == "authorize:ledger:read").Select(a => a.Event).ToArray();
        Assert.Equal(["deny", "deny", "permit"], decisions.Select(d => d.Outcome));
        Assert.Equal(["restricted-network", "restricted-network", "scope-grant"], decisions.Select(d => d.Reason));
        Assert.All(decisions, d =>
        {
            Assert.Equal("alice", d.Actor);
            Assert.Equal("t1", d.TenantId);
            Assert.Equal("ledger/entry-1", d.Resource);
            Assert.Equal(AuthProxyHost.ReaderA, d.Details["caller"]);
        });
        Assert.Equal(["false", "true", "false"], decisions.Select(d => d.Details["cached"]));
        Assert.Contains(audit, a => a.Event.Action == "policy.replace" && a.Event.Actor == AuthProxyHost.Operator);
    }

    [Fact]
    public async Task A_policy_change_is_stored_so_a_restarted_or_other_replica_decides_with_it()
    {
        var folder = Directory.CreateTempSubdirectory("scorpius-policy-").FullName;
        var database = new Dictionary<string, string?> { ["ConnectionStrings:Identity"] = $"Data Source={Path.Combine(folder, "identity.db")}" };
        var trustVpn = PolicySettings.Default with { TrustedNetworks = ["internal", "vpn"] };
        long version;
        try
        {
            await using (var first = await AuthProxyHost.StartAsync(extra: database))
            {
                using var admin = first.Authorized(await first.TokenAsync(AuthProxyHost.Operator));
                var put = await admin.PutAsJsonAsync("/v1/policies", trustVpn, Web);
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
                version = (await put.Content.ReadFromJsonAsync<JsonObject>())!["version"]!.GetValue<long>();
            }

            await using var second = await AuthProxyHost.StartAsync(extra: database);
            using var caller = second.Authorized(await second.TokenAsync(AuthProxyHost.ReaderA));
            var decision = await Authorize(caller, Request("ledger:read", "restricted", "ledger:read", "t1", "restricted", null, Noon, "vpn", "low"));
            Assert.Equal((Decision.Permit, "scope-grant", version), (decision.Decision, decision.Rule, decision.PolicyVersion));
            var stored = (await caller.GetFromJsonAsync<JsonObject>("/v1/policies"))!;
            Assert.Equal(["internal", "vpn"], stored["settings"]!["trustedNetworks"]!.AsArray().Select(n => n!.GetValue<string>()));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_cached_decision_expires_after_its_lifetime()
    {
        await using var host = await AuthProxyHost.StartAsync(extra: new Dictionary<string, string?> { ["AuthProxy:DecisionCacheLifetime"] = "00:00:00.300" });
        var pdp = host.Services.GetRequiredService<PolicyDecisionPoint>();
        var request = Request("wallets:read", null, "wallets:read", "t1", null, null, Noon, null, null);
        Assert.False(pdp.Decide(request).Cached);
        Assert.True(pdp.Decide(request).Cached);
        await Task.Delay(600);
        Assert.False(pdp.Decide(request).Cached);
    }

    [Fact]
    public async Task Authorize_needs_a_token_and_denies_when_the_audit_event_cannot_be_published()
    {
        await using var host = await AuthProxyHost.StartAsync();
        var request = Request("wallets:read", null, "wallets:read", "t1", null, null, Noon, null, null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.PostAsJsonAsync("/v1/authorize", request, Web)).StatusCode);

        using var caller = host.Authorized(await host.TokenAsync(AuthProxyHost.ReaderA));
        Assert.Equal(Decision.Permit, (await Authorize(caller, request)).Decision);
        await host.Sidecar.DisposeAsync();
        var blind = await Authorize(caller, request);
        Assert.Equal((Decision.Deny, "audit-unavailable"), (blind.Decision, blind.Rule));
    }

    private static AuthorizeRequest Request(string scopes, string? clearance, string action, string resourceTenant, string? classification,
        string? owner, DateTimeOffset time, string? network, string? risk) =>
        new(new SubjectAttributes("alice", "t1", scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), "treasury", clearance),
            action, new ResourceAttributes(action.Split(':')[0], "entry-1", resourceTenant, classification, owner),
            new EnvironmentAttributes(time, network, risk));

    private static async Task<AuthorizeResponse> Authorize(HttpClient client, AuthorizeRequest request)
    {
        var response = await client.PostAsJsonAsync("/v1/authorize", request, Web);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AuthorizeResponse>(Web))!;
    }
}
