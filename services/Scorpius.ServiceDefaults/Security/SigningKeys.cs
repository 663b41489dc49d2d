using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Scorpius.ServiceDefaults.Security;

/// <summary>
/// The token server's public signing keys (its JWKS), fetched through Dapr service invocation and kept for an hour.
/// A token signed with a key not in the set triggers one early refetch (at most every 30 s), which is how a signing-key
/// rotation reaches every app without a restart.
/// </summary>
public sealed partial class SigningKeys(AuthorityClient authority, IOptions<AuthSettings> settings, TimeProvider clock, ILogger<SigningKeys> logger)
{
    public const string JwksPath = ".well-known/jwks";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan MinRefetch = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile Snapshot? current;

    private sealed record Snapshot(IReadOnlyList<SecurityKey> Keys, DateTimeOffset FetchedAt)
    {
        public bool Has(string? kid) => kid is null || Keys.Any(k => k.KeyId == kid);
    }

    /// <summary>The keys to validate a token whose header names <paramref name="kid"/>; empty when the token server cannot be reached.</summary>
    public async ValueTask<IReadOnlyList<SecurityKey>> GetAsync(string? kid, CancellationToken cancellationToken)
    {
        var snapshot = current;
        if (IsFreshEnough(snapshot, kid)) return snapshot!.Keys;
        await gate.WaitAsync(cancellationToken);
        try
        {
            snapshot = current;
            if (IsFreshEnough(snapshot, kid)) return snapshot!.Keys;
            var keys = await FetchAsync(cancellationToken);
            current = snapshot = new Snapshot(keys, clock.GetUtcNow());
            return snapshot.Keys;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFetchFailed(logger, settings.Value.AuthorityAppId, ex);
            return current?.Keys ?? [];
        }
        finally
        {
            gate.Release();
        }
    }

    private bool IsFreshEnough(Snapshot? snapshot, string? kid)
    {
        if (snapshot is null) return false;
        var age = clock.GetUtcNow() - snapshot.FetchedAt;
        if (age >= Lifetime) return false;
        // An unknown key id: refetch, unless we just did (a forged kid must not turn every request into a fetch).
        return snapshot.Has(kid) || age < MinRefetch;
    }

    private async Task<IReadOnlyList<SecurityKey>> FetchAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/" + JwksPath);
        using var response = await authority.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var set = new JsonWebKeySet(await response.Content.ReadAsStringAsync(cancellationToken));
        return [.. set.GetSigningKeys()];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch the signing keys of {AppId}; tokens cannot be validated until it answers")]
    private static partial void LogFetchFailed(ILogger logger, string appId, Exception ex);
}
