using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Scorpius.Notifications.Signing;

namespace Scorpius.Notifications.Tests.Support;

/// <summary>One request the receiver got, with the verdict of the customer-facing verifier on it.</summary>
public sealed record ReceivedWebhook(
    string Path, string? Id, string? Timestamp, string? Signature, byte[] Body, WebhookVerification Verification, string? UserAgent, string? ContentType)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);
    public long UnixTimestamp => long.Parse(Timestamp!, System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>How the receiver answers one request.</summary>
public sealed record ScriptedAnswer(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, bool Hang = false)
{
    public static readonly ScriptedAnswer Ok = new(200, "ok");

    /// <summary>Never answers; the request ends when the sender gives up.</summary>
    public static readonly ScriptedAnswer NoAnswer = new(0, Hang: true);
}

/// <summary>
/// A customer's webhook receiver: a real Kestrel server on 127.0.0.1 that verifies every request with
/// <see cref="WebhookVerifier"/> against <see cref="Keys"/> and the clock it is given, records it, and answers from a
/// script (200 once the script is empty).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Func<DateTimeOffset> clock;
    private readonly ConcurrentQueue<ScriptedAnswer> script = new();
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private readonly Channel<ReceivedWebhook> arrivals = Channel.CreateUnbounded<ReceivedWebhook>();

    private WebhookReceiver(WebApplication app, Func<DateTimeOffset> clock)
    {
        this.app = app;
        this.clock = clock;
    }

    /// <summary><c>http://127.0.0.1:{port}</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The URL to register: a path with a query, so that both travel through the sidecar.</summary>
    public string HookUrl => new Uri(BaseUrl, "/hooks/scorpius?source=test").ToString();

    /// <summary>The secrets (<c>whsec_</c>) and public keys (<c>whpk_</c>) the receiver trusts.</summary>
    public ConcurrentBag<string> Keys { get; } = [];

    public IReadOnlyList<ReceivedWebhook> Received => [.. received];

    public static async Task<WebhookReceiver> StartAsync(Func<DateTimeOffset>? clock = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, clock ?? (() => DateTimeOffset.UtcNow));
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseUrl = new Uri(app.Urls.Single());
        return receiver;
    }

    public void Answer(params ScriptedAnswer[] answers)
    {
        foreach (var answer in answers) script.Enqueue(answer);
    }

    /// <summary>Waits for the next request (in arrival order) for at most 30 s.</summary>
    public async Task<ReceivedWebhook> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await arrivals.Reader.ReadAsync(timeout.Token);
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = buffer.ToArray();
        var headers = context.Request.Headers;
        var verification = WebhookVerifier.Verify(
            headers[WebhookVerifier.IdHeader], headers[WebhookVerifier.TimestampHeader], headers[WebhookVerifier.SignatureHeader], body, [.. Keys], clock());
        var webhook = new ReceivedWebhook(context.Request.Path + context.Request.QueryString, headers[WebhookVerifier.IdHeader],
            headers[WebhookVerifier.TimestampHeader], headers[WebhookVerifier.SignatureHeader], body, verification,
            headers.UserAgent, context.Request.ContentType);
        received.Enqueue(webhook);
        arrivals.Writer.TryWrite(webhook);

        var answer = script.TryDequeue(out var next) ? next : ScriptedAnswer.Ok;
        if (answer.Hang)
        {
            try { await Task.Delay(Timeout.Infinite, context.RequestAborted); } catch (OperationCanceledException) { }
            return;
        }
        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
        if (answer.Body is not null) await context.Response.WriteAsync(answer.Body);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
