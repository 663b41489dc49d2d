using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Dapr.Client.Autogen.Grpc.v1;

namespace Scorpius.Testing.Sidecar;

/// <summary>What an app answered for one delivery, in daprd's terms.</summary>
public enum DeliveryStatus { Success, Retry, Drop }

/// <summary>A message accepted by PublishEvent, wrapped in its CloudEvents 1.0 envelope.</summary>
public sealed record PublishedMessage(string PubSub, string Topic, JsonObject CloudEvent)
{
    public string Id => CloudEvent["id"]!.GetValue<string>();
    public string Type => CloudEvent["type"]!.GetValue<string>();
    public JsonNode? Data => CloudEvent["data"];
    public T? DataAs<T>() => Data is null ? default : Data.Deserialize<T>(new JsonSerializerOptions(JsonSerializerDefaults.Web));
}

/// <summary>One attempt to deliver a message to an app's subscription route, and how the app answered.</summary>
public sealed record DeliveryAttempt(
    string AppId, string PubSub, string Topic, string Route, string CloudEventId, int Attempt, DeliveryStatus Status, int HttpStatus, string ResponseBody);

/// <summary>A programmatic subscription as an app declares it on <c>GET /dapr/subscribe</c>.</summary>
public sealed record Subscription(string PubSubName, string Topic, string Route, string? DeadLetterTopic);

/// <summary>
/// daprd's subscriber side: reads each registered app's <c>/dapr/subscribe</c>, posts CloudEvents to the routes and
/// honours SUCCESS / RETRY / DROP as daprd does (2xx with empty body or SUCCESS: done; RETRY or a non-2xx other than
/// 404: redelivered up to <see cref="FakeSidecarOptions.MaxDeliveryAttempts"/>; DROP or 404: dropped; dropped and
/// exhausted messages go to the subscription's dead-letter topic when it has one).
/// </summary>
public sealed class FakePubSub : IAsyncDisposable
{
    private static readonly MediaTypeHeaderValue CloudEventsJson = new("application/cloudevents+json");
    private readonly FakeDaprSidecar sidecar;
    private readonly Channel<PublishedMessage> queue = Channel.CreateUnbounded<PublishedMessage>();
    private readonly ConcurrentQueue<PublishedMessage> published = new();
    private readonly ConcurrentQueue<DeliveryAttempt> attempts = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Task pump;
    private readonly ConcurrentQueue<Exception> errors = new();
    private int pending;

    internal FakePubSub(FakeDaprSidecar sidecar)
    {
        this.sidecar = sidecar;
        pump = Task.Run(PumpAsync);
    }

    public IReadOnlyList<PublishedMessage> Published => [.. published];
    public IReadOnlyList<DeliveryAttempt> Attempts => [.. attempts];

    /// <summary>Builds the envelope daprd would build for <paramref name="data"/> published on a topic.</summary>
    public static JsonObject CreateCloudEvent(string pubSub, string topic, JsonNode? data, string type = "com.dapr.event.sent",
        string? id = null, string source = "test") => new()
    {
        ["specversion"] = "1.0",
        ["id"] = id ?? Guid.NewGuid().ToString(),
        ["source"] = source,
        ["type"] = type,
        ["datacontenttype"] = "application/json",
        ["time"] = DateTimeOffset.UtcNow.ToString("O"),
        ["topic"] = topic,
        ["pubsubname"] = pubSub,
        ["data"] = data,
    };

    internal void Accept(PublishEventRequest request)
    {
        var message = new PublishedMessage(request.PubsubName, request.Topic, ToCloudEvent(request));
        published.Enqueue(message);
        Interlocked.Increment(ref pending);
        if (!queue.Writer.TryWrite(message)) Interlocked.Decrement(ref pending);
    }

