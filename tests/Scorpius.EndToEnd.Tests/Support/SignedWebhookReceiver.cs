using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Scorpius.EndToEnd.Tests.Support;

/// <summary>One request the receiver got, when (a <see cref="Stopwatch"/> timestamp, taken before the body is read) and as sent.</summary>
public sealed record ArrivedWebhook(long ArrivedAt, string Path, string? Id, string? Timestamp, string? Signature, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public JsonNode? Json => JsonNode.Parse(BodyText);
}

/// <summary>
/// A customer's webhook receiver: a real Kestrel server on 127.0.0.1 that records every request and answers 200. It checks
/// nothing itself: <see cref="IsSignedBy"/> verifies a Standard Webhooks <c>v1</c> signature written from the
/// specification (HMAC-SHA256 over <c>{webhook-id}.{webhook-timestamp}.{body}</c> with the base64 key after <c>whsec_</c>),
/// independently of the notifications app's own signer and verifier.
/// </summary>
public sealed class SignedWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ArrivedWebhook> received = new();

    private SignedWebhookReceiver(WebApplication app) => this.app = app;

    /// <summary>The URL to register (a path and a query, so that both travel through the invocation).</summary>
    public string HookUrl { get; private set; } = "";

    public IReadOnlyList<ArrivedWebhook> Received => [.. received];

    public static async Task<SignedWebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new SignedWebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.HookUrl = new Uri(new Uri(app.Urls.Single()), "/hooks/scorpius?source=e2e").ToString();
        return receiver;
    }

    /// <summary>Waits (polling, at most <paramref name="timeout"/>) for a request <paramref name="match"/> accepts.</summary>
    public Task<ArrivedWebhook> WaitForAsync(Func<ArrivedWebhook, bool> match, TimeSpan timeout, string what) =>
        Eventually.ValueAsync(() => Task.FromResult(received.FirstOrDefault(match)), timeout, what);

    /// <summary>True when one <c>v1,</c> entry of the signature header is the HMAC-SHA256 of the signed content under <paramref name="secret"/>.</summary>
    public static bool IsSignedBy(ArrivedWebhook webhook, string secret)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        ArgumentNullException.ThrowIfNull(secret);
        if (webhook.Id is null || webhook.Timestamp is null || webhook.Signature is null) return false;
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);
        var signed = Encoding.UTF8.GetBytes($"{webhook.Id}.{webhook.Timestamp}.").Concat(webhook.Body).ToArray();
        var expected = HMACSHA256.HashData(key, signed);
        return webhook.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s.StartsWith("v1,", StringComparison.Ordinal))
            .Any(s => CryptographicOperations.FixedTimeEquals(TryBase64(s[3..]), expected));
    }

    private static byte[] TryBase64(string text)
    {
        try { return Convert.FromBase64String(text); }
        catch (FormatException) { return []; }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var arrivedAt = Stopwatch.GetTimestamp();
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var headers = context.Request.Headers;
        received.Enqueue(new ArrivedWebhook(arrivedAt, context.Request.Path + context.Request.QueryString,
            headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], buffer.ToArray()));
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
