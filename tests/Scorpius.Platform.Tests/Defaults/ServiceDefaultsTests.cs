using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Scorpius.Contracts;
using Scorpius.Platform.Tests.Smoke;
using Scorpius.ServiceDefaults;
using Scorpius.Testing;
using Scorpius.Testing.Fixtures;
using Scorpius.Testing.Sidecar;

namespace Scorpius.Platform.Tests.Defaults;

/// <summary>Behaviour every app inherits from Scorpius.ServiceDefaults, beyond the smoke tests.</summary>
public sealed class ServiceDefaultsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task An_unhandled_exception_becomes_problem_details_without_internals()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.WebHost.UseSetting("DAPR_HTTP_ENDPOINT", ScorpiusAppFactory<object>.NoSidecar);
        builder.WebHost.UseSetting("Serilog:MinimumLevel:Default", "Fatal");
        builder.AddServiceDefaults(ScorpiusApps.WalletGuard);
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/boom", string () => throw new InvalidOperationException("secret internal detail")).AllowAnonymous();
        await app.StartAsync();

        var response = await app.GetTestClient().GetAsync("/boom");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret internal detail", body, StringComparison.Ordinal);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal(500, problem["status"]!.GetValue<int>());
        Assert.Matches("^[0-9a-f]{32}$", problem["traceId"]!.GetValue<string>());
        Assert.Equal("/boom", problem["instance"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_app_with_a_database_is_ready_only_while_the_database_answers()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("ready");
        await using var sidecar = await FakeDaprSidecar.StartAsync();

        await using (var app = AppUnderTest.Start(ScorpiusApps.AuditTrailId, sidecar, new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = connectionString }))
        {
            Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/health/ready")).StatusCode);
            var deep = await app.Client.GetFromJsonAsync<JsonObject>("/health/deep");
            var pg = SmokeTests.DeepDependency(deep, "postgres");
            Assert.Equal("Healthy", pg["status"]!.GetValue<string>());
            Assert.Contains("PostgreSQL", pg["description"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var unreachable = "Host=127.0.0.1;Port=9;Username=scorpius;Database=none;Timeout=2";
        await using (var app = AppUnderTest.Start(ScorpiusApps.AuditTrailId, sidecar, new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = unreachable }))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await app.Client.GetAsync("/health/ready")).StatusCode);
            var deep = await (await app.Client.GetAsync("/health/deep")).Content.ReadFromJsonAsync<JsonObject>();
            Assert.Equal("Unhealthy", SmokeTests.DeepDependency(deep, "postgres")["status"]!.GetValue<string>());
            Assert.Equal("Healthy", SmokeTests.DeepDependency(deep, "dapr-sidecar")["status"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task The_dapr_client_of_an_app_carries_the_configured_token_to_the_sidecar()
    {
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        var wrongToken = new Dictionary<string, string?> { ["DAPR_API_TOKEN"] = "not-the-token" };
        await using var app = AppUnderTest.Start(ScorpiusApps.WalletGuardId, sidecar, wrongToken);
        var dapr = (Dapr.Client.DaprClient)app.Services.GetService(typeof(Dapr.Client.DaprClient))!;

        var rejected = await Assert.ThrowsAsync<Dapr.DaprException>(() => dapr.GetStateAsync<string>(DaprNames.StateStore, "k"));
        Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, Assert.IsType<Grpc.Core.RpcException>(rejected.InnerException).StatusCode);

        await using var good = AppUnderTest.Start(ScorpiusApps.WalletGuardId, sidecar);
        var client = (Dapr.Client.DaprClient)good.Services.GetService(typeof(Dapr.Client.DaprClient))!;
        await client.SaveStateAsync(DaprNames.StateStore, "k", "v");
        Assert.Equal("v", await client.GetStateAsync<string>(DaprNames.StateStore, "k"));
    }
}
