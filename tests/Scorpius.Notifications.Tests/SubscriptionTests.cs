using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Scorpius.Contracts;
using Scorpius.Notifications.Delivery;
using Scorpius.Notifications.Signing;
using Scorpius.Notifications.Tests.Support;
using Scorpius.Testing.Sidecar;
using DeliveryStatus = Scorpius.Notifications.Delivery.DeliveryStatus;
using SidecarAnswer = Scorpius.Testing.Sidecar.DeliveryStatus;

namespace Scorpius.Notifications.Tests;

/// <summary>
/// The pub/sub handlers driven as daprd drives them, through the fake sidecar: the subscriptions the app declares,
/// and SUCCESS / RETRY / DROP for good, failing and poison messages. The deliveries they schedule run on the real
/// workflow worker and the in-process engine, to a receiver on loopback.
/// </summary>
public sealed class SubscriptionTests
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private static JsonObject AlertEvent(AlertRaised alert) =>
        FakePubSub.CreateCloudEvent(DaprNames.PubSub, DaprNames.Topics.AlertRaised, JsonSerializer.SerializeToNode(alert, NotificationsHost.Json),
            type: AlertRaised.CloudEventType);

    private static Task<Scorpius.Testing.Sidecar.DeliveryAttempt> DeliverAsync(NotificationsHost host, JsonObject cloudEvent, string topic = DaprNames.Topics.AlertRaised) =>
        host.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.NotificationsId, DaprNames.PubSub, topic, cloudEvent);

    private static DaprWorkflowClient Workflows(NotificationsHost host) => host.Services.GetRequiredService<DaprWorkflowClient>();

    [Fact]
    public async Task The_app_subscribes_to_every_tenant_event_type_with_the_dead_letter_topic()
    {
        await using var host = await NotificationsHost.StartAsync();

        var subscriptions = await host.Sidecar.PubSub.GetSubscriptionsAsync(ScorpiusApps.NotificationsId);

        Assert.Equal(
            [
                new Subscription(DaprNames.PubSub, DaprNames.Topics.AlertRaised, "events/alert-raised", DaprNames.Topics.DeadLetter),
                new Subscription(DaprNames.PubSub, DaprNames.Topics.AssessmentCompleted, "events/assessment-completed", DaprNames.Topics.DeadLetter),
            ],
            subscriptions.OrderBy(s => s.Topic, StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_alert_goes_to_each_subscribed_enabled_endpoint_once_even_when_redelivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(workflows: true);
        var wanted = (await host.CreateEndpointAsync(receiver)).Endpoint;
        var otherType = (await host.CreateEndpointAsync(receiver.HookUrl, [DaprNames.Topics.AssessmentCompleted])).Endpoint;
        var disabled = (await host.CreateEndpointAsync(receiver.HookUrl)).Endpoint;
        var put = await host.Client.PutAsync($"/v1/tenants/{NotificationsHost.Tenant}/endpoints/{disabled.Id}",
            System.Net.Http.Json.JsonContent.Create(new { url = receiver.HookUrl, eventTypes = new[] { "alert.raised" }, enabled = false }));
        Assert.True(put.IsSuccessStatusCode);
        var cloudEvent = AlertEvent(NotificationsHost.Alert("alert-42"));
        var messageId = WebhookMessage.IdFor(NotificationsHost.Tenant, DaprNames.Topics.AlertRaised, "alert-42");

        var first = await DeliverAsync(host, cloudEvent);
        var state = await Workflows(host).WaitForWorkflowCompletionAsync($"{messageId}-{wanted.Id}", true, new CancellationTokenSource(WaitLimit).Token);
        var again = await DeliverAsync(host, cloudEvent);

        Assert.Equal((SidecarAnswer.Success, 200), (first.Status, first.HttpStatus));
        Assert.Equal((SidecarAnswer.Success, 200), (again.Status, again.HttpStatus));
        Assert.Equal(DeliveryStatus.Delivered, state.ReadOutputAs<DeliveryStatus>());
        Assert.False((await Workflows(host).GetWorkflowStateAsync($"{messageId}-{otherType.Id}", false)).Exists);
        Assert.False((await Workflows(host).GetWorkflowStateAsync($"{messageId}-{disabled.Id}", false)).Exists);
        var webhook = Assert.Single(receiver.Received);
        Assert.Equal((messageId, WebhookVerification.Valid), (webhook.Id, webhook.Verification));
        var payload = JsonNode.Parse(webhook.BodyText)!;
        Assert.Equal(("alert.raised", "2026-11-26T04:47:44Z", "alert-42"), ((string)payload["type"]!, (string)payload["timestamp"]!, (string)payload["data"]!["alertId"]!));
        var message = await host.Services.GetRequiredService<DeliveryStore>().GetMessageAsync(NotificationsHost.Tenant, messageId, CancellationToken.None);
        Assert.Equal([$"{messageId}-{wanted.Id}"], message!.DeliveryIds);
    }

    [Fact]
    public async Task An_assessment_reaches_the_endpoints_subscribed_to_assessments()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(workflows: true);
        await host.CreateEndpointAsync(receiver, [DaprNames.Topics.AssessmentCompleted]);
        var assessment = new AssessmentCompleted(NotificationsHost.Tenant, "asm-7", null, Verdict.Malicious, 92,
            [new FindingSummary("UNLIMITED_APPROVAL", Severity.High, "Unlimited approval.")], DateTimeOffset.UnixEpoch);

        var answer = await DeliverAsync(host, FakePubSub.CreateCloudEvent(DaprNames.PubSub, DaprNames.Topics.AssessmentCompleted,
            JsonSerializer.SerializeToNode(assessment, NotificationsHost.Json)), DaprNames.Topics.AssessmentCompleted);
        var webhook = await receiver.NextAsync();

        Assert.Equal(SidecarAnswer.Success, answer.Status);
        Assert.Equal(WebhookVerification.Valid, webhook.Verification);
        Assert.Equal(("assessment.completed", "malicious"), ((string)JsonNode.Parse(webhook.BodyText)!["type"]!, (string)JsonNode.Parse(webhook.BodyText)!["data"]!["verdict"]!));
    }

    [Fact]
    public async Task An_event_for_a_tenant_without_endpoints_succeeds_and_stores_nothing()
    {
        await using var host = await NotificationsHost.StartAsync();
        var keysBefore = host.Sidecar.StateStore(DaprNames.StateStore).Count;

        var answer = await DeliverAsync(host, AlertEvent(NotificationsHost.Alert("alert-1", tenant: "tenant-without-endpoints")));

        Assert.Equal((SidecarAnswer.Success, 200), (answer.Status, answer.HttpStatus));
        Assert.Equal(keysBefore, host.Sidecar.StateStore(DaprNames.StateStore).Count);
    }

    public static TheoryData<string, string> PoisonMessages => new()
    {
        { "not JSON", "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"s\",\"type\":\"t\",\"datacontenttype\":\"application/json\",\"data\":\"not json at all\"}" },
        { "no tenant", CloudEvent(d => d.Remove("tenantId")) },
        { "tenant with a key separator", CloudEvent(d => d["tenantId"] = "tenant||other") },
        { "unknown severity", CloudEvent(d => d["severity"] = "catastrophic") },
        { "no alert id", CloudEvent(d => d["alertId"] = "") },
        { "data is an array", CloudEvent(d => d.Clear(), asArray: true) },
    };

    [Theory]
    [MemberData(nameof(PoisonMessages))]
    public async Task A_message_that_can_never_be_processed_is_answered_200_DROP(string poison, string body)
    {
        await using var host = await NotificationsHost.StartAsync();
        await host.CreateEndpointAsync("https://127.0.0.1:9443/a");
        var keysBefore = host.Sidecar.StateStore(DaprNames.StateStore).Count;

        var answer = await host.Sidecar.PubSub.DeliverRawOnceAsync(ScorpiusApps.NotificationsId, DaprNames.PubSub, DaprNames.Topics.AlertRaised, body);

        Assert.True(answer.Status == SidecarAnswer.Drop, $"{poison}: {answer.HttpStatus} {answer.ResponseBody}");
        Assert.Equal(200, answer.HttpStatus);
        Assert.Equal(keysBefore, host.Sidecar.StateStore(DaprNames.StateStore).Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-the-app-api-token")]
    public async Task A_delivery_without_the_app_API_token_is_refused_and_changes_nothing(string? token)
    {
        await using var host = await NotificationsHost.StartAsync();
        await host.CreateEndpointAsync("https://127.0.0.1:9443/a");
        var keysBefore = host.Sidecar.StateStore(DaprNames.StateStore).Count;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/alert-raised")
        {
            Content = new StringContent(AlertEvent(NotificationsHost.Alert("alert-forged")).ToJsonString(), System.Text.Encoding.UTF8, "application/cloudevents+json"),
        };
        if (token is not null) request.Headers.Add("dapr-api-token", token);
        // A bearer token of the tenant does not open a Dapr callback either.
        request.Headers.Authorization = new("Bearer", host.Identity.AllScopes(NotificationsHost.Tenant));

        var response = await host.App.CreateClient().SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(keysBefore, host.Sidecar.StateStore(DaprNames.StateStore).Count);
    }

    [Fact]
    public async Task A_workflow_engine_that_is_down_is_answered_RETRY_and_nothing_is_lost()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(workflows: true,
            settings: new Dictionary<string, string?> { ["Notifications:HandlerTimeout"] = "00:00:01" });
        await host.CreateEndpointAsync(receiver);
        await host.StopWorkflowEngineAsync();

        var answer = await DeliverAsync(host, AlertEvent(NotificationsHost.Alert("alert-engine-down")));

        Assert.Equal((SidecarAnswer.Retry, 200, "{\"status\":\"RETRY\"}"), (answer.Status, answer.HttpStatus, answer.ResponseBody));
        // The message and its delivery are stored, so the redelivery only has to start the workflow.
        var messageId = WebhookMessage.IdFor(NotificationsHost.Tenant, DaprNames.Topics.AlertRaised, "alert-engine-down");
        Assert.NotNull(await host.Services.GetRequiredService<DeliveryStore>().GetMessageAsync(NotificationsHost.Tenant, messageId, CancellationToken.None));
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task A_state_store_failure_is_answered_RETRY()
    {
        await using var host = await NotificationsHost.StartAsync(sidecarOptions: new FakeSidecarOptions { StateStores = [] });

        var answer = await DeliverAsync(host, AlertEvent(NotificationsHost.Alert("alert-no-store")));

        Assert.Equal((SidecarAnswer.Retry, 200), (answer.Status, answer.HttpStatus));
    }

    [Fact]
    public async Task An_event_published_through_the_sidecar_is_handled_once_with_SUCCESS()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(workflows: true);
        await host.CreateEndpointAsync(receiver);
        using var publisher = host.Sidecar.CreateClient();

        await publisher.PublishEventAsync(DaprNames.PubSub, DaprNames.Topics.AlertRaised, NotificationsHost.Alert("alert-published"));
        await host.Sidecar.PubSub.WaitForIdleAsync();
        var webhook = await receiver.NextAsync();

        var attempt = Assert.Single(host.Sidecar.PubSub.Attempts);
        Assert.Equal((SidecarAnswer.Success, "events/alert-raised"), (attempt.Status, attempt.Route));
        Assert.Equal(WebhookVerification.Valid, webhook.Verification);
    }

    private static string CloudEvent(Action<JsonObject> change, bool asArray = false)
    {
        var data = JsonSerializer.SerializeToNode(NotificationsHost.Alert("alert-poison"), NotificationsHost.Json)!.AsObject();
        change(data);
        return FakePubSub.CreateCloudEvent(DaprNames.PubSub, DaprNames.Topics.AlertRaised, asArray ? new JsonArray() : data).ToJsonString();
    }
}
