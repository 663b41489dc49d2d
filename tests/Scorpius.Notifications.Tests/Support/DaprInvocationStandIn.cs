using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Scorpius.Notifications.Tests.Support;

/// <summary>
/// A stand-in for daprd's HTTP API where the shared fake sidecar has none: service invocation of an external URL
/// (<c>/v1.0/invoke/{url-encoded scheme://host:port}/method/{path}</c>) and the health endpoints. It is a test double
/// modelled on dapr/dapr (pkg/api/http/directmessaging.go: target and method from the raw path, target unescaped;
/// the API token checked and stripped; pkg/runtime/channels: the client never follows redirects): it forwards
/// method, headers, body and query to the URL and hands back status, headers and body; when the URL cannot be
/// reached it answers 500 ERR_DIRECT_INVOKE. It does not model resiliency policies, mTLS or HTTPEndpoint resources.
/// </summary>
public sealed class DaprInvocationStandIn : IAsyncDisposable
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "dapr-api-token", "Content-Length", "Transfer-Encoding", "Connection",
    };

    private readonly WebApplication app;
    private readonly HttpClient http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ConcurrentQueue<string> invocations = new();

    private DaprInvocationStandIn(WebApplication app, string apiToken, string? appsEndpoint)
    {
        this.app = app;
        ApiToken = apiToken;
        this.appsEndpoint = appsEndpoint;
    }

    /// <summary>Where invocations of app-ids (not URLs) go: the fake sidecar's HTTP endpoint, which knows the apps.</summary>
    private readonly string? appsEndpoint;

    public string ApiToken { get; }
    public string Endpoint { get; private set; } = "";

    /// <summary>Every external URL invoked (scheme, host, port, path and query), in order.</summary>
    public IReadOnlyList<string> Invocations => [.. invocations];

    public static async Task<DaprInvocationStandIn> StartAsync(string apiToken, string? appsEndpoint = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var standIn = new DaprInvocationStandIn(app, apiToken, appsEndpoint);
        app.MapGet("/v1.0/healthz", () => Results.NoContent());
        app.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());
        app.Map("/v1.0/invoke/{**rest}", standIn.InvokeAsync);
        await app.StartAsync();
        standIn.Endpoint = app.Urls.Single();
        return standIn;
    }

    private async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers["dapr-api-token"] != ApiToken)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        // daprd reads the raw path: %2F in the target must not be decoded before the split at /method/.
        var raw = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var path = raw.Split('?', 2)[0]["/v1.0/invoke/".Length..];
        var split = path.IndexOf("/method/", StringComparison.Ordinal);
        var target = split > 0 ? Uri.UnescapeDataString(path[..split]) : "";
        var isUrl = target.StartsWith("http://", StringComparison.Ordinal) || target.StartsWith("https://", StringComparison.Ordinal);
        if (!isUrl && appsEndpoint is not null)
        {
            await ForwardAsync(context, $"{appsEndpoint}{raw}", target, apiToken: ApiToken);
            return;
        }
        if (!isUrl)
        {
            await Results.Problem($"The stand-in models only invocation of external URLs, not '{target}'.", statusCode: 501).ExecuteAsync(context);
            return;
        }

        var url = $"{target}/{path[(split + "/method/".Length)..]}{context.Request.QueryString}";
        invocations.Enqueue(url);
        await ForwardAsync(context, url, target, apiToken: null);
    }

    private async Task ForwardAsync(HttpContext context, string url, string target, string? apiToken)
    {
        using var forward = new HttpRequestMessage(new HttpMethod(context.Request.Method), url);
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        forward.Content = new ByteArrayContent(body.ToArray());
        foreach (var (name, values) in context.Request.Headers.Where(h => !NotForwarded.Contains(h.Key)))
        {
            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                forward.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        if (apiToken is not null) forward.Headers.TryAddWithoutValidation("dapr-api-token", apiToken);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(forward, context.RequestAborted);
        }
        catch (HttpRequestException ex)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new { errorCode = "ERR_DIRECT_INVOKE", message = $"failed to invoke, id: {target}, err: {ex.Message}" });
            return;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers).Where(h => !NotForwarded.Contains(h.Key)))
                context.Response.Headers[name] = values.ToArray();
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