    /// <summary>The subscriptions an app declares on <c>GET /dapr/subscribe</c>.</summary>
    public async Task<IReadOnlyList<Subscription>> GetSubscriptionsAsync(string appId, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        sidecar.AddAppToken(request);
        using var response = await App(appId).SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        response.EnsureSuccessStatusCode();
        // daprd reads this JSON case-insensitively (Dapr.AspNetCore writes "pubsubName", other SDKs "pubsubname").
        var options = new JsonNodeOptions { PropertyNameCaseInsensitive = true };
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken), options)?.AsArray() ?? [];
        return list.Select(s => new Subscription(
            s!["pubsubname"]?.GetValue<string>() ?? throw new InvalidOperationException($"A subscription of {appId} has no pubsubname: {s.ToJsonString()}"),
            s["topic"]?.GetValue<string>() ?? throw new InvalidOperationException($"A subscription of {appId} has no topic: {s.ToJsonString()}"),
            s["route"]?.GetValue<string>() ?? s["routes"]?["default"]?.GetValue<string>()
                ?? throw new NotSupportedException($"Subscription of {appId} to {s["topic"]} has routing rules but no default route; the fake sidecar does not evaluate CEL rules."),
            s["deadLetterTopic"]?.GetValue<string>())).ToArray();
    }

    /// <summary>One delivery attempt of <paramref name="cloudEvent"/> to <paramref name="appId"/>'s route for the topic (tier-6 tests).</summary>
    public async Task<DeliveryAttempt> DeliverOnceAsync(string appId, string pubSub, string topic, JsonObject cloudEvent, CancellationToken cancellationToken = default)
    {
        var subscription = (await GetSubscriptionsAsync(appId, cancellationToken)).FirstOrDefault(s => s.PubSubName == pubSub && s.Topic == topic)
            ?? throw new InvalidOperationException($"App '{appId}' does not subscribe to {pubSub}/{topic}.");
        return await AttemptAsync(appId, subscription, cloudEvent.ToJsonString(), 1, cancellationToken);
    }

    /// <summary>Like <see cref="DeliverOnceAsync(string,string,string,JsonObject,CancellationToken)"/> with a raw body, e.g. a malformed envelope.</summary>
    public async Task<DeliveryAttempt> DeliverRawOnceAsync(string appId, string pubSub, string topic, string body, CancellationToken cancellationToken = default)
    {
        var subscription = (await GetSubscriptionsAsync(appId, cancellationToken)).FirstOrDefault(s => s.PubSubName == pubSub && s.Topic == topic)
            ?? throw new InvalidOperationException($"App '{appId}' does not subscribe to {pubSub}/{topic}.");
        return await AttemptAsync(appId, subscription, body, 1, cancellationToken);
    }

    /// <summary>Waits until every published message has been delivered, retried, dropped or dead-lettered.</summary>
    public async Task WaitForIdleAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (Volatile.Read(ref pending) > 0)
        {
            await Task.Delay(10, cts.Token);
        }
        if (!errors.IsEmpty)
            throw new AggregateException("The fake sidecar failed to deliver some messages.", errors);
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var message in queue.Reader.ReadAllAsync(stopping.Token))
            {
                try { await DispatchAsync(message, stopping.Token); }
                catch (Exception ex) when (ex is not OperationCanceledException) { errors.Enqueue(ex); }
                finally { Interlocked.Decrement(ref pending); }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
    }

    private async Task DispatchAsync(PublishedMessage message, CancellationToken cancellationToken)
    {
        foreach (var appId in sidecar.Apps.Keys)
        {
            foreach (var subscription in (await GetSubscriptionsAsync(appId, cancellationToken))
                         .Where(s => s.PubSubName == message.PubSub && s.Topic == message.Topic))
            {
                var body = message.CloudEvent.ToJsonString();
                DeliveryAttempt attempt;
                var n = 0;
                do
                {
                    attempt = await AttemptAsync(appId, subscription, body, ++n, cancellationToken);
                }
                while (attempt.Status == DeliveryStatus.Retry && n < sidecar.Options.MaxDeliveryAttempts);

                if (attempt.Status != DeliveryStatus.Success && subscription.DeadLetterTopic is { Length: > 0 } deadLetter)
                {
                    var copy = (JsonObject)message.CloudEvent.DeepClone();
                    copy["topic"] = deadLetter;
                    sidecar.PubSub.AcceptDeadLetter(new PublishedMessage(message.PubSub, deadLetter, copy));
                }
            }
        }
    }

    private void AcceptDeadLetter(PublishedMessage message)
    {
        published.Enqueue(message);
        Interlocked.Increment(ref pending);
        if (!queue.Writer.TryWrite(message)) Interlocked.Decrement(ref pending);
    }

    private async Task<DeliveryAttempt> AttemptAsync(string appId, Subscription subscription, string body, int attemptNumber, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Route.StartsWith('/') ? subscription.Route : "/" + subscription.Route)
        {
            Content = new StringContent(body, Encoding.UTF8, CloudEventsJson.MediaType!),
        };
        request.Content.Headers.ContentType = CloudEventsJson;
        request.Headers.TryAddWithoutValidation("pubsubname", subscription.PubSubName);
        sidecar.AddAppToken(request);

        using var response = await App(appId).SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var status = Classify(response.StatusCode, text);
        var id = TryGetId(body);
        var attempt = new DeliveryAttempt(appId, subscription.PubSubName, subscription.Topic, subscription.Route, id, attemptNumber, status, (int)response.StatusCode, text);
        attempts.Enqueue(attempt);
        return attempt;
    }

    /// <summary>daprd's reading of an app's answer to a delivery.</summary>
    public static DeliveryStatus Classify(HttpStatusCode code, string body)
    {
        if (code == HttpStatusCode.NotFound) return DeliveryStatus.Drop;
        if ((int)code is < 200 or > 299) return DeliveryStatus.Retry;
        if (string.IsNullOrWhiteSpace(body)) return DeliveryStatus.Success;
        string? status;
        try { status = JsonNode.Parse(body)?["status"]?.GetValue<string>(); }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException) { return DeliveryStatus.Success; } // daprd skips the status check
        return status?.ToUpperInvariant() switch
        {
            null or "" or "SUCCESS" => DeliveryStatus.Success,
            "DROP" => DeliveryStatus.Drop,
            _ => DeliveryStatus.Retry, // RETRY, and any unknown status, which daprd treats as an error
        };
    }

    private static string TryGetId(string body)
    {
        try { return JsonNode.Parse(body)?["id"]?.GetValue<string>() ?? ""; }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException) { return ""; }
    }

    private HttpClient App(string appId) =>
        sidecar.Apps.TryGetValue(appId, out var client) ? client : throw new InvalidOperationException($"App '{appId}' is not registered with the fake sidecar.");

    private static JsonObject ToCloudEvent(PublishEventRequest request)
    {
        var text = request.Data.ToStringUtf8();
        if (request.DataContentType == "application/cloudevents+json")
        {
            var envelope = JsonNode.Parse(text)!.AsObject();
            envelope["topic"] = request.Topic;
            envelope["pubsubname"] = request.PubsubName;
            return envelope;
        }
        var contentType = string.IsNullOrEmpty(request.DataContentType) ? "application/json" : request.DataContentType;
        JsonNode? data = contentType.Contains("json", StringComparison.OrdinalIgnoreCase) && text.Length > 0 ? JsonNode.Parse(text) : JsonValue.Create(text);
        var cloudEvent = CreateCloudEvent(request.PubsubName, request.Topic, data,
            type: request.Metadata.TryGetValue("cloudevent.type", out var type) ? type : "com.dapr.event.sent",
            id: request.Metadata.TryGetValue("cloudevent.id", out var id) ? id : null,
            source: request.Metadata.TryGetValue("cloudevent.source", out var source) ? source : "fake-sidecar");
        cloudEvent["datacontenttype"] = contentType;
        return cloudEvent;
    }

    public async ValueTask DisposeAsync()
    {
        if (!queue.Writer.TryComplete()) return;
        await stopping.CancelAsync();
        try { await pump; } catch (OperationCanceledException) { }
        stopping.Dispose();
    }
}
