using System.Text;
using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Options;
using Scorpius.Contracts;
using Scorpius.Notifications.Egress;
using Scorpius.Notifications.Endpoints;
using Scorpius.Notifications.Signing;

namespace Scorpius.Notifications.Delivery;

/// <summary>What one attempt tells the workflow: the delivery's status and, while pending, when to try again.</summary>
public sealed record AttemptOutcome(DeliveryStatus Status, TimeSpan? RetryIn);

/// <summary>
/// One delivery attempt, start to end: checks that the delivery is still wanted, sends (signed webhook through
/// <see cref="DaprExternalInvoker"/>, or e-mail / SMS through the output bindings), records the attempt, and applies
/// its consequences to the endpoint (410 and a run of exhausted messages disable it and raise an alert). A delivery
/// that is no longer pending is never sent again, so an activity that runs again after a restart does not
/// duplicate a successful delivery.
/// </summary>
public sealed partial class DeliveryAttempts(
    DeliveryStore deliveries,
    EndpointStore endpoints,
    SecretProtector secrets,
    SsrfGuard guard,
    DaprExternalInvoker egress,
    DaprClient dapr,
    RetryPolicy policy,
    TimeProvider time,
    IOptions<NotificationsOptions> options,
    ILogger<DeliveryAttempts> logger)
{
    public const string UserAgent = "Scorpius-Webhooks/1.0";

    public async Task<AttemptOutcome> RunAsync(string deliveryId, int attempt, CancellationToken cancellationToken)
    {
        var delivery = await deliveries.GetDeliveryAsync(deliveryId, cancellationToken);
        if (delivery is null)
        {
            LogUnknownDelivery(deliveryId);
            return new(DeliveryStatus.Skipped, null);
        }
        if (delivery.Status != DeliveryStatus.Pending) return new(delivery.Status, null);
        if (delivery.Attempts.FirstOrDefault(a => a.Number == attempt) is { } recorded)
        {
            // This attempt ran already and the workflow did not see its result (a restart): do not send again.
            var wait = recorded.NextAttemptAt - time.GetUtcNow();
            return new(delivery.Status, wait is null ? null : wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        }

        var endpoint = await endpoints.GetAsync(delivery.TenantId, delivery.EndpointId, cancellationToken);
        var message = await deliveries.GetMessageAsync(delivery.TenantId, delivery.MessageId, cancellationToken);
        if (endpoint is not { Enabled: true } || message is null)
        {
            await deliveries.SaveDeliveryAsync(delivery with { Status = DeliveryStatus.Skipped, NextAttemptAt = null }, cancellationToken);
            return new(DeliveryStatus.Skipped, null);
        }

        var at = time.GetUtcNow();
        var started = time.GetTimestamp();
        var sent = endpoint.Channel switch
        {
            Channel.Email => await SendEmailAsync(endpoint, message, cancellationToken),
            Channel.Sms => await SendSmsAsync(endpoint, message, cancellationToken),
            _ => await SendWebhookAsync(endpoint, message, at, cancellationToken),
        };
        var latency = time.GetElapsedTime(started);

        var decision = policy.Decide(attempt, sent.Result, sent.StatusCode, sent.RetryAfter);
        var next = decision.RetryIn is { } retryIn ? time.GetUtcNow() + retryIn : (DateTimeOffset?)null;
        var record = new DeliveryAttempt(attempt, at, endpoint.Url, sent.Result, sent.StatusCode, latency.TotalMilliseconds, sent.Detail, next);
        await deliveries.SaveDeliveryAsync(
            delivery with { Status = decision.Status, Attempts = [.. delivery.Attempts, record], NextAttemptAt = next }, cancellationToken);
        LogAttempt(delivery.Id, attempt, sent.Result, sent.StatusCode, decision.Status);

        await ApplyToEndpointAsync(endpoint, decision.Status, at, cancellationToken);
        return new(decision.Status, decision.RetryIn);
    }

    private async Task ApplyToEndpointAsync(WebhookEndpoint endpoint, DeliveryStatus status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        switch (status)
        {
            case DeliveryStatus.Delivered when endpoint.ExhaustedRun > 0:
                await endpoints.UpdateOneAsync(endpoint.TenantId, endpoint.Id, e => e with { ExhaustedRun = 0 }, cancellationToken);
                break;
            case DeliveryStatus.Gone:
                await DisableAsync(endpoint, $"The endpoint answered 410 Gone at {at:u}.", run: null, at, cancellationToken);
                break;
            case DeliveryStatus.Exhausted:
                await DisableAsync(endpoint, $"{options.Value.DisableAfterExhaustedMessages} messages in a row exhausted their retries (last at {at:u}).",
                    run: options.Value.DisableAfterExhaustedMessages, at, cancellationToken);
                break;
        }
    }

    /// <summary>
    /// Disables the endpoint (when <paramref name="run"/> is set: counts the exhausted message and disables at that
    /// many in a row) and raises an alert, once: only the change from enabled to disabled publishes.
    /// </summary>
    private async Task DisableAsync(WebhookEndpoint endpoint, string reason, int? run, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var disabledNow = await endpoints.UpdateAsync<bool>(endpoint.TenantId, all =>
        {
            if (all.FirstOrDefault(e => e.Id == endpoint.Id) is not { } current) return (null, false);
            var exhausted = run is null ? current.ExhaustedRun : current.ExhaustedRun + 1;
            var disable = current.Enabled && (run is null || exhausted >= run);
            var changed = disable
                ? current with { Enabled = false, DisabledReason = reason, ExhaustedRun = exhausted, UpdatedAt = at }
                : current with { ExhaustedRun = exhausted };
            return ([.. all.Select(e => e.Id == endpoint.Id ? changed : e)], disable);
        }, cancellationToken);
        if (!disabledNow) return;

        LogDisabled(endpoint.TenantId, endpoint.Id, reason);
        var alert = new AlertRaised(
            AlertId: $"notifications-disabled-{endpoint.Id}-{at.ToUnixTimeSeconds()}",
            TenantId: endpoint.TenantId,
            Severity: Severity.High,
            Type: "notifications.endpoint-disabled",
            Title: $"Notifications to {Describe(endpoint)} were disabled",
            DedupKey: $"{endpoint.TenantId}:notifications:{endpoint.Id}:disabled",
            AssessmentId: null,
            Wallet: null,
            Labels: new Dictionary<string, string> { ["endpointId"] = endpoint.Id, ["destination"] = Describe(endpoint), ["reason"] = reason },
            OccurredAt: at);
        await dapr.PublishEventAsync(DaprNames.PubSub, AlertRaised.Topic, alert,
            new Dictionary<string, string> { ["cloudevent.type"] = AlertRaised.CloudEventType }, cancellationToken);
    }

    // Never the full URL: chat webhook URLs carry their credentials in the path.
    private static string Describe(WebhookEndpoint endpoint) =>
        endpoint.Channel == Channel.Webhook && Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var uri) ? uri.Host : endpoint.Recipient;

    private sealed record Sent(AttemptResult Result, int? StatusCode, TimeSpan? RetryAfter, string? Detail);

    private async Task<Sent> SendWebhookAsync(WebhookEndpoint endpoint, WebhookMessage message, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var uri = new Uri(endpoint.Url, UriKind.Absolute);
        var verdict = await guard.CheckAsync(uri, cancellationToken);
        if (!verdict.Allowed) return new(AttemptResult.Refused, null, null, verdict.Reason);

        var keys = new List<string>();
        foreach (var key in endpoint.Keys.Where(k => k.IsActive(at)))
            keys.Add(await secrets.UnprotectAsync(key.Protected, endpoint.ProtectionContext(key.Id), cancellationToken));
        var body = Encoding.UTF8.GetBytes(Payloads.ForWebhook(endpoint.Format, message));
        var timestamp = at.ToUnixTimeSeconds();
        var headers = new Dictionary<string, string>
        {
            [WebhookVerifier.IdHeader] = message.Id,
            [WebhookVerifier.TimestampHeader] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [WebhookVerifier.SignatureHeader] = WebhookSigner.Sign(message.Id, timestamp, body, keys),
            ["user-agent"] = UserAgent,
        };

        var response = await egress.PostAsync(uri, headers, body, cancellationToken);
        return response switch
        {
            { TimedOut: true } => new(AttemptResult.TimedOut, null, null, response.Error),
            { StatusCode: null } => new(AttemptResult.Unreachable, null, null, response.Error),
            { StatusCode: >= 200 and < 300 } => new(AttemptResult.Delivered, response.StatusCode, null, response.Excerpt),
            { StatusCode: 410 } => new(AttemptResult.Gone, 410, null, response.Excerpt),
            { StatusCode: >= 300 and < 400 } => new(AttemptResult.Failed, response.StatusCode, null,
                $"Redirect to {response.Location} not followed: update the endpoint URL instead."),
            _ => new(AttemptResult.Failed, response.StatusCode, response.RetryAfter, response.Excerpt),
        };
    }

    private Task<Sent> SendEmailAsync(WebhookEndpoint endpoint, WebhookMessage message, CancellationToken cancellationToken)
    {
        var (subject, html) = Payloads.ForEmail(message);
        return InvokeBindingAsync(DaprNames.Email, html, new Dictionary<string, string> { ["emailTo"] = endpoint.Recipient, ["subject"] = subject }, cancellationToken);
    }

    private Task<Sent> SendSmsAsync(WebhookEndpoint endpoint, WebhookMessage message, CancellationToken cancellationToken) =>
        InvokeBindingAsync(DaprNames.Sms, Payloads.ForSms(message), new Dictionary<string, string> { ["toNumber"] = endpoint.Recipient }, cancellationToken);

    private async Task<Sent> InvokeBindingAsync(string binding, string data, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Value.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await dapr.InvokeBindingAsync(binding, "create", data, metadata, linked.Token);
            return new(AttemptResult.Delivered, null, null, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new(AttemptResult.TimedOut, null, null, $"The {binding} binding did not answer within {options.Value.RequestTimeout.TotalSeconds:0.#} s.");
        }
        catch (DaprException ex)
        {
            return new(AttemptResult.Failed, null, null, (ex.InnerException?.Message ?? ex.Message) is var text && text.Length > EgressResponse.ExcerptLength
                ? text[..EgressResponse.ExcerptLength] : text);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} is unknown; its attempt is skipped")]
    private partial void LogUnknownDelivery(string deliveryId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery {DeliveryId} attempt {Attempt}: {Result} ({StatusCode}), now {Status}")]
    private partial void LogAttempt(string deliveryId, int attempt, AttemptResult result, int? statusCode, DeliveryStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint {EndpointId} of tenant {TenantId} disabled: {Reason}")]
    private partial void LogDisabled(string tenantId, string endpointId, string reason);
}
