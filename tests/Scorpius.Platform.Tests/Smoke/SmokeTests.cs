using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scorpius.Contracts;
using Scorpius.Testing.Sidecar;

namespace Scorpius.Platform.Tests.Smoke;

/// <summary>Every app starts, answers its health endpoints as the architecture document says, and shares the defaults.</summary>
public sealed class SmokeTests
{
    [Fact]
    public void Every_app_id_has_a_test_host() =>
        Assert.All(ScorpiusApps.All, app => Assert.Null(Record.Exception(() => AppUnderTest.AllAppIds.Single(o => (string)o[0] == app.AppId))));

    [Theory]
    [MemberData(nameof(AppUnderTest.AllAppIds), MemberType = typeof(AppUnderTest))]
    public async Task Without_a_sidecar_the_app_is_live_but_not_ready(string appId)
    {
        await using var app = AppUnderTest.Start(appId);

        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/health/live")).StatusCode);
        var ready = await app.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);

        var deep = await app.Client.GetAsync("/health/deep");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, deep.StatusCode);
        var sidecar = DeepDependency(await deep.Content.ReadFromJsonAsync<JsonObject>(), "dapr-sidecar");
        Assert.Equal("Unhealthy", sidecar["status"]!.GetValue<string>());
        Assert.StartsWith("Dapr sidecar", sidecar["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AppUnderTest.AllAppIds), MemberType = typeof(AppUnderTest))]
    public async Task Against_the_fake_sidecar_the_app_is_ready_and_deep_health_lists_its_dependencies(string appId)
    {
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        await using var app = AppUnderTest.Start(appId, sidecar);

        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/health/ready")).StatusCode);

        var deep = await app.Client.GetFromJsonAsync<JsonObject>("/health/deep");
        Assert.Equal(appId, deep!["app"]!.GetValue<string>());
        Assert.Equal("Healthy", deep["status"]!.GetValue<string>());
        var dependency = DeepDependency(deep, "dapr-sidecar");
        Assert.Equal("Healthy", dependency["status"]!.GetValue<string>());
        Assert.True(dependency["latencyMs"]!.GetValue<double>() >= 0);
        var process = deep["process"]!.AsObject();
        Assert.True(process["workingSetBytes"]!.GetValue<long>() > 0);
        Assert.True(process["cpuTimeSeconds"]!.GetValue<double>() > 0);
        Assert.InRange(process["cpuPercent"]!.GetValue<double>(), 0, 100);
    }

    [Theory]
    [MemberData(nameof(AppUnderTest.AllAppIds), MemberType = typeof(AppUnderTest))]
    public async Task Every_app_serves_openapi_metrics_subscriptions_and_problem_details(string appId)
    {
        await using var app = AppUnderTest.Start(appId);

        var openApi = await app.Client.GetFromJsonAsync<JsonObject>("/openapi/v1.json");
        Assert.StartsWith("3.", openApi!["openapi"]!.GetValue<string>(), StringComparison.Ordinal);

        await app.Client.GetAsync("/health/live");
        var metrics = await app.Client.GetStringAsync("/metrics");
        Assert.Contains("http_requests_received_total", metrics, StringComparison.Ordinal);
        Assert.Contains("process_cpu_seconds_total", metrics, StringComparison.Ordinal);

        var subscribe = await app.Client.GetAsync("/dapr/subscribe");
        Assert.Equal(HttpStatusCode.OK, subscribe.StatusCode);
        Assert.NotNull((await subscribe.Content.ReadFromJsonAsync<JsonNode>())?.AsArray());

        // Without a credential every route, even one that does not exist, is a 401 problem: anonymous callers learn nothing
        // of the API's shape beyond its published document. (With a valid credential an unknown route is a 404.)
        var missing = await app.Client.GetAsync("/no/such/route");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        var problem = await missing.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(401, problem!["status"]!.GetValue<int>());
        Assert.Equal(appId, problem["app"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(problem["traceId"]?.GetValue<string>()));
    }

    internal static JsonObject DeepDependency(JsonObject? deep, string name) =>
        deep!["dependencies"]!.AsArray().Select(d => d!.AsObject()).Single(d => d["name"]!.GetValue<string>() == name);
}
