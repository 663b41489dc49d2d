using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Scorpius.Notifications.Delivery;
using Scorpius.Notifications.Egress;
using Scorpius.Notifications.Signing;

namespace Scorpius.Notifications.Endpoints;

/// <summary>A new or replaced endpoint. <c>url</c>: <c>https://…</c> (webhook), <c>mailto:…</c> (e-mail) or <c>sms:+…</c> (SMS, E.164).</summary>
public sealed record EndpointRequest(string? Url, IReadOnlyList<string>? EventTypes, PayloadFormat? Format = null, string? Description = null, bool? Enabled = null);

public sealed record SigningKeyResponse(string Id, SigningKeyKind Kind, string? PublicKey, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

public sealed record EndpointResponse(
    string Id, string Url, Channel Channel, PayloadFormat Format, IReadOnlyList<string> EventTypes, bool Enabled, string? Description,
    string? DisabledReason, IReadOnlyList<SigningKeyResponse> SigningKeys, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static EndpointResponse From(WebhookEndpoint e, DateTimeOffset now) => new(
        e.Id, e.Url, e.Channel, e.Format, e.EventTypes, e.Enabled, e.Description, e.DisabledReason,
        [.. e.Keys.Where(k => k.IsActive(now)).Select(k => new SigningKeyResponse(k.Id, k.Kind, k.PublicKey, k.CreatedAt, k.ExpiresAt))],
        e.CreatedAt, e.UpdatedAt);
}

/// <summary>The answer to a create: <see cref="SigningSecret"/> (<c>whsec_…</c>, webhooks only) is shown here once and never again.</summary>
public sealed record EndpointCreated(EndpointResponse Endpoint, string? SigningSecret);

/// <summary>A new key; the endpoint's previous keys of the same kind keep signing until <see cref="PreviousKeysExpireAt"/>.</summary>
public sealed record KeyRotated(string KeyId, string? SigningSecret, string? PublicKey, DateTimeOffset PreviousKeysExpireAt);

/// <summary>REST API of a tenant's notification endpoints: <c>/v1/tenants/{tenantId}/endpoints</c>.</summary>
public static partial class EndpointApi
{
    public static IEndpointRouteBuilder MapEndpointApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("v1/tenants/{tenantId}/endpoints").WithTags("Notification endpoints")
            .RequireScope(Permissions.WebhooksManage).RequireRouteTenant();
        group.MapPost("", CreateAsync).WithName("CreateEndpoint");
        group.MapGet("", ListAsync).WithName("ListEndpoints");
        group.MapGet("{endpointId}", GetAsync).WithName("GetEndpoint");
        group.MapPut("{endpointId}", UpdateAsync).WithName("UpdateEndpoint");
        group.MapDelete("{endpointId}", DeleteAsync).WithName("DeleteEndpoint");
        group.MapPost("{endpointId}/secret/rotate", RotateSecretAsync).WithName("RotateEndpointSecret");
        group.MapPost("{endpointId}/ed25519", AddEd25519KeyAsync).WithName("AddEndpointEd25519Key");
        return app;
    }

    /// <summary>Dependencies of the handlers.</summary>
    public sealed record Services(EndpointStore Store, SecretProtector Secrets, SsrfGuard Guard, TimeProvider Time, IOptions<NotificationsOptions> Options);

    public static async Task<Results<Created<EndpointCreated>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        string tenantId, EndpointRequest request, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        if (Validate(tenantId, request, s.Guard, out var webhook) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (await RefusedAsync(webhook, s.Guard, cancellationToken) is { } refused) return refused;
        var now = s.Time.GetUtcNow();
        var id = WebhookEndpoint.NewId();
        var endpoint = new WebhookEndpoint(id, tenantId, request.Url!, request.Format ?? PayloadFormat.Standard, [.. request.EventTypes!.Distinct()],
            request.Enabled ?? true, request.Description, [], 0, null, now, now);
        string? secret = null;
        if (endpoint.Channel == Channel.Webhook)
        {
            secret = WebhookSigner.NewSecret();
            endpoint = endpoint with { Keys = [await NewKeyAsync(endpoint, SigningKeyKind.Hmac, secret, null, now, s.Secrets, cancellationToken)] };
        }

        var max = s.Options.Value.MaxEndpointsPerTenant;
        var added = await s.Store.UpdateAsync<bool>(tenantId, all => all.Count >= max ? (null, false) : ([.. all, endpoint], true), cancellationToken);
        if (!added)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many endpoints", detail: $"A tenant has at most {max} endpoints.");
        return TypedResults.Created($"/v1/tenants/{tenantId}/endpoints/{id}", new EndpointCreated(EndpointResponse.From(endpoint, now), secret));
    }

    public static async Task<Ok<EndpointResponse[]>> ListAsync(string tenantId, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        var now = s.Time.GetUtcNow();
        return TypedResults.Ok((await s.Store.ListAsync(tenantId, cancellationToken)).Select(e => EndpointResponse.From(e, now)).ToArray());
    }

    public static async Task<Results<Ok<EndpointResponse>, ProblemHttpResult>> GetAsync(
        string tenantId, string endpointId, [AsParameters] Services s, CancellationToken cancellationToken) =>
        await s.Store.GetAsync(tenantId, endpointId, cancellationToken) is { } endpoint
            ? TypedResults.Ok(EndpointResponse.From(endpoint, s.Time.GetUtcNow()))
            : NotFound(tenantId, endpointId);

    /// <summary>Replaces URL, event types, format, description and enabled. Re-enabling clears the disabled reason and the failure run.</summary>
    public static async Task<Results<Ok<EndpointResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string tenantId, string endpointId, EndpointRequest request, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        if (Validate(tenantId, request, s.Guard, out var webhook) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (await RefusedAsync(webhook, s.Guard, cancellationToken) is { } refused) return refused;
        var existing = await s.Store.GetAsync(tenantId, endpointId, cancellationToken);
        if (existing is null) return NotFound(tenantId, endpointId);
        if ((existing with { Url = request.Url! }).Channel != existing.Channel)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["url"] = ["The channel (webhook, e-mail, SMS) of an endpoint cannot change; create a new endpoint."] });

        var now = s.Time.GetUtcNow();
        var enabled = request.Enabled ?? true;
        var updated = await s.Store.UpdateOneAsync(tenantId, endpointId, e => e with
        {
            Url = request.Url!,
            EventTypes = [.. request.EventTypes!.Distinct()],
            Format = request.Format ?? PayloadFormat.Standard,
            Description = request.Description,
            Enabled = enabled,
            DisabledReason = enabled ? null : e.DisabledReason,
            ExhaustedRun = enabled && !e.Enabled ? 0 : e.ExhaustedRun,
            UpdatedAt = now,
        }, cancellationToken);
        return updated is null ? NotFound(tenantId, endpointId) : TypedResults.Ok(EndpointResponse.From(updated, now));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string tenantId, string endpointId, [AsParameters] Services s, CancellationToken cancellationToken)
    {
        var deleted = await s.Store.UpdateAsync<bool>(tenantId,
            all => all.Any(e => e.Id == endpointId) ? ([.. all.Where(e => e.Id != endpointId)], true) : (null, false), cancellationToken);
        return deleted ? TypedResults.NoContent() : NotFound(tenantId, endpointId);
    }

    /// <summary>A new <c>whsec_</c> secret, shown once; the old one keeps signing for <see cref="NotificationsOptions.RotationOverlap"/>.</summary>
    public static Task<Results<Ok<KeyRotated>, ProblemHttpResult>> RotateSecretAsync(
        string tenantId, string endpointId, [AsParameters] Services s, CancellationToken cancellationToken) =>
        AddKeyAsync(tenantId, endpointId, SigningKeyKind.Hmac, s, cancellationToken);

    /// <summary>A new Ed25519 key pair: the endpoint then also signs <c>v1a</c>. The answer carries the <c>whpk_</c> public key to verify with.</summary>
    public static Task<Results<Ok<KeyRotated>, ProblemHttpResult>> AddEd25519KeyAsync(
        string tenantId, string endpointId, [AsParameters] Services s, CancellationToken cancellationToken) =>
        AddKeyAsync(tenantId, endpointId, SigningKeyKind.Ed25519, s, cancellationToken);

    private static async Task<Results<Ok<KeyRotated>, ProblemHttpResult>> AddKeyAsync(
        string tenantId, string endpointId, SigningKeyKind kind, Services s, CancellationToken cancellationToken)
    {
        var existing = await s.Store.GetAsync(tenantId, endpointId, cancellationToken);
        if (existing is null) return NotFound(tenantId, endpointId);
        if (existing.Channel != Channel.Webhook)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not a webhook", detail: "Only webhook endpoints have signing keys.");

        var now = s.Time.GetUtcNow();
        var (secret, publicKey) = kind == SigningKeyKind.Hmac ? (WebhookSigner.NewSecret(), null) : WebhookSigner.NewEd25519KeyPair();
        var key = await NewKeyAsync(existing, kind, secret, publicKey, now, s.Secrets, cancellationToken);
        var expireAt = now + s.Options.Value.RotationOverlap;
        var updated = await s.Store.UpdateOneAsync(tenantId, endpointId, e => e with
        {
            Keys =
            [
                .. e.Keys.Where(k => k.IsActive(now))
                    .Select(k => k.Kind == kind && (k.ExpiresAt is null || k.ExpiresAt > expireAt) ? k with { ExpiresAt = expireAt } : k),
                key,
            ],
            UpdatedAt = now,
        }, cancellationToken);
        if (updated is null) return NotFound(tenantId, endpointId);
        return TypedResults.Ok(new KeyRotated(key.Id, kind == SigningKeyKind.Hmac ? secret : null, publicKey, expireAt));
    }

    private static async Task<SigningKey> NewKeyAsync(
        WebhookEndpoint endpoint, SigningKeyKind kind, string secret, string? publicKey, DateTimeOffset now, SecretProtector secrets, CancellationToken cancellationToken)
    {
        var keyId = "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        return new SigningKey(keyId, kind, await secrets.ProtectAsync(secret, endpoint.ProtectionContext(keyId), cancellationToken), publicKey, now, null);
    }

    private static Dictionary<string, string[]> Validate(string tenantId, EndpointRequest request, SsrfGuard guard, out Uri? webhook)
    {
        var errors = new Dictionary<string, string[]>();
        if (!EventSubscriptions.TenantId().IsMatch(tenantId)) errors["tenantId"] = ["Letters, digits, '.', '_' and '-', at most 128."];
        if (request.EventTypes is not { Count: > 0 } types || types.Any(t => !EventTypes.All.Contains(t)))
            errors["eventTypes"] = [$"One or more of: {string.Join(", ", EventTypes.All)}."];
        if (request.Description is { Length: > 200 }) errors["description"] = ["At most 200 characters."];

        webhook = null;
        var url = request.Url ?? "";
        if (url.StartsWith(WebhookEndpoint.MailtoScheme, StringComparison.OrdinalIgnoreCase))
        {
            var address = url[WebhookEndpoint.MailtoScheme.Length..];
            if (!MailAddress.TryCreate(address, out var parsed) || parsed.Address != address)
                errors["url"] = ["mailto: needs one plain e-mail address, e.g. mailto:secops@example.com."];
        }
        else if (url.StartsWith(WebhookEndpoint.SmsScheme, StringComparison.OrdinalIgnoreCase))
        {
            if (!E164().IsMatch(url[WebhookEndpoint.SmsScheme.Length..])) errors["url"] = ["sms: needs a phone number in E.164 form, e.g. sms:+41791234567."];
        }
        else if (!guard.TryParseUrl(url, out var parsed, out var error))
        {
            errors["url"] = [error];
        }
        else
        {
            webhook = parsed;
        }
        if (webhook is null && request.Format is { } format && format != PayloadFormat.Standard)
            errors["format"] = ["Slack and Discord formats are for webhook URLs."];
        return errors;
    }

    /// <summary>The SSRF guard's refusal of a webhook URL (checked again before every attempt), or null.</summary>
    private static async Task<ProblemHttpResult?> RefusedAsync(Uri? webhook, SsrfGuard guard, CancellationToken cancellationToken) =>
        webhook is not null && await guard.CheckAsync(webhook, cancellationToken) is { Allowed: false } verdict
            ? TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "URL refused", detail: verdict.Reason)
            : null;

    private static ProblemHttpResult NotFound(string tenantId, string endpointId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Endpoint not found", detail: $"Tenant '{tenantId}' has no endpoint '{endpointId}'.");

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex E164();
}
