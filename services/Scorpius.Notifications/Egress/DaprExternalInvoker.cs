using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace Scorpius.Notifications.Egress;

/// <summary>What came back from one POST: the status (null when there was no answer), a Retry-After, an excerpt of the body.</summary>
public sealed record EgressResponse(int? StatusCode, TimeSpan? RetryAfter, string? Excerpt, string? Location, bool TimedOut, string? Error)
{
    public const int ExcerptLength = 512;
}

/// <summary>
/// The one place where webhooks leave the app: Dapr service invocation of an external endpoint,
/// <c>POST {sidecar}/v1.0/invoke/{url-encoded scheme://host:port}/method/{path}?{query}</c>. daprd forwards the body
/// bytes and the headers unchanged (it strips <c>dapr-api-token</c>), never follows redirects (its app client answers
/// <c>http.ErrUseLastResponse</c>), and returns the endpoint's status, headers and body. A response from daprd itself
/// (e.g. 500 <c>ERR_DIRECT_INVOKE</c> when the host cannot be reached) is a failed attempt like any other.
/// </summary>
public sealed class DaprExternalInvoker(HttpClient http, IConfiguration configuration, TimeProvider time, IOptions<NotificationsOptions> options)
{
    /// <summary>The HttpClient is configured in <see cref="NotificationsServiceCollectionExtensions"/>: no redirects, no proxy.</summary>
    public const string HttpClientName = "dapr-egress";

    private readonly string sidecar = SidecarHttpEndpoint(configuration);
    private readonly string apiToken = configuration["DAPR_API_TOKEN"] ?? "";

    public async Task<EgressResponse> PostAsync(Uri target, IReadOnlyDictionary<string, string> headers, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(headers);
        var origin = $"{target.Scheme}://{target.Authority}";
        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"{sidecar}/v1.0/invoke/{Uri.EscapeDataString(origin)}/method/{target.PathAndQuery.TrimStart('/')}")
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        if (apiToken.Length > 0) request.Headers.TryAddWithoutValidation("dapr-api-token", apiToken);

        using var timeout = new CancellationTokenSource(options.Value.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            return new EgressResponse((int)response.StatusCode, RetryAfter(response.Headers.RetryAfter),
                await ExcerptAsync(response.Content, linked.Token), response.Headers.Location?.ToString(), TimedOut: false, Error: null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new EgressResponse(null, null, null, null, TimedOut: true, $"No answer within {options.Value.RequestTimeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            return new EgressResponse(null, null, null, null, TimedOut: false, ex.Message);
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? value) => value switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static async Task<string?> ExcerptAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[EgressResponse.ExcerptLength];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n && n > 0) read += n;
        return read == 0 ? null : Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>daprd's HTTP API, named as <c>Scorpius.ServiceDefaults.DaprEndpoints</c> names it for the DaprClient.</summary>
    private static string SidecarHttpEndpoint(IConfiguration configuration) =>
        (configuration["DAPR_HTTP_ENDPOINT"]
            ?? (configuration["DAPR_HTTP_PORT"] is { Length: > 0 } port ? $"http://127.0.0.1:{port}" : "http://127.0.0.1:3500")).TrimEnd('/');
}
