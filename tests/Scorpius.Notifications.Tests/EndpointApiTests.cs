using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Scorpius.Contracts;
using Scorpius.Notifications.Delivery;
using Scorpius.Notifications.Endpoints;
using Scorpius.Notifications.Tests.Support;
using System.Text.Json;
using Dapr.Workflow;
using Scorpius.Notifications.Signing;
using Scorpius.Testing.Sidecar;
using DeliveryStatus = Scorpius.Notifications.Delivery.DeliveryStatus;
using SidecarAnswer = Scorpius.Testing.Sidecar.DeliveryStatus;

namespace Scorpius.Notifications.Tests;

/// <summary>The endpoint and message REST API against the fake sidecar: secrets shown once and stored encrypted, validation, SSRF, tenants, replay.</summary>
public sealed class EndpointApiTests : IAsyncLifetime
{
    private NotificationsHost host = null!;
    private string Base => $"/v1/tenants/{NotificationsHost.Tenant}/endpoints";

    public async Task InitializeAsync() =>
        host = await NotificationsHost.StartAsync(workflows: true,
            settings: new Dictionary<string, string?> { ["Notifications:MaxEndpointsPerTenant"] = "3" });

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_created_webhook_shows_its_secret_once_and_stores_it_only_encrypted()
    {
        var response = await host.Client.PostAsJsonAsync(Base, new { url = "https://127.0.0.1:8443/hook", eventTypes = new[] { "alert.raised" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<EndpointCreated>(NotificationsHost.Json))!;
        Assert.Equal($"{Base}/{created.Endpoint.Id}", response.Headers.Location?.ToString());
        var secret = created.SigningSecret!;
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", secret);

        var read = await host.Client.GetStringAsync($"{Base}/{created.Endpoint.Id}");
        var list = await host.Client.GetStringAsync(Base);
        var stored = host.Sidecar.StateStore(DaprNames.StateStore).GetString(EndpointStore.Key(NotificationsHost.Tenant))!;
        Assert.DoesNotContain(secret["whsec_".Length..], read + list + stored, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", read + list + stored, StringComparison.Ordinal);

        var key = Assert.Single((await host.Services.GetRequiredService<EndpointStore>().GetAsync(NotificationsHost.Tenant, created.Endpoint.Id, default))!.Keys);
        Assert.Equal(SigningKeyKind.Hmac, key.Kind);
        var protector = host.Services.GetRequiredService<SecretProtector>();
        var context = $"{NotificationsHost.Tenant}/{created.Endpoint.Id}/{key.Id}";
        Assert.Equal(secret, await protector.UnprotectAsync(key.Protected, context, default));
        Assert.Equal(1, host.Sidecar.Calls.Count(c => c.Method == "GetSecret")); // the key is read from the secret store once
    }

    [Theory]
    [InlineData("ftp://example.com/", "url")]
    [InlineData("https://user:pw@example.com/", "url")]
    [InlineData("mailto:not an address", "url")]
    [InlineData("sms:0791234567", "url")]
    public async Task Invalid_urls_are_a_validation_problem(string url, string field)
    {
        var response = await host.Client.PostAsJsonAsync(Base, new { url, eventTypes = new[] { "alert.raised" } });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Unknown_event_types_tenant_ids_and_formats_are_validation_problems()
    {
        await AssertProblemAsync(await host.Client.PostAsJsonAsync(Base, new { url = "https://127.0.0.1/h", eventTypes = new[] { "audit" } }),
            HttpStatusCode.BadRequest, "eventTypes");
        await AssertProblemAsync(await host.Client.PostAsJsonAsync(Base, new { url = "https://127.0.0.1/h", eventTypes = Array.Empty<string>() }),
            HttpStatusCode.BadRequest, "eventTypes");
        // Even a principal whose token names a malformed tenant gets a validation problem, not a stored endpoint.
        var oddTenant = host.ClientWith(host.Identity.Token("bad||tenant", Permissions.WebhooksManage));
        await AssertProblemAsync(await oddTenant.PostAsJsonAsync("/v1/tenants/bad%7C%7Ctenant/endpoints", new { url = "https://127.0.0.1/h", eventTypes = new[] { "alert.raised" } }),
            HttpStatusCode.BadRequest, "tenantId");
        await AssertProblemAsync(await host.Client.PostAsJsonAsync(Base, new { url = "mailto:a@example.com", eventTypes = new[] { "alert.raised" }, format = "slack" }),
            HttpStatusCode.BadRequest, "format");
    }

    [Theory]
    [InlineData("https://10.0.0.1/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://[fd00:ec2::254]/")]
    public async Task A_url_inside_is_refused_with_422(string url)
    {
        var response = await host.Client.PostAsJsonAsync(Base, new { url, eventTypes = new[] { "alert.raised" } });

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, null);
        Assert.Equal("URL refused", (string)problem["title"]!);
        Assert.Contains("inside", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task E_mail_and_SMS_endpoints_have_no_signing_secret()
    {
        var email = await host.CreateEndpointAsync("mailto:secops@example.com");
        var sms = await host.CreateEndpointAsync("sms:+41791234567");

        Assert.Equal((Channel.Email, null, 0), (email.Endpoint.Channel, email.SigningSecret, email.Endpoint.SigningKeys.Count));
        Assert.Equal((Channel.Sms, null, 0), (sms.Endpoint.Channel, sms.SigningSecret, sms.Endpoint.SigningKeys.Count));
        var rotate = await host.Client.PostAsync($"{Base}/{email.Endpoint.Id}/secret/rotate", null);
        await AssertProblemAsync(rotate, HttpStatusCode.Conflict, null);
    }

    [Fact]
    public async Task Endpoints_are_per_tenant_and_the_tenant_limit_holds()
    {
        var mine = await host.CreateEndpointAsync("https://127.0.0.1/a");

        // Naming another tenant in the route is refused outright; tenant B's own principal does not find A's endpoint.
        await AssertProblemAsync(await host.Client.GetAsync($"/v1/tenants/tenant-b/endpoints/{mine.Endpoint.Id}"), HttpStatusCode.Forbidden, null);
        await AssertProblemAsync(await host.Client.DeleteAsync($"/v1/tenants/tenant-b/endpoints/{mine.Endpoint.Id}"), HttpStatusCode.Forbidden, null);
        await AssertProblemAsync(await host.Client.GetAsync("/v1/tenants/tenant-b/endpoints"), HttpStatusCode.Forbidden, null);
        var tenantB = host.ClientWith(host.Identity.Token("tenant-b", Permissions.WebhooksManage));
        await AssertProblemAsync(await tenantB.GetAsync($"/v1/tenants/tenant-b/endpoints/{mine.Endpoint.Id}"), HttpStatusCode.NotFound, null);
        await AssertProblemAsync(await tenantB.DeleteAsync($"/v1/tenants/tenant-b/endpoints/{mine.Endpoint.Id}"), HttpStatusCode.NotFound, null);
        Assert.Empty((await tenantB.GetFromJsonAsync<JsonArray>("/v1/tenants/tenant-b/endpoints"))!);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync($"{Base}/{mine.Endpoint.Id}")).StatusCode);

        await host.CreateEndpointAsync("https://127.0.0.1/b");
        await host.CreateEndpointAsync("https://127.0.0.1/c");
        var fourth = await host.Client.PostAsJsonAsync(Base, new { url = "https://127.0.0.1/d", eventTypes = new[] { "alert.raised" } });
        await AssertProblemAsync(fourth, HttpStatusCode.Conflict, null);
        Assert.Equal(3, (await host.Client.GetFromJsonAsync<JsonArray>(Base))!.Count);
    }

    [Fact]
    public async Task Update_re_enabling_clears_the_disabled_state_and_delete_removes_the_endpoint()
    {
        var created = await host.CreateEndpointAsync("https://127.0.0.1/a");
        await host.Services.GetRequiredService<EndpointStore>().UpdateOneAsync(NotificationsHost.Tenant, created.Endpoint.Id,
            e => e with { Enabled = false, DisabledReason = "410 Gone", ExhaustedRun = 4 }, default);

        var response = await host.Client.PutAsJsonAsync($"{Base}/{created.Endpoint.Id}",
            new { url = "https://127.0.0.1/moved", eventTypes = new[] { "alert.raised", "assessment.completed" }, format = "discord", enabled = true });
        var updated = (await response.Content.ReadFromJsonAsync<EndpointResponse>(NotificationsHost.Json))!;
        Assert.Equal(("https://127.0.0.1/moved", PayloadFormat.Discord, true, (string?)null), (updated.Url, updated.Format, updated.Enabled, updated.DisabledReason));
        Assert.Equal(["alert.raised", "assessment.completed"], updated.EventTypes);
        Assert.Equal(0, (await host.Services.GetRequiredService<EndpointStore>().GetAsync(NotificationsHost.Tenant, created.Endpoint.Id, default))!.ExhaustedRun);

        var toEmail = await host.Client.PutAsJsonAsync($"{Base}/{created.Endpoint.Id}", new { url = "mailto:a@example.com", eventTypes = new[] { "alert.raised" } });
        await AssertProblemAsync(toEmail, HttpStatusCode.BadRequest, "url");

        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"{Base}/{created.Endpoint.Id}")).StatusCode);
        await AssertProblemAsync(await host.Client.GetAsync($"{Base}/{created.Endpoint.Id}"), HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task Rotation_returns_a_new_secret_and_the_old_key_expires_after_the_overlap()
    {
        var created = await host.CreateEndpointAsync("https://127.0.0.1/a");

        var rotated = await (await host.Client.PostAsync($"{Base}/{created.Endpoint.Id}/secret/rotate", null)).Content.ReadFromJsonAsync<KeyRotated>(NotificationsHost.Json);
        var ed25519 = await (await host.Client.PostAsync($"{Base}/{created.Endpoint.Id}/ed25519", null)).Content.ReadFromJsonAsync<KeyRotated>(NotificationsHost.Json);

        Assert.NotEqual(created.SigningSecret, rotated!.SigningSecret);
        Assert.StartsWith("whsec_", rotated.SigningSecret, StringComparison.Ordinal);
        Assert.Null(ed25519!.SigningSecret);
        Assert.StartsWith("whpk_", ed25519.PublicKey, StringComparison.Ordinal);
        var endpoint = (await host.Client.GetFromJsonAsync<EndpointResponse>($"{Base}/{created.Endpoint.Id}", NotificationsHost.Json))!;
        Assert.Equal([SigningKeyKind.Hmac, SigningKeyKind.Hmac, SigningKeyKind.Ed25519], endpoint.SigningKeys.Select(k => k.Kind));
        Assert.Equal(rotated.PreviousKeysExpireAt, endpoint.SigningKeys[0].ExpiresAt);
        Assert.InRange(rotated.PreviousKeysExpireAt - DateTimeOffset.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));
        Assert.Equal([null, null], endpoint.SigningKeys.Skip(1).Select(k => k.ExpiresAt));
        Assert.Equal(ed25519.PublicKey, endpoint.SigningKeys[2].PublicKey);
    }

    [Fact]
    public async Task A_stored_message_can_be_read_with_its_attempts_and_replayed_with_the_same_webhook_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var endpoint = (await host.CreateEndpointAsync(receiver)).Endpoint;
        var answer = await host.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.NotificationsId, DaprNames.PubSub, DaprNames.Topics.AlertRaised,
            FakePubSub.CreateCloudEvent(DaprNames.PubSub, DaprNames.Topics.AlertRaised, JsonSerializer.SerializeToNode(NotificationsHost.Alert("alert-replay"), NotificationsHost.Json)));
        Assert.Equal(SidecarAnswer.Success, answer.Status);
        var first = await receiver.NextAsync();
        var messageId = WebhookMessage.IdFor(NotificationsHost.Tenant, DaprNames.Topics.AlertRaised, "alert-replay");

