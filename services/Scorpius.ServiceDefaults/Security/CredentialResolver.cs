using Microsoft.Extensions.Caching.Memory;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Scorpius.Contracts;

namespace Scorpius.ServiceDefaults.Security;

/// <summary>The principal a credential stands for, or why it stands for none.</summary>
public sealed record CredentialResult(ClaimsPrincipal? Principal, string? Failure)
{
    public static CredentialResult Fail(string why) => new(null, why);
    public static CredentialResult Success(ClaimsPrincipal principal) => new(principal, null);
}

/// <summary>Turns a presented credential into a principal. Every app uses <see cref="DaprCredentialResolver"/>; the token server resolves its own.</summary>
public interface ICredentialResolver
{
    Task<CredentialResult> ResolveAsync(HttpContext context, Credential credential, CancellationToken cancellationToken);
}

/// <summary>
/// Access tokens are validated here (signature, issuer, audience, lifetime) and only then checked for revocation with
/// auth-proxy, through <see cref="CredentialStatus"/>'s cache; API keys are described by auth-proxy, once per check
/// interval. Malformed or forged credentials never reach auth-proxy.
/// </summary>
public sealed class DaprCredentialResolver(TokenValidator tokens, CredentialStatus status, ValidatedTokens validated) : ICredentialResolver
{
    public async Task<CredentialResult> ResolveAsync(HttpContext context, Credential credential, CancellationToken cancellationToken)
    {
        if (credential.Kind == CredentialKind.ApiKey)
        {
            if (!ApiKeyFormat.IsWellFormed(credential.Value)) return CredentialResult.Fail("The API key is malformed.");
            var key = await status.DescribeAsync(credential.Value, cancellationToken);
            return key is null ? CredentialResult.Fail("The API key is not active.") : CredentialResult.Success(PrincipalOf(key));
        }

        // A token seen and validated recently is not verified again (signature checks dominate the cost of a request);
        // its revocation status is still asked for on the status cache's own schedule.
        var claims = validated.Find(credential.Value);
        if (claims is null)
        {
            var result = await tokens.ValidateAsync(credential.Value, cancellationToken);
            if (!result.IsValid) return CredentialResult.Fail(result.Exception?.Message ?? "The access token is not valid.");
            claims = [.. result.ClaimsIdentity.Claims, new Claim(ScorpiusAuth.CredentialKindClaim, "access_token")];
            validated.Remember(credential.Value, claims, result.SecurityToken.ValidTo);
        }
        if (await status.DescribeAsync(credential.Value, cancellationToken) is null) return CredentialResult.Fail("The access token has been revoked.");
        return CredentialResult.Success(new ClaimsPrincipal(new ClaimsIdentity(claims, ScorpiusAuth.CredentialScheme, ScorpiusClaims.Subject, ScorpiusClaims.Role)));
    }

    internal static ClaimsPrincipal PrincipalOf(CredentialDescription key)
    {
        var identity = new ClaimsIdentity(ScorpiusAuth.CredentialScheme, ScorpiusClaims.Subject, ScorpiusClaims.Role);
        identity.AddClaim(new Claim(ScorpiusClaims.Subject, key.Sub!));
        identity.AddClaim(new Claim(ScorpiusClaims.TenantId, key.TenantId!));
        if (!string.IsNullOrWhiteSpace(key.Scope)) identity.AddClaim(new Claim(ScorpiusClaims.Scope, key.Scope));
        foreach (var role in key.Roles ?? []) identity.AddClaim(new Claim(ScorpiusClaims.Role, role));
        identity.AddClaim(new Claim(ScorpiusAuth.CredentialKindClaim, key.Kind ?? "api_key"));
        return new ClaimsPrincipal(identity);
    }
}

/// <summary>
/// Access tokens that passed validation, remembered (by SHA-256) until the earlier of their expiry and the credential check
/// interval, so a client sending the same token again is not verified again. Bounded in size.
/// </summary>
public sealed class ValidatedTokens : IDisposable
{
    private readonly Microsoft.Extensions.Caching.Memory.MemoryCache cache;
    private readonly TimeProvider clock;
    private readonly TimeSpan interval;

    public ValidatedTokens(Microsoft.Extensions.Options.IOptions<AuthSettings> options, TimeProvider clock)
    {
        this.clock = clock;
        interval = options.Value.CredentialCheckInterval;
        cache = new(new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions { SizeLimit = options.Value.MaxCachedCredentials });
    }

    public IReadOnlyList<Claim>? Find(string token) =>
        cache.TryGetValue(Key(token), out (IReadOnlyList<Claim> Claims, DateTimeOffset Until) entry) && entry.Until > clock.GetUtcNow() ? entry.Claims : null;

    public void Remember(string token, IReadOnlyList<Claim> claims, DateTime validTo)
    {
        var now = clock.GetUtcNow();
        var until = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
        if (now + interval < until) until = now + interval;
        if (until <= now) return;
        cache.Set(Key(token), (claims, until), new Microsoft.Extensions.Caching.Memory.MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = until });
    }

    private static string Key(string token) => Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    public void Dispose() => cache.Dispose();
}

/// <summary>The shape of an API key, <c>scp_{live|test}_{16 chars [a-z0-9]}_{64 hex}</c>, checked before anyone is asked about it.</summary>
public static class ApiKeyFormat
{
    public static bool IsWellFormed(string key)
    {
        var parts = key.Split('_');
        return parts is ["scp", "live" or "test", { Length: 16 } id, { Length: 64 } secret]
            && id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9')
            && secret.All(Uri.IsHexDigit);
    }
}
