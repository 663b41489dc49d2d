using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Scorpius.ServiceDefaults.Security;

/// <summary>auth-proxy's <c>GET /v1/me</c> answer: who a credential stands for, while it is active.</summary>
public sealed record CredentialDescription(
    [property: JsonPropertyName("active")] bool Active,
    [property: JsonPropertyName("kind")] string? Kind = null,
    [property: JsonPropertyName("sub")] string? Sub = null,
    [property: JsonPropertyName("tenant_id")] string? TenantId = null,
    [property: JsonPropertyName("scope")] string? Scope = null,
    [property: JsonPropertyName("roles")] IReadOnlyList<string>? Roles = null,
    [property: JsonPropertyName("exp")] long? Exp = null);

/// <summary>The token server could not say whether a credential is active; the request is refused (fail closed).</summary>
public sealed class CredentialStatusUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Asks auth-proxy (<c>GET /v1/me</c> through Dapr service invocation, the credential as bearer) whether a credential is
/// active, and remembers the answer: "active" for <see cref="AuthSettings.CredentialCheckInterval"/> but never past the
/// credential's expiry, "not active" for <see cref="AuthSettings.NegativeCacheLifetime"/>. Keys of the cache are SHA-256
/// hashes: no credential is kept in memory in plain text.
/// </summary>
public sealed class CredentialStatus : IDisposable
{
    public const string MePath = "v1/me";

    private readonly AuthorityClient authority;
    private readonly AuthSettings settings;
    private readonly TimeProvider clock;
    private readonly MemoryCache cache;

    public CredentialStatus(AuthorityClient authority, IOptions<AuthSettings> options, TimeProvider clock)
    {
        this.authority = authority;
        settings = options.Value;
        this.clock = clock;
        cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = settings.MaxCachedCredentials, Clock = new SystemClockAdapter(clock) });
    }

    /// <summary>The credential's description when it is active, null when it is not; throws <see cref="CredentialStatusUnavailableException"/> when nobody can tell.</summary>
    public async Task<CredentialDescription?> DescribeAsync(string credential, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(credential)));
        if (cache.TryGetValue(key, out CredentialDescription? known)) return known!.Active ? known : null;

        var described = await AskAsync(credential, cancellationToken);
        var now = clock.GetUtcNow();
        var until = described.Active
            ? Min(now + settings.CredentialCheckInterval, described.Exp is { } exp ? DateTimeOffset.FromUnixTimeSeconds(exp) : DateTimeOffset.MaxValue)
            : now + settings.NegativeCacheLifetime;
        if (until > now) cache.Set(key, described, new MemoryCacheEntryOptions { AbsoluteExpiration = until, Size = 1 });
        return described.Active ? described : null;
    }

    /// <summary>Forgets what is known of a credential (after its revocation was announced).</summary>
    public void Forget(string credential) => cache.Remove(Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(credential))));

    private async Task<CredentialDescription> AskAsync(string credential, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/" + MePath);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
            using var response = await authority.SendAsync(request, cancellationToken);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) return new CredentialDescription(false);
            response.EnsureSuccessStatusCode();
            var described = await response.Content.ReadFromJsonAsync<CredentialDescription>(cancellationToken)
                ?? throw new CredentialStatusUnavailableException($"{settings.AuthorityAppId} answered /{MePath} with an empty body.");
            return described.Active && !string.IsNullOrEmpty(described.TenantId) && !string.IsNullOrEmpty(described.Sub) ? described : new CredentialDescription(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new CredentialStatusUnavailableException($"{settings.AuthorityAppId} could not be asked about a credential: {ex.Message}", ex);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    public void Dispose() => cache.Dispose();

    private sealed class SystemClockAdapter(TimeProvider clock) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => clock.GetUtcNow();
    }
}
