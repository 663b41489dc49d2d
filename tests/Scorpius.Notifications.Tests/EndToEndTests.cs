using System.Net.Http.Headers;
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
/// The whole path with the real Dapr workflow worker on the in-process engine (a test double, not daprd): an alert
/// published through the fake sidecar becomes a signed webhook at a real receiver on loopback; durable timers carry
/// the retries; a restart that loses the workflow history does not deliver twice.
/// </summary>
public sealed class EndToEndTests
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_alert_raised_event_reaches_a_loopback_receiver_with_a_valid_signature()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(workflows: true);
        var endpoint = (await host.CreateEndpointAsync(receiver)).Endpoint;
        var alert = NotificationsHost.Alert("alert-e2e");
        using var publisher = host.Sidecar.CreateClient();

        await publisher.PublishEventAsync(DaprNames.PubSub, DaprNames.Topics.AlertRaised, alert);
        var webhook = await receiver.NextAsync();

        Assert.Equal(WebhookVerification.Valid, webhook.Verification);
        var messageId = WebhookMessage.IdFor(alert.TenantId, DaprNames.Topics.AlertRaised, alert.AlertId);
        Assert.Equal(messageId, webhook.Id);
        Assert.Equal("/hooks/scorpius?source=test", webhook.Path);
        Assert.Equal(("application/json", DeliveryAttempts.UserAgent), (webhook.ContentType, webhook.UserAgent));
        Assert.InRange(webhook.UnixTimestamp, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var body = JsonNode.Parse(webhook.BodyText)!;
        Assert.Equal("alert.raised", (string)body["type"]!);
        Assert.Equal(JsonSerializer.SerializeToNode(alert, NotificationsHost.Json)!.ToJsonString(), body["data"]!.ToJsonString());

        var deliveryId = MessageDelivery.IdFor(messageId, endpoint.Id);
        var state = await Workflows(host).WaitForWorkflowCompletionAsync(deliveryId, getInputsAndOutputs: true, new CancellationTokenSource(WaitLimit).Token);
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        Assert.Equal(DeliveryStatus.Delivered, state.ReadOutputAs<DeliveryStatus>());
        var attempt = Assert.Single((await Store(host).GetDeliveryAsync(deliveryId, default))!.Attempts);
        Assert.Equal((AttemptResult.Delivered, 200, "ok"), (attempt.Result, attempt.StatusCode, attempt.Detail));
        Assert.Equal(SidecarAnswer.Success, Assert.Single(host.Sidecar.PubSub.Attempts).Status);
    }

    [Fact]
    public async Task A_failed_attempt_is_retried_after_a_durable_timer_of_the_real_workflow_engine()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(workflows: true, settings: new Dictionary<string, string?>
        {
            ["Notifications:RetrySchedule:0"] = "00:00:00.500",
            ["Notifications:JitterFraction"] = "0",
        });
        var endpoint = (await host.CreateEndpointAsync(receiver)).Endpoint;
        receiver.Answer(new ScriptedAnswer(503, "busy"));

        await PostEventAsync(host, NotificationsHost.Alert("alert-timer"));
        var deliveryId = MessageDelivery.IdFor(WebhookMessage.IdFor(NotificationsHost.Tenant, DaprNames.Topics.AlertRaised, "alert-timer"), endpoint.Id);
        var state = await Workflows(host).WaitForWorkflowCompletionAsync(deliveryId, getInputsAndOutputs: true, new CancellationTokenSource(WaitLimit).Token);

        Assert.Equal(DeliveryStatus.Delivered, state.ReadOutputAs<DeliveryStatus>());
        Assert.Equal(2, receiver.Received.Count);
        Assert.All(receiver.Received, r => Assert.Equal(WebhookVerification.Valid, r.Verification));
        var attempts = (await Store(host).GetDeliveryAsync(deliveryId, default))!.Attempts;
        Assert.Equal([(AttemptResult.Failed, 503), (AttemptResult.Delivered, 200)], attempts.Select(a => (a.Result, a.StatusCode ?? 0)));
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(450), $"{attempts[1].At - attempts[0].At}");
    }

    [Fact]
    public async Task After_a_restart_that_lost_the_workflow_history_a_redelivered_event_is_not_delivered_twice()
    {
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var alert = NotificationsHost.Alert("alert-restart");
        string deliveryId;
        await using (var before = await NotificationsHost.StartAsync(workflows: true, sidecar: sidecar))
        {
            var endpoint = (await before.CreateEndpointAsync(receiver)).Endpoint;
            Assert.Equal("{\"status\":\"SUCCESS\"}", await PostEventAsync(before, alert));
            deliveryId = MessageDelivery.IdFor(WebhookMessage.IdFor(alert.TenantId, DaprNames.Topics.AlertRaised, alert.AlertId), endpoint.Id);
            await Workflows(before).WaitForWorkflowCompletionAsync(deliveryId, false, new CancellationTokenSource(WaitLimit).Token);
        }

        // A new process and a new, empty workflow engine; the state store (the fake sidecar) kept its data.
        await using var after = await NotificationsHost.StartAsync(workflows: true, sidecar: sidecar);
        Assert.Equal("{\"status\":\"SUCCESS\"}", await PostEventAsync(after, alert));
        var state = await Workflows(after).WaitForWorkflowCompletionAsync(deliveryId, getInputsAndOutputs: true, new CancellationTokenSource(WaitLimit).Token);

        Assert.Equal(DeliveryStatus.Delivered, state.ReadOutputAs<DeliveryStatus>());
        Assert.Single(receiver.Received);
        Assert.Single((await Store(after).GetDeliveryAsync(deliveryId, default))!.Attempts);
    }

    [Fact]
    public async Task An_endpoint_disabled_by_410_raises_an_alert_that_reaches_the_tenant_by_e_mail()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationsHost.StartAsync(workflows: true);
        await host.CreateEndpointAsync(receiver);
        await host.CreateEndpointAsync("mailto:secops@example.com");
        receiver.Answer(new ScriptedAnswer(410));
        using var publisher = host.Sidecar.CreateClient();

        await publisher.PublishEventAsync(DaprNames.PubSub, DaprNames.Topics.AlertRaised, NotificationsHost.Alert("alert-before-gone"));
        using var timeout = new CancellationTokenSource(WaitLimit);
        while (host.Sidecar.BindingCalls.Count(c => c.Name == DaprNames.Email) < 2) await Task.Delay(50, timeout.Token);

        var subjects = host.Sidecar.BindingCalls.Where(c => c.Name == DaprNames.Email).Select(c => c.Metadata["subject"]).ToArray();
        Assert.Equal(["[Scorpius] [CRITICAL] Unlimited approval to a flagged address", "[Scorpius] [HIGH] Notifications to 127.0.0.1 were disabled"],
            subjects.Order(StringComparer.Ordinal));
        Assert.Single(receiver.Received); // the disabled endpoint does not get the alert about itself
    }

    /// <summary>Posts a CloudEvent to the app's route as daprd does; returns the app's answer.</summary>
    private static async Task<string> PostEventAsync(NotificationsHost host, AlertRaised alert)
    {
        var cloudEvent = FakePubSub.CreateCloudEvent(DaprNames.PubSub, DaprNames.Topics.AlertRaised, JsonSerializer.SerializeToNode(alert, NotificationsHost.Json));
        using var content = new StringContent(cloudEvent.ToJsonString());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents+json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/events/alert-raised") { Content = content };
        request.Headers.Add("dapr-api-token", host.Sidecar.Options.AppApiToken);
        var response = await host.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static DaprWorkflowClient Workflows(NotificationsHost host) => host.Services.GetRequiredService<DaprWorkflowClient>();
    private static DeliveryStore Store(NotificationsHost host) => host.Services.GetRequiredService<DeliveryStore>();
}
