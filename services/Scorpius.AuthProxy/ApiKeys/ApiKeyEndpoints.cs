using Scorpius.ServiceDefaults.Security;
using System.Security.Claims;
using OpenIddict.Abstractions;
using Scorpius.AuthProxy.Identity;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.ApiKeys;

public sealed record CreateApiKeyRequest(string Name, string Environment, IReadOnlyList<string> Scopes, int ExpiresInDays);

public sealed record ApiKeyView(string Id, string Name, string Environment, IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt)
{
    public static ApiKeyView Of(ApiKey k) => new(k.Id, k.Name, k.Environment, k.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt);
}

/// <summary>The key in plain text appears in this response only.</summary>
public sealed record CreatedApiKey(string Key, ApiKeyView ApiKey);

public sealed record ValidateApiKeyRequest(string Key);

/// <summary>Shaped like an RFC 7662 introspection answer.</summary>
public sealed record ApiKeyPrincipal(bool Active, string? Sub = null, [property: System.Text.Json.Serialization.JsonPropertyName("tenant_id")] string? TenantId = null, string? Scope = null,
    string? Environment = null, long? Exp = null);

public static class ApiKeyEndpoints
{
    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/v1/api-keys").WithTags("API keys");
        keys.MapPost("/", CreateAsync).RequireScope(Scorpius.Contracts.Permissions.UsersManage);
        keys.MapGet("/", async (ClaimsPrincipal user, ApiKeyService service, CancellationToken ct) =>
            (await service.ListAsync(TenantOf(user), ct)).Select(ApiKeyView.Of)).RequireScope(Scorpius.Contracts.Permissions.UsersManage);
        keys.MapDelete("/{id}", RevokeAsync).RequireScope(Scorpius.Contracts.Permissions.UsersManage);
        keys.MapPost("/validate", ValidateAsync).RequirePrincipal("A platform principal checks a presented API key, like RFC 7662 introspection.");
        return app;
    }

    internal static string TenantOf(ClaimsPrincipal user) =>
        user.GetClaim(ScorpiusClaims.TenantId) ?? throw new InvalidOperationException("The principal carries no tenant.");

    private static async Task<IResult> CreateAsync(CreateApiKeyRequest request, ClaimsPrincipal user, ApiKeyService service, AuditPublisher audit, CancellationToken ct)
    {
        // A caller can hand out only scopes it holds itself.
        if (request.Scopes.FirstOrDefault(s => !OpenIddict.Abstractions.OpenIddictExtensions.HasScope(user, s)) is { } notHeld)
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Scope not held", detail: $"The caller does not hold '{notHeld}'.");
        ApiKeyService.Created created;
        try
        {
            created = await service.CreateAsync(TenantOf(user), request.Name, request.Environment, request.Scopes,
                TimeSpan.FromDays(request.ExpiresInDays), user.GetClaim(Claims.Subject)!, ct);
        }
        catch (ArgumentException ex)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [ex.ParamName ?? "request"] = [ex.Message] });
        }
        await audit.PublishAsync(created.Key.TenantId, created.Key.CreatedBy, "api-key.create", $"api-key/{created.Key.Id}", "success", null,
            new Dictionary<string, string> { ["scopes"] = created.Key.Scopes, ["environment"] = created.Key.Environment }, ct);
        return Results.Created($"/v1/api-keys/{created.Key.Id}", new CreatedApiKey(created.PlainText, ApiKeyView.Of(created.Key)));
    }

    private static async Task<IResult> RevokeAsync(string id, ClaimsPrincipal user, ApiKeyService service, AuditPublisher audit, CancellationToken ct)
    {
        var key = await service.RevokeAsync(TenantOf(user), id, ct);
        if (key is null) return Results.NotFound();
        await audit.PublishAsync(key.TenantId, user.GetClaim(Claims.Subject)!, "api-key.revoke", $"api-key/{key.Id}", "success", null, null, ct);
        return Results.NoContent();
    }

    private static async Task<ApiKeyPrincipal> ValidateAsync(ValidateApiKeyRequest request, ApiKeyService service, CancellationToken ct)
    {
        var key = await service.ValidateAsync(request.Key ?? "", ct);
        return key is null
            ? new ApiKeyPrincipal(false)
            : new ApiKeyPrincipal(true, $"api-key:{key.Id}", key.TenantId, key.Scopes, key.Environment, key.ExpiresAt.ToUnixTimeSeconds());
    }
}
