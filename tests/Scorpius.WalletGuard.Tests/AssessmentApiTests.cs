using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Scorpius.Contracts;
using Scorpius.Testing.Sidecar;
using Scorpius.WalletGuard.Tests.Support;

namespace Scorpius.WalletGuard.Tests;

/// <summary>POST /v1/assessments against the fake sidecar: the CLI contract plus policy, protection.requested for each, 400s and 503.</summary>
public sealed class AssessmentApiTests : IAsyncLifetime
{
    private WalletGuardHost host = null!;

    public async Task InitializeAsync() => host = await WalletGuardHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    private async Task<JsonNode> AssessAsync(JsonNode body, HttpClient? client = null)
    {
        var response = await (client ?? host.Client).PostAsync("/v1/assessments", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private async Task PutTenantPolicyAsync(object policy)
    {
        var response = await host.Client.PutAsJsonAsync("/v1/policies", policy);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string[] Codes(JsonNode result) => [.. result["findings"]!.AsArray().Select(f => f!["code"]!.GetValue<string>())];

    [Fact]
    public async Task A_policy_changed_here_applies_at_once_and_one_changed_by_another_replica_within_the_read_cache_lifetime()
    {
        await PutTenantPolicyAsync(new { rules = new[] { new { id = "block-all", action = "block", conditions = new { } } } });
        Assert.Equal("block", (await AssessAsync(Requests.Approve("a", Requests.UnknownSpender)))["policy"]!["action"]!.GetValue<string>());

        // Another replica empties the policy: this one keeps its read for the cache lifetime (2 s), then reads again.
        using var dapr = host.Sidecar.CreateClient();
        await dapr.SaveStateAsync(Scorpius.Contracts.DaprNames.StateStore, Scorpius.WalletGuard.Policies.PolicyStore.TenantKey(WalletGuardHost.Tenant),
            new { rules = Array.Empty<object>() });
        Assert.Equal("block", (await AssessAsync(Requests.Approve("b", Requests.UnknownSpender)))["policy"]!["action"]!.GetValue<string>());
        host.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("warn", (await AssessAsync(Requests.Approve("c", Requests.UnknownSpender)))["policy"]!["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_single_request_is_answered_with_the_cli_result_and_a_policy()
    {
        var result = await AssessAsync(Requests.Approve("one", Requests.UnknownSpender));

        var obj = result.AsObject();
        Assert.Equal(["id", "verdict", "score", "findings", "policy"], obj.Select(p => p.Key));
        Assert.Equal("one", result["id"]!.GetValue<string>());
        Assert.Equal("warning", result["verdict"]!.GetValue<string>());
        Assert.Equal(65, result["score"]!.GetValue<int>());
        var finding = Assert.Single(result["findings"]!.AsArray())!;
        Assert.Equal("UNLIMITED_APPROVAL", finding["code"]!.GetValue<string>());
        Assert.Equal("high", finding["severity"]!.GetValue<string>());
        Assert.NotNull(finding["message"]);
        Assert.IsType<JsonObject>(finding["evidence"]);
        Assert.Equal("warn", result["policy"]!["action"]!.GetValue<string>());
        Assert.Null(result["policy"]!["ruleId"]);
    }

    [Fact]
    public async Task A_batch_is_answered_in_order_and_malformed_items_are_errors_without_failing_the_batch()
    {
        var bad = new JsonObject { ["id"] = "bad-from", ["chain"] = "ethereum", ["kind"] = "transaction", ["transaction"] = new JsonObject { ["from"] = "0x12" } };
        var results = (await AssessAsync(new JsonArray(
            Requests.Approve("first", Requests.UnknownSpender), "not an object", bad, Requests.Approve("last", Requests.Permit2)))).AsArray();

        Assert.Equal(4, results.Count);
        Assert.Equal("first", results[0]!["id"]!.GetValue<string>());
        Assert.Equal("error", results[1]!["verdict"]!.GetValue<string>());
        Assert.Equal("a request must be a JSON object", results[1]!["error"]!.GetValue<string>());
        Assert.Equal("bad-from", results[2]!["id"]!.GetValue<string>());
        Assert.Equal("error", results[2]!["verdict"]!.GetValue<string>());
        Assert.Contains("transaction.from", results[2]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(results[2]!["findings"]!.AsArray());
        Assert.Equal("block", results[2]!["policy"]!["action"]!.GetValue<string>()); // what could not be read never passes
        Assert.Equal("last", results[3]!["id"]!.GetValue<string>());
        Assert.Equal("benign", results[3]!["verdict"]!.GetValue<string>());
        Assert.Equal("allow", results[3]!["policy"]!["action"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{not json", "The body is not JSON")]
    [InlineData("\"a string\"", "The body is not a request")]
    [InlineData("42", "The body is not a request")]
    [InlineData("", "The body is not JSON")]
    public async Task A_body_that_is_not_a_request_or_batch_is_a_400_problem(string body, string title)
    {
        var response = await host.Client.PostAsync("/v1/assessments", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(title, (await response.Content.ReadFromJsonAsync<JsonObject>())!["title"]!.GetValue<string>());
        Assert.Empty(host.Published());
    }

    [Fact]
    public async Task A_batch_of_more_than_a_thousand_is_a_400_problem()
    {
        var batch = new JsonArray([.. Enumerable.Range(0, 1001).Select(i => (JsonNode)Requests.NativeTransfer($"t{i}", Requests.Friend, "1"))]);
        var response = await host.Client.PostAsync("/v1/assessments", new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 1000", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_assessment_publishes_protection_requested_with_its_verdict_and_wallet()
    {
        var wallet = await host.CreateWalletAsync("ethereum", Requests.Wallet, 1);
        var noId = Requests.Approve("x", Requests.UnknownSpender, from: "0x1111111111111111111111111111111111111111");
        noId.Remove("id");
        var results = (await AssessAsync(new JsonArray(Requests.Approve("mine", Requests.UnknownSpender), noId, "junk"))).AsArray();

        var published = host.Sidecar.PubSub.Published.Where(m => m.Topic == DaprNames.Topics.ProtectionRequested).ToArray();
        Assert.Equal(3, published.Length);
        Assert.All(published, m => Assert.Equal(ProtectionRequested.CloudEventType, m.Type));
        Assert.All(published, m => Assert.Equal(DaprNames.PubSub, m.PubSub));
        var events = host.Published().ToDictionary(e => e.AssessmentId);

        var mine = events["mine"];
        Assert.Equal(WalletGuardHost.Tenant, mine.TenantId);
        Assert.Equal(ProtectionRequested.FromApi, mine.Source);
        Assert.Equal(wallet.Id, mine.WalletId);
        Assert.Equal(new WalletRef("ethereum", Requests.Wallet, 1), mine.Wallet);
        Assert.Equal("mine", mine.Request.GetProperty("id").GetString());
        Assert.Equal(Verdict.Warning, mine.Verdict!.Verdict);
        Assert.Equal(PolicyAction.Warn, mine.Verdict.Action);
        Assert.Equal("UNLIMITED_APPROVAL", Assert.Single(mine.Verdict.Findings).Code);

        var generated = results[1]!["id"]!.GetValue<string>();
        Assert.StartsWith("asm_", generated, StringComparison.Ordinal);
        Assert.Null(events[generated].WalletId);

        var junk = events[results[2]!["id"]!.GetValue<string>()];
        Assert.Equal(Verdict.Error, junk.Verdict!.Verdict);
        Assert.Equal(PolicyAction.Block, junk.Verdict.Action);
        Assert.Equal("junk", junk.Request.GetProperty("unparsed").GetString());
    }

    [Fact]
    public async Task When_publishing_fails_the_call_is_a_503_problem()
    {
        await using var noBroker = await WalletGuardHost.StartAsync(new FakeSidecarOptions { PubSubs = [] });
        var response = await noBroker.Client.PostAsync("/v1/assessments",
            new StringContent(Requests.Approve("a", Requests.UnknownSpender).ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("could not be recorded", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_require_approval_rule_on_approvals_to_unknown_spenders_shows_up_in_the_result()
    {
        await PutTenantPolicyAsync(new
        {
            rules = new object[]
            {
                new { id = "approvals-to-unknown-spenders", action = "require-approval",
                    conditions = new { methodKinds = new[] { "approve", "permit", "setApprovalForAll" }, counterpartyNotIn = new[] { Requests.Permit2 } } },
            },
        });
        var results = (await AssessAsync(new JsonArray(Requests.Approve("unknown", Requests.UnknownSpender), Requests.Approve("permit2", Requests.Permit2)))).AsArray();

        var held = results[0]!;
        Assert.Equal("require-approval", held["policy"]!["action"]!.GetValue<string>());
        Assert.Equal("approvals-to-unknown-spenders", held["policy"]!["ruleId"]!.GetValue<string>());
        Assert.Equal("warning", held["verdict"]!.GetValue<string>());
        Assert.Contains("POLICY_REQUIRE_APPROVAL", Codes(held));
        var finding = held["findings"]!.AsArray().Single(f => f!["code"]!.GetValue<string>() == "POLICY_REQUIRE_APPROVAL")!;
        Assert.Contains("approvals-to-unknown-spenders", finding["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(68, held["score"]!.GetValue<int>()); // high 65 + 3 for the second finding above info

        Assert.Equal("allow", results[1]!["policy"]!["action"]!.GetValue<string>());
        Assert.Null(results[1]!["policy"]!["ruleId"]);
        Assert.DoesNotContain("POLICY_REQUIRE_APPROVAL", Codes(results[1]!));
        Assert.Equal(PolicyAction.RequireApproval, host.Published().Single(e => e.AssessmentId == "unknown").Verdict!.Action);
    }

    [Fact]
    public async Task A_velocity_rule_triggers_on_the_fourth_transaction_in_the_hour_and_not_after_the_window()
    {
        var wallet = await host.CreateWalletAsync("ethereum", Requests.Wallet, 1);
        var put = await host.Client.PutAsJsonAsync($"/v1/wallets/{wallet.Id}/policy", new
        {
            rules = new object[] { new { id = "three-per-hour", action = "block", conditions = new { velocity = new { maxCount = 3, window = "PT1H" } } } },
        });
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());

        var results = new List<JsonNode>();
        for (var i = 1; i <= 4; i++)
        {
            results.Add(await AssessAsync(Requests.NativeTransfer($"tx{i}", Requests.Friend, "1000")));
            host.Clock.Advance(TimeSpan.FromMinutes(5));
        }
        Assert.All(results.Take(3), r => Assert.Equal("allow", r["policy"]!["action"]!.GetValue<string>()));
        var fourth = results[3];
        Assert.Equal("block", fourth["policy"]!["action"]!.GetValue<string>());
        Assert.Equal("three-per-hour", fourth["policy"]!["ruleId"]!.GetValue<string>());
        Assert.Equal("malicious", fourth["verdict"]!.GetValue<string>());
        Assert.Contains("POLICY_BLOCK", Codes(fourth));

        host.Clock.Advance(TimeSpan.FromMinutes(61));
        var later = await AssessAsync(Requests.NativeTransfer("tx5", Requests.Friend, "1000"));
        Assert.Equal("allow", later["policy"]!["action"]!.GetValue<string>());

        var activity = await host.Actors.Actor($"{WalletGuardHost.Tenant}:{wallet.Id}").GetActivityAsync();
        Assert.Equal(5, activity.Decisions.Count);
        Assert.Equal(4, activity.Buckets.Sum(b => b.Count));
    }

    [Fact]
    public async Task The_protected_wallets_known_counterparties_feed_address_poisoning_detection()
    {
        await host.CreateWalletAsync("ethereum", Requests.Wallet, 1);
        var friend = await AssessAsync(Requests.TokenTransfer("to-friend", Requests.Friend));
        Assert.Equal("allow", friend["policy"]!["action"]!.GetValue<string>());

        var lookAlike = await AssessAsync(Requests.TokenTransfer("to-lookalike", Requests.LookAlike));
        Assert.Contains("ADDRESS_POISONING", Codes(lookAlike));
        Assert.Equal("malicious", lookAlike["verdict"]!.GetValue<string>());
        Assert.Equal("block", lookAlike["policy"]!["action"]!.GetValue<string>());

        // The same request from a wallet the tenant does not protect has no history to compare with.
        var unprotected = await AssessAsync(Requests.TokenTransfer("stranger", Requests.LookAlike, from: "0x1111111111111111111111111111111111111111"));
        Assert.DoesNotContain("ADDRESS_POISONING", Codes(unprotected));
    }

    [Fact]
    public async Task An_explicit_wallet_id_of_another_tenant_is_an_error_item()
    {
        var wallet = await host.CreateWalletAsync("ethereum", Requests.Wallet, 1);
        var request = Requests.Approve("named", Requests.UnknownSpender);
        request["walletId"] = wallet.Id;
        var own = await AssessAsync(request);
        Assert.Equal("warning", own["verdict"]!.GetValue<string>());
        Assert.Equal(wallet.Id, host.Published().Single(e => e.AssessmentId == "named").WalletId);

        var foreign = await AssessAsync(request, host.ClientFor(WalletGuardHost.OtherTenant));
        Assert.Equal("error", foreign["verdict"]!.GetValue<string>());
        Assert.Contains("not a protected wallet", foreign["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assessing_needs_the_assessments_write_scope()
    {
        var response = await host.ClientFor(WalletGuardHost.Tenant, Permissions.WalletsRead)
            .PostAsync("/v1/assessments", new StringContent(Requests.Approve("a", Requests.UnknownSpender).ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
