using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Scorpius.Notifications.Endpoints;

namespace Scorpius.Notifications.Delivery;

/// <summary>
/// Message bodies. The Standard Webhooks payload (<c>type</c>, <c>timestamp</c>, <c>data</c>) is built once per message
/// and sent byte for byte on every attempt; Slack, Discord, e-mail and SMS bodies are rendered from it.
/// </summary>
public static class Payloads
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static string Standard(string eventType, DateTimeOffset occurredAt, JsonNode data) =>
        new JsonObject
        {
            ["type"] = eventType,
            ["timestamp"] = occurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["data"] = data.DeepClone(),
        }.ToJsonString(Web);

    /// <summary>The body for a webhook endpoint of <paramref name="format"/>.</summary>
    public static string ForWebhook(PayloadFormat format, WebhookMessage message) => format switch
    {
        PayloadFormat.Slack => new JsonObject { ["text"] = Text(message, "*") }.ToJsonString(Web),
        PayloadFormat.Discord => new JsonObject { ["content"] = Truncate(Text(message, "**"), 2000) }.ToJsonString(Web),
        _ => message.Payload,
    };

    public static (string Subject, string Html) ForEmail(WebhookMessage message)
    {
        var (title, lines) = Summary(message);
        var html = $"<h2>{WebUtility.HtmlEncode(title)}</h2><ul>{string.Concat(lines.Select(l => $"<li>{WebUtility.HtmlEncode(l)}</li>"))}</ul>"
            + $"<p>Message {WebUtility.HtmlEncode(message.Id)}, tenant {WebUtility.HtmlEncode(message.TenantId)}.</p>";
        return ($"[Scorpius] {title}", html);
    }

    /// <summary>At most 160 characters: one SMS segment.</summary>
    public static string ForSms(WebhookMessage message)
    {
        var (title, lines) = Summary(message);
        return Truncate(string.Join(" | ", lines.Prepend($"Scorpius: {title}")), 160);
    }

    private static string Text(WebhookMessage message, string bold)
    {
        var (title, lines) = Summary(message);
        return $"{bold}{title}{bold}\n" + string.Join('\n', lines);
    }

    /// <summary>A title and detail lines: alerts and assessments by their fields, any other event by its type.</summary>
    private static (string Title, IReadOnlyList<string> Lines) Summary(WebhookMessage message)
    {
        var data = JsonNode.Parse(message.Payload)?["data"] as JsonObject ?? [];
        var lines = new List<string>();
        if (data["wallet"] is JsonObject wallet) lines.Add($"Wallet: {wallet["chain"]} {wallet["address"]}");
        if (data["score"] is { } score) lines.Add($"Score: {score}");
        lines.Add($"Event: {message.EventType} {message.EventId}");
        lines.Add($"Occurred: {message.OccurredAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC");

        var title = (string?)data["title"] is { Length: > 0 } t ? t
            : (string?)data["verdict"] is { Length: > 0 } v ? $"Verdict {v}"
            : message.EventType;
        var severity = (string?)data["severity"];
        return (severity is { Length: > 0 } ? $"[{severity.ToUpperInvariant()}] {title}" : title, lines);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
