using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Scorpius.AuthProxy.Identity;

namespace Scorpius.AuthProxy.ApiKeys;

/// <summary>
/// API keys of the form <c>scp_{live|test}_{keyId}_{secret}</c>: the prefix names the environment, the 16-character key id
/// finds the row, and the 256-bit secret is kept only as its SHA-256, compared in constant time.
/// </summary>
public sealed class ApiKeyService(AuthDbContext db, TimeProvider clock)
{
    public const string Live = "live";
    public const string Test = "test";
    private const int KeyIdLength = 16;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public sealed record Created(ApiKey Key, string PlainText);

    public async Task<Created> CreateAsync(string tenantId, string name, string environment, IReadOnlyCollection<string> scopes,
        TimeSpan lifetime, string createdBy, CancellationToken cancellationToken)
    {
        if (environment is not (Live or Test)) throw new ArgumentException($"Environment must be '{Live}' or '{Test}'.", nameof(environment));
        if (scopes.FirstOrDefault(s => !Permissions.IsKnown(s)) is { } unknown) throw new ArgumentException($"Unknown scope '{unknown}'.", nameof(scopes));
        if (lifetime <= TimeSpan.Zero || lifetime > TimeSpan.FromDays(366)) throw new ArgumentOutOfRangeException(nameof(lifetime), "A key lives between a second and a year.");

        var keyId = RandomNumberGenerator.GetString(Alphabet, KeyIdLength);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var key = new ApiKey
        {
            Id = keyId, TenantId = tenantId, Name = name, Environment = environment, SecretHash = Hash(secret),
            Scopes = string.Join(' ', scopes.Distinct(StringComparer.Ordinal)), CreatedBy = createdBy, CreatedAt = now, ExpiresAt = now + lifetime,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return new Created(key, $"scp_{environment}_{keyId}_{secret}");
    }

    /// <summary>The key a presented string stands for, if it is well formed, matches, and is neither expired nor revoked; records its use.</summary>
    public async Task<ApiKey?> ValidateAsync(string presented, CancellationToken cancellationToken)
    {
        if (!TryParseKey(presented, out var environment, out var keyId, out var secret)) return null;
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        // Hash even when no row matches, so the timing does not tell a wrong id from a wrong secret.
        var hash = Hash(secret);
        if (key is null || !CryptographicOperations.FixedTimeEquals(hash, key.SecretHash)) return null;
        var now = clock.GetUtcNow();
        if (key.Environment != environment || key.RevokedAt is not null || key.ExpiresAt <= now) return null;
        key.LastUsedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return key;
    }

    public async Task<ApiKey?> RevokeAsync(string tenantId, string keyId, CancellationToken cancellationToken)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.TenantId == tenantId, cancellationToken);
        if (key is null) return null;
        key.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return key;
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        await db.ApiKeys.Where(k => k.TenantId == tenantId).OrderBy(k => k.Id).ToListAsync(cancellationToken);

    public static bool TryParseKey(string presented, out string environment, out string keyId, out string secret)
    {
        environment = keyId = secret = "";
        var parts = presented.Split('_');
        if (parts is not ["scp", Live or Test, { Length: KeyIdLength }, { Length: 64 }]) return false;
        if (!parts[2].All(Alphabet.Contains)) return false;
        (environment, keyId, secret) = (parts[1], parts[2], parts[3]);
        return true;
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
