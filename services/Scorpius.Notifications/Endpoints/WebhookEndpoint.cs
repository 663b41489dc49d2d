using System.Text.Json.Serialization;
using Scorpius.Contracts;

namespace Scorpius.Notifications.Endpoints;

/// <summary>The event types a tenant can subscribe an endpoint to; each is a topic this app subscribes to.</summary>
public static class EventTypes
{
    public static IReadOnlyList<string> All { get; } = [DaprNames.Topics.AlertRaised, DaprNames.Topics.AssessmentCompleted];
}

/// <summary>The body a webhook carries: the Standard Webhooks payload, or a chat template on top of it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PayloadFormat>))]
public enum PayloadFormat
{
    [JsonStringEnumMemberName("standard")] Standard,
    [JsonStringEnumMemberName("slack")] Slack,
    [JsonStringEnumMemberName("discord")] Discord,
}

/// <summary>How a message reaches an endpoint, from its URL: https:// (webhook), mailto: (e-mail), sms: (SMS).</summary>
public enum Channel { Webhook, Email, Sms }

[JsonConverter(typeof(JsonStringEnumConverter<SigningKeyKind>))]
public enum SigningKeyKind
{
    /// <summary>A <c>whsec_</c> secret: <c>v1</c> HMAC-SHA256 signatures.</summary>
    [JsonStringEnumMemberName("hmac")] Hmac,

    /// <summary>A <c>whsk_</c>/<c>whpk_</c> key pair: <c>v1a</c> Ed25519 signatures.</summary>
    [JsonStringEnumMemberName("ed25519")] Ed25519,
}

/// <summary>
/// A signing key of an endpoint. <see cref="Protected"/> is the secret (<c>whsec_…</c> or <c>whsk_…</c>) encrypted by
/// <see cref="SecretProtector"/>; <see cref="PublicKey"/> is the <c>whpk_…</c> of an Ed25519 key. A rotated-out key
/// keeps signing until <see cref="ExpiresAt"/>.
/// </summary>
public sealed record SigningKey(string Id, SigningKeyKind Kind, string Protected, string? PublicKey, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt)
{
    public bool IsActive(DateTimeOffset now) => ExpiresAt is null || ExpiresAt > now;
}

/// <summary>One destination of a tenant's notifications, as stored in the state store.</summary>
public sealed record WebhookEndpoint(
    string Id,
    string TenantId,
    string Url,
    PayloadFormat Format,
    IReadOnlyList<string> EventTypes,
    bool Enabled,
    string? Description,
    IReadOnlyList<SigningKey> Keys,
    int ExhaustedRun,
    string? DisabledReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public const string MailtoScheme = "mailto:";
    public const string SmsScheme = "sms:";

    [JsonIgnore]
    public Channel Channel =>
        Url.StartsWith(MailtoScheme, StringComparison.OrdinalIgnoreCase) ? Channel.Email
        : Url.StartsWith(SmsScheme, StringComparison.OrdinalIgnoreCase) ? Channel.Sms
        : Channel.Webhook;

    /// <summary>The e-mail address or phone number of an e-mail or SMS endpoint.</summary>
    [JsonIgnore]
    public string Recipient => Channel switch
    {
        Channel.Email => Url[MailtoScheme.Length..],
        Channel.Sms => Url[SmsScheme.Length..],
        _ => Url,
    };

    public bool Wants(string eventType) => Enabled && EventTypes.Contains(eventType, StringComparer.Ordinal);

    /// <summary>The associated data a key's ciphertext is bound to.</summary>
    public string ProtectionContext(string keyId) => $"{TenantId}/{Id}/{keyId}";

    public static string NewId() => "ep_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
}

/// <summary>All endpoints of a tenant: one state-store document, updated with optimistic concurrency.</summary>
public sealed record TenantEndpoints(IReadOnlyList<WebhookEndpoint> Endpoints);