        var replay = await host.Client.PostAsJsonAsync($"/v1/tenants/{NotificationsHost.Tenant}/messages/{messageId}/replay", new { endpointId = endpoint.Id });
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        var replayed = (await replay.Content.ReadFromJsonAsync<DeliveryResponse>(NotificationsHost.Json))!;
        var second = await receiver.NextAsync();
        await host.Services.GetRequiredService<DaprWorkflowClient>().WaitForWorkflowCompletionAsync(replayed.Id, false, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        var message = (await host.Client.GetFromJsonAsync<MessageResponse>($"/v1/tenants/{NotificationsHost.Tenant}/messages/{messageId}", NotificationsHost.Json))!;

        Assert.StartsWith($"{messageId}-{endpoint.Id}-rpl_", replayed.Id, StringComparison.Ordinal);
        Assert.Equal((messageId, messageId), (first.Id, second.Id));
        Assert.Equal(first.BodyText, second.BodyText);
        Assert.Equal(WebhookVerification.Valid, second.Verification);
        Assert.Equal([$"{messageId}-{endpoint.Id}", replayed.Id], message.Deliveries.Select(d => d.Id));
        Assert.All(message.Deliveries, d => Assert.Equal((DeliveryStatus.Delivered, 1), (d.Status, d.Attempts.Count)));
        Assert.Equal("alert-replay", message.Payload.GetProperty("data").GetProperty("alertId").GetString());

        await AssertProblemAsync(await host.Client.GetAsync($"/v1/tenants/tenant-b/messages/{messageId}"), HttpStatusCode.Forbidden, null);
        await AssertProblemAsync(await host.Client.PostAsJsonAsync($"/v1/tenants/tenant-b/messages/{messageId}/replay", new { endpointId = endpoint.Id }),
            HttpStatusCode.Forbidden, null);
        var tenantB = host.ClientWith(host.Identity.Token("tenant-b", Permissions.WebhooksManage));
        await AssertProblemAsync(await tenantB.GetAsync($"/v1/tenants/tenant-b/messages/{messageId}"), HttpStatusCode.NotFound, null);
        await AssertProblemAsync(await host.Client.PostAsJsonAsync($"/v1/tenants/{NotificationsHost.Tenant}/messages/{messageId}/replay", new { endpointId = "" }),
            HttpStatusCode.BadRequest, "endpointId");
        await host.Services.GetRequiredService<EndpointStore>().UpdateOneAsync(NotificationsHost.Tenant, endpoint.Id, e => e with { Enabled = false }, default);
        await AssertProblemAsync(await host.Client.PostAsJsonAsync($"/v1/tenants/{NotificationsHost.Tenant}/messages/{messageId}/replay", new { endpointId = endpoint.Id }),
            HttpStatusCode.Conflict, null);
    }

    private static async Task<JsonObject> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal((int)status, (int)problem["status"]!);
        Assert.Equal(ScorpiusApps.NotificationsId, (string)problem["app"]!);
        if (field is not null) Assert.NotNull(problem["errors"]?[field]);
        return problem;
    }
}
