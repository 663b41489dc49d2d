using Scorpius.Contracts;

namespace Scorpius.ServiceDefaults.Security;

/// <summary>The <c>Auth</c> configuration section every app reads: whose tokens it accepts, and how fresh a revocation must be.</summary>
public sealed class AuthSettings
{
    public const string Section = "Auth";

    /// <summary>The issuer (<c>iss</c>) of accepted access tokens.</summary>
    public Uri Issuer { get; set; } = AuthDefaults.Issuer;

    /// <summary>The audience (<c>aud</c>) a token must name to be accepted here; default: this app's id.</summary>
    public string? Audience { get; set; }

    /// <summary>The app-id of the token server; keys and credential status come from it through Dapr service invocation.</summary>
    public string AuthorityAppId { get; set; } = ScorpiusApps.AuthProxyId;

    /// <summary>
    /// How long auth-proxy's answer "this credential is still active" is reused. A revoked token or API key is refused
    /// at the latest this long after its revocation (at once if it had not been seen since).
    /// </summary>
    public TimeSpan CredentialCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long "this credential is not active" is remembered, so floods of bad keys do not all reach auth-proxy.</summary>
    public TimeSpan NegativeCacheLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Tolerance on <c>exp</c> and <c>nbf</c> for clocks that disagree.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many credentials' status is kept in memory at most.</summary>
    public int MaxCachedCredentials { get; set; } = 100_000;
}
