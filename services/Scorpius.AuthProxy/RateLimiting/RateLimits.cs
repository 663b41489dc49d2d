using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Net.Http.Headers;

namespace Scorpius.AuthProxy.RateLimiting;

/// <summary>
/// Fixed-window rate limits (<c>AuthProxy:RateLimits</c>): the token endpoint per client id, login per remote address +
/// tenant + e-mail, MFA per remote address + challenge. A refused request gets a 429 problem with <c>Retry-After</c>.
/// </summary>
public static class RateLimits
{
    public const string Token = "token", Login = "login", Mfa = "mfa";
    private const string KeyItem = "scorpius.rate-limit-key";

    public static IServiceCollection AddAuthProxyRateLimits(this IServiceCollection services, RateLimitOptions limits)
    {
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Token, ctx => Partition(ctx, Token, limits.Token));
            o.AddPolicy(Login, ctx => Partition(ctx, Login, limits.Login));
            o.AddPolicy(Mfa, ctx => Partition(ctx, Mfa, limits.Mfa));
            o.OnRejected = async (rejected, ct) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 60;
                rejected.HttpContext.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: $"Try again in {seconds} seconds.").ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, string policy, RateLimit limit)
    {
        var key = policy + "|" + (context.Connection.RemoteIpAddress?.ToString() ?? "-") + "|" + (context.Items[KeyItem] as string ?? "");
        if (policy == Token) key = policy + "|" + (context.Items[KeyItem] as string ?? "-");
        return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit, Window = limit.Window, QueueLimit = 0, AutoReplenishment = true,
        });
    }

    /// <summary>
    /// Reads what the partitions need before the limiter runs (its partitioner cannot await): the client id of a token request
    /// (form or Basic credentials), and tenant + e-mail or the challenge of a login or MFA request (JSON body, rewound afterwards).
    /// </summary>
    public static async Task PrepareKeyAsync(HttpContext context, Func<Task> next)
    {
        var request = context.Request;
        if (HttpMethods.IsPost(request.Method) && request.Path.Equals(Tokens.TokenEndpoints.Token, StringComparison.OrdinalIgnoreCase))
        {
            string? clientId = null;
            if (request.Headers.Authorization.ToString() is { } basic && basic.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            {
                try { clientId = Uri.UnescapeDataString(Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..].Trim())).Split(':')[0]); }
                catch (FormatException) { }
            }
            if (clientId is null && request.HasFormContentType) clientId = (await request.ReadFormAsync(context.RequestAborted))["client_id"].ToString();
            context.Items[KeyItem] = clientId ?? "";
        }
        else if (HttpMethods.IsPost(request.Method) && (request.Path.StartsWithSegments("/v1/login") || request.Path.StartsWithSegments("/v1/mfa")))
        {
            var key = request.Headers[Scorpius.AuthProxy.Mfa.MfaEndpoints.ChallengeHeader].ToString();
            if (request.HasJsonContentType() && request.ContentLength is null or <= 64 * 1024)
            {
                request.EnableBuffering();
                try
                {
                    using var json = await JsonDocument.ParseAsync(request.Body, cancellationToken: context.RequestAborted);
                    if (json.RootElement.ValueKind == JsonValueKind.Object)
                        // Property names match case-insensitively, as model binding does, so casing cannot open a fresh partition.
                        key += string.Join('|', new[] { "tenant", "email", "challenge" }.Select(name =>
                            json.RootElement.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } v
                                ? v.GetString()!.Trim().ToLowerInvariant() : ""));
                }
                catch (JsonException) { }
                request.Body.Position = 0;
            }
            context.Items[KeyItem] = key;
        }
        await next();
    }
}
