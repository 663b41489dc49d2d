using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scorpius.Contracts;
using Scorpius.Notifications.Delivery;
using Scorpius.Notifications.Endpoints;
using Scorpius.Notifications.Signing;
using Scorpius.Notifications.Tests.Support;

namespace Scorpius.Notifications.Tests;

/// <summary>
/// Failure injection against a real receiver on loopback, with a fake clock: the retry timeline, timeouts, 410,
/// 429/503 Retry-After, redirects, SSRF at delivery time, exhausted messages disabling an endpoint, and no second
/// send of a delivered message.
/// </summary>
public sealed class DeliveryTests
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Failures_are_retried_on_the_spec_schedule_honouring_timeouts_and_Retry_After_until_delivered()
    {
        await using var h = await DeliveryHarness.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(() => h.Time.GetUtcNow());
        var endpoint = (await h.Host.CreateEndpointAsync(receiver)).Endpoint;
        var deliveryId = await h.SeedAsync(endpoint.Id, "alert-timeline");
        receiver.Answer(
            new ScriptedAnswer(500, "boom: database down"),
            new ScriptedAnswer(503),
            ScriptedAnswer.NoAnswer,
            new ScriptedAnswer(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "10800" }),
            new ScriptedAnswer(503, Headers: new Dictionary<string, string> { ["Retry-After"] = "60" }),
            new ScriptedAnswer(302, Headers: new Dictionary<string, string> { ["Location"] = "https://elsewhere.example/hook" }),
            new ScriptedAnswer(204));

        var run = h.RunWorkflowAsync(deliveryId);
        for (var i = 0; i < 3; i++) await receiver.NextAsync();
        h.Time.Advance(TimeSpan.FromSeconds(15)); // the third attempt hangs until the 15 s request timeout
        var status = await run.WaitAsync(WaitLimit);

        Assert.Equal(DeliveryStatus.Delivered, status);
        // 5 s, 5 min, 30 min (after the 15 s timeout), then 3 h from Retry-After (the schedule says 2 h), 5 h (a 60 s Retry-After is shorter), 10 h.
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(3), TimeSpan.FromHours(5), TimeSpan.FromHours(10)],
            h.Timers);
        var sentAt = receiver.Received.Select(r => r.UnixTimestamp - DeliveryHarness.Start.ToUnixTimeSeconds()).ToArray();
        Assert.Equal([0L, 5, 305, 305 + 15 + 1800, 2120 + 10800, 12920 + 18000, 30920 + 36000], sentAt);
        Assert.All(receiver.Received, r => Assert.Equal(WebhookVerification.Valid, r.Verification));
        Assert.Single(receiver.Received.Select(r => r.Id).Distinct());
        Assert.Single(receiver.Received.Select(r => r.BodyText).Distinct());

        var delivery = await h.DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStatus.Delivered, delivery.Status);
        Assert.Equal(
            [(AttemptResult.Failed, 500), (AttemptResult.Failed, 503), (AttemptResult.TimedOut, (int?)null), (AttemptResult.Failed, 429),
             (AttemptResult.Failed, 503), (AttemptResult.Failed, 302), (AttemptResult.Delivered, 204)],
            delivery.Attempts.Select(a => (a.Result, a.StatusCode)));
        Assert.Equal(Enumerable.Range(1, 7), delivery.Attempts.Select(a => a.Number));
        Assert.Equal("boom: database down", delivery.Attempts[0].Detail);
        Assert.Equal(15_000, delivery.Attempts[2].LatencyMs);
        Assert.Contains("https://elsewhere.example/hook not followed", delivery.Attempts[5].Detail, StringComparison.Ordinal);
        Assert.All(delivery.Attempts.Zip(delivery.Attempts.Skip(1)), pair => Assert.Equal(pair.First.NextAttemptAt, pair.Second.At));
        Assert.All(delivery.Attempts, a => Assert.Equal(receiver.HookUrl, a.Target));
        Assert.Null(delivery.Attempts[^1].NextAttemptAt);
    }

    [Fact]
    public async Task A_410_stops_delivery_disables_the_endpoint_and_raises_an_alert_once()
    {
        await using var h = await DeliveryHarness.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(() => h.Time.GetUtcNow());
        var endpoint = (await h.Host.CreateEndpointAsync(receiver)).Endpoint;
        var first = await h.SeedAsync(endpoint.Id, "alert-gone-1");
        var second = await h.SeedAsync(endpoint.Id, "alert-gone-2");
        receiver.Answer(new ScriptedAnswer(410, "unsubscribed"));

        Assert.Equal(DeliveryStatus.Gone, await h.RunWorkflowAsync(first).WaitAsync(WaitLimit));
        Assert.Equal(DeliveryStatus.Skipped, await h.RunWorkflowAsync(second).WaitAsync(WaitLimit));

        Assert.Empty(h.Timers);
        Assert.Single(receiver.Received);
        var stored = await h.Endpoints.GetAsync(NotificationsHost.Tenant, endpoint.Id, CancellationToken.None);
        Assert.False(stored!.Enabled);
        Assert.Contains("410 Gone", stored.DisabledReason, StringComparison.Ordinal);
        var alert = Assert.Single(h.Host.Sidecar.PubSub.Published, m => m.Topic == DaprNames.Topics.AlertRaised).DataAs<AlertRaised>();
        Assert.Equal(("notifications.endpoint-disabled", NotificationsHost.Tenant, Severity.High), (alert!.Type, alert.TenantId, alert.Severity));
        Assert.Equal(endpoint.Id, alert.Labels["endpointId"]);
        Assert.Equal("127.0.0.1", alert.Labels["destination"]);
        Assert.Equal([AttemptResult.Gone], (await h.DeliveryAsync(first)).Attempts.Select(a => a.Result));
        Assert.Equal(DeliveryStatus.Skipped, (await h.DeliveryAsync(second)).Status);
    }

    [Fact]
    public async Task A_run_of_exhausted_messages_disables_the_endpoint_and_a_success_resets_the_run()
    {
        await using var h = await DeliveryHarness.StartAsync(o =>
        {
            o.RetrySchedule = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];
            o.DisableAfterExhaustedMessages = 2;
        });
        await using var receiver = await WebhookReceiver.StartAsync(() => h.Time.GetUtcNow());
        var endpoint = (await h.Host.CreateEndpointAsync(receiver)).Endpoint;
        var failAll = new[] { new ScriptedAnswer(500), new ScriptedAnswer(500), new ScriptedAnswer(500) };
        async Task<(DeliveryStatus Status, int Run, bool Enabled)> DeliverAsync(string alertId, params ScriptedAnswer[] answers)
        {
            receiver.Answer(answers);
            var status = await h.RunWorkflowAsync(await h.SeedAsync(endpoint.Id, alertId)).WaitAsync(WaitLimit);
            var stored = await h.Endpoints.GetAsync(NotificationsHost.Tenant, endpoint.Id, CancellationToken.None);
            return (status, stored!.ExhaustedRun, stored.Enabled);
        }

        Assert.Equal((DeliveryStatus.Exhausted, 1, true), await DeliverAsync("alert-x1", failAll));
        Assert.Equal((DeliveryStatus.Delivered, 0, true), await DeliverAsync("alert-ok", ScriptedAnswer.Ok));
        Assert.Equal((DeliveryStatus.Exhausted, 1, true), await DeliverAsync("alert-x2", failAll));
        Assert.Empty(h.Host.Sidecar.PubSub.Published);
        Assert.Equal((DeliveryStatus.Exhausted, 2, false), await DeliverAsync("alert-x3", failAll));
        Assert.Equal((DeliveryStatus.Skipped, 2, false), await DeliverAsync("alert-after"));

        Assert.Equal(10, receiver.Received.Count);
        Assert.Equal([1, 2, 1, 2, 1, 2], h.Timers.Select(t => (int)t.TotalSeconds));
        var stored = await h.Endpoints.GetAsync(NotificationsHost.Tenant, endpoint.Id, CancellationToken.None);
        Assert.Contains("2 messages in a row exhausted", stored!.DisabledReason, StringComparison.Ordinal);
        var alert = Assert.Single(h.Host.Sidecar.PubSub.Published).DataAs<AlertRaised>();
        Assert.Equal("notifications.endpoint-disabled", alert!.Type);
    }

    [Fact]
    public async Task A_Retry_After_date_on_503_postpones_the_next_attempt_to_that_date()
    {
        await using var h = await DeliveryHarness.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(() => h.Time.GetUtcNow());
        var endpoint = (await h.Host.CreateEndpointAsync(receiver)).Endpoint;
        var deliveryId = await h.SeedAsync(endpoint.Id, "alert-503-date");
        receiver.Answer(new ScriptedAnswer(503, Headers: new Dictionary<string, string> { ["Retry-After"] = (h.Time.GetUtcNow() + TimeSpan.FromHours(2)).ToString("R") }));

        var outcome = await h.AttemptAsync(deliveryId, 1);

        Assert.Equal(new AttemptOutcome(DeliveryStatus.Pending, TimeSpan.FromHours(2)), outcome);
        Assert.Equal(DeliveryHarness.Start + TimeSpan.FromHours(2), (await h.DeliveryAsync(deliveryId)).NextAttemptAt);
    }

    [Theory]
    [InlineData(307, "second-receiver")]
    [InlineData(302, "http://169.254.169.254/latest/meta-data/iam/security-credentials/")]
    public async Task Redirects_are_never_followed_and_count_as_failures(int status, string location)
    {
        await using var h = await DeliveryHarness.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(() => h.Time.GetUtcNow());
        await using var second = await WebhookReceiver.StartAsync(() => h.Time.GetUtcNow());
        var target = location == "second-receiver" ? second.HookUrl : location;
        var endpoint = (await h.Host.CreateEndpointAsync(receiver)).Endpoint;
        var deliveryId = await h.SeedAsync(endpoint.Id, $"alert-redirect-{status}");
        receiver.Answer(new ScriptedAnswer(status, Headers: new Dictionary<string, string> { ["Location"] = target }));

        var outcome = await h.AttemptAsync(deliveryId, 1);

        Assert.Equal(new AttemptOutcome(DeliveryStatus.Pending, TimeSpan.FromSeconds(5)), outcome);
        Assert.Single(receiver.Received);
        Assert.Empty(second.Received);
        Assert.Equal([receiver.HookUrl], h.Host.Dapr.Invocations);
        var attempt = Assert.Single((await h.DeliveryAsync(deliveryId)).Attempts);
        Assert.Equal((AttemptResult.Failed, status), (attempt.Result, attempt.StatusCode));
        Assert.Equal($"Redirect to {target} not followed: update the endpoint URL instead.", attempt.Detail);
    }

    [Fact]
    public async Task A_name_that_resolves_inside_at_delivery_time_is_refused_and_nothing_is_sent()
    {
        await using var h = await DeliveryHarness.StartAsync();
        h.Dns.Set("hooks.customer.test", "93.184.215.14");
        var endpoint = (await h.Host.CreateEndpointAsync("https://hooks.customer.test/scorpius")).Endpoint;
        var deliveryId = await h.SeedAsync(endpoint.Id, "alert-rebind");
        h.Dns.Set("hooks.customer.test", "93.184.215.14", "10.0.0.5"); // DNS rebinding after the endpoint was accepted

        var outcome = await h.AttemptAsync(deliveryId, 1);

        Assert.Equal(DeliveryStatus.Pending, outcome.Status);
        Assert.Empty(h.Host.Dapr.Invocations);
        var attempt = Assert.Single((await h.DeliveryAsync(deliveryId)).Attempts);
        Assert.Equal(AttemptResult.Refused, attempt.Result);
        Assert.Contains("10.0.0.5", attempt.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_that_cannot_be_reached_is_a_failed_attempt_carrying_the_sidecars_error()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var endpoint = (await h.Host.CreateEndpointAsync("http://127.0.0.1:9/closed")).Endpoint;
        var deliveryId = await h.SeedAsync(endpoint.Id, "alert-closed");

        var outcome = await h.AttemptAsync(deliveryId, 1);

        Assert.Equal(new AttemptOutcome(DeliveryStatus.Pending, TimeSpan.FromSeconds(5)), outcome);
        var attempt = Assert.Single((await h.DeliveryAsync(deliveryId)).Attempts);
        Assert.Equal((AttemptResult.Failed, 500), (attempt.Result, attempt.StatusCode));
        Assert.Contains("ERR_DIRECT_INVOKE", attempt.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivered_message_is_never_sent_again_when_its_attempt_or_workflow_runs_again()
    {
        await using var h = await DeliveryHarness.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(() => h.Time.GetUtcNow());
        var endpoint = (await h.Host.CreateEndpointAsync(receiver)).Endpoint;
        var deliveryId = await h.SeedAsync(endpoint.Id, "alert-once");
        receiver.Answer(new ScriptedAnswer(500));
        Assert.Equal(DeliveryStatus.Delivered, await h.RunWorkflowAsync(deliveryId).WaitAsync(WaitLimit));
        Assert.Equal(2, receiver.Received.Count);

        // An activity dispatched again after a restart (same attempt, or the next one), and the whole workflow again.
        Assert.Equal(new AttemptOutcome(DeliveryStatus.Delivered, null), await h.AttemptAsync(deliveryId, 2));
        Assert.Equal(new AttemptOutcome(DeliveryStatus.Delivered, null), await h.AttemptAsync(deliveryId, 3));
        Assert.Equal(DeliveryStatus.Delivered, await h.RunWorkflowAsync(deliveryId).WaitAsync(WaitLimit));

        Assert.Equal(2, receiver.Received.Count);
        Assert.Equal(2, (await h.DeliveryAsync(deliveryId)).Attempts.Count);
    }

    [Fact]
    public async Task A_failed_attempt_that_runs_again_after_a_restart_is_not_sent_twice()
    {
        await using var h = await DeliveryHarness.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(() => h.Time.GetUtcNow());
        var endpoint = (await h.Host.CreateEndpointAsync(receiver)).Endpoint;
        var deliveryId = await h.SeedAsync(endpoint.Id, "alert-redispatch");
        receiver.Answer(new ScriptedAnswer(500));

        var first = await h.AttemptAsync(deliveryId, 1);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        var again = await h.AttemptAsync(deliveryId, 1);

        Assert.Equal(new AttemptOutcome(DeliveryStatus.Pending, TimeSpan.FromSeconds(5)), first);
        Assert.Equal(new AttemptOutcome(DeliveryStatus.Pending, TimeSpan.FromSeconds(3)), again);
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task After_rotation_and_an_Ed25519_key_a_request_carries_three_signatures_each_verifying_alone()
    {
        await using var h = await DeliveryHarness.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(() => h.Time.GetUtcNow());
        var created = await h.Host.CreateEndpointAsync(receiver);
        var rotated = await PostAsync<KeyRotated>(h, $"/v1/tenants/{NotificationsHost.Tenant}/endpoints/{created.Endpoint.Id}/secret/rotate");
        var ed25519 = await PostAsync<KeyRotated>(h, $"/v1/tenants/{NotificationsHost.Tenant}/endpoints/{created.Endpoint.Id}/ed25519");
        var deliveryId = await h.SeedAsync(created.Endpoint.Id, "alert-rotated");

        Assert.Equal(DeliveryStatus.Delivered, (await h.AttemptAsync(deliveryId, 1)).Status);

        var request = Assert.Single(receiver.Received);
        Assert.Equal(["v1", "v1", "v1a"], request.Signature!.Split(' ').Select(s => s.Split(',')[0]));
        foreach (var key in new[] { created.SigningSecret!, rotated.SigningSecret!, ed25519.PublicKey! })
        {
            Assert.Equal(WebhookVerification.Valid,
                WebhookVerifier.Verify(request.Id, request.Timestamp, request.Signature, request.Body, [key], h.Time.GetUtcNow()));
        }

        // Once the overlap has passed, the old secret no longer signs.
        h.Time.Advance(TimeSpan.FromHours(25));
        Assert.Equal(DeliveryStatus.Delivered, (await h.AttemptAsync(await h.SeedAsync(created.Endpoint.Id, "alert-later"), 1)).Status);
        var later = receiver.Received[^1];
        Assert.Equal(["v1", "v1a"], later.Signature!.Split(' ').Select(s => s.Split(',')[0]));
        Assert.Equal(WebhookVerification.NoMatchingSignature,
            WebhookVerifier.Verify(later.Id, later.Timestamp, later.Signature, later.Body, [created.SigningSecret!], h.Time.GetUtcNow()));
    }

    [Theory]
    [InlineData(PayloadFormat.Slack, "text", "*[CRITICAL] Unlimited approval to a flagged address*")]
    [InlineData(PayloadFormat.Discord, "content", "**[CRITICAL] Unlimited approval to a flagged address**")]
    public async Task Chat_formats_send_their_template_signed_like_any_webhook(PayloadFormat format, string field, string firstLine)
    {
        await using var h = await DeliveryHarness.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(() => h.Time.GetUtcNow());
        var endpoint = (await h.Host.CreateEndpointAsync(receiver, format: format)).Endpoint;

        Assert.Equal(DeliveryStatus.Delivered, (await h.AttemptAsync(await h.SeedAsync(endpoint.Id, $"alert-{format}"), 1)).Status);

        var request = Assert.Single(receiver.Received);
        Assert.Equal(WebhookVerification.Valid, request.Verification);
        var text = (string)JsonNode.Parse(request.BodyText)![field]!;
        Assert.Equal(firstLine, text.Split('\n')[0]);
        Assert.Contains("Wallet: ethereum 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task E_mail_and_SMS_go_through_their_output_bindings_and_a_binding_error_is_retried()
    {
        await using var h = await DeliveryHarness.StartAsync();
        var email = (await h.Host.CreateEndpointAsync("mailto:secops@example.com")).Endpoint;
        var sms = (await h.Host.CreateEndpointAsync("sms:+41791234567")).Endpoint;

        Assert.Equal(DeliveryStatus.Delivered, (await h.AttemptAsync(await h.SeedAsync(email.Id, "alert-mail"), 1)).Status);
        Assert.Equal(DeliveryStatus.Delivered, (await h.AttemptAsync(await h.SeedAsync(sms.Id, "alert-sms"), 1)).Status);

        var mail = Assert.Single(h.Host.Sidecar.BindingCalls, c => c.Name == DaprNames.Email);
        Assert.Equal("create", mail.Operation);
        Assert.Equal("secops@example.com", mail.Metadata["emailTo"]);
        Assert.Equal("[Scorpius] [CRITICAL] Unlimited approval to a flagged address", mail.Metadata["subject"]);
        Assert.Contains("<h2>[CRITICAL] Unlimited approval to a flagged address</h2>", JsonNode.Parse(mail.Data)!.GetValue<string>(), StringComparison.Ordinal);
        var text = Assert.Single(h.Host.Sidecar.BindingCalls, c => c.Name == DaprNames.Sms);
        Assert.Equal("+41791234567", text.Metadata["toNumber"]);
        Assert.InRange(JsonNode.Parse(text.Data)!.GetValue<string>().Length, 20, 160);

        h.Host.Sidecar.AddBinding(DaprNames.Email, _ => throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Internal, "smtp: connection refused")));
        var failing = await h.SeedAsync(email.Id, "alert-mail-down");
        Assert.Equal(new AttemptOutcome(DeliveryStatus.Pending, TimeSpan.FromSeconds(5)), await h.AttemptAsync(failing, 1));
        var attempt = Assert.Single((await h.DeliveryAsync(failing)).Attempts);
        Assert.Equal(AttemptResult.Failed, attempt.Result);
        Assert.Contains("smtp: connection refused", attempt.Detail, StringComparison.Ordinal);
    }

    private static async Task<T> PostAsync<T>(DeliveryHarness h, string path)
    {
        var response = await h.Host.Client.PostAsync(path, null);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<T>(NotificationsHost.Json))!;
    }
}
