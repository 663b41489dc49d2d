namespace Scorpius.AuthProxy;

public enum IdentityStore { Sqlite, Postgres }

/// <summary>The <c>AuthProxy</c> configuration section.</summary>
public sealed class AuthProxyOptions
{
    public const string Section = "AuthProxy";

    /// <summary>The database behind the identity store; the connection string is <c>ConnectionStrings:Identity</c>.</summary>
    public IdentityStore Store { get; set; } = IdentityStore.Sqlite;

    /// <summary>The token issuer (<c>iss</c>), fixed so every app can validate tokens offline; <see cref="AuthDefaults.Issuer"/> unless set.</summary>
    public Uri Issuer { get; set; } = AuthDefaults.Issuer;

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a redeemed refresh token may be presented again (concurrent refreshes). Zero: any reuse revokes the whole token family.</summary>
    public TimeSpan RefreshTokenReuseLeeway { get; set; } = TimeSpan.Zero;

    /// <summary>How long a policy decision may be served from the cache (dropped at once when the policy changes).</summary>
    public TimeSpan DecisionCacheLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Clients of the client-credentials grant; each secret is the value <c>client-{ClientId}</c> of the auth-proxy secret.</summary>
    public List<ClientRegistration> Clients { get; set; } = [];

    /// <summary>
    /// The platform's own apps as clients (client id = app id, tenant <c>platform</c>): the service tokens they call each other
    /// with. Shipped in appsettings.json; registered only where the secret <c>client-{appId}</c> exists. Kept apart from
    /// <see cref="Clients"/> so configuring integrations never shifts them (configuration merges lists by index).
    /// </summary>
    public List<ClientRegistration> ServiceClients { get; set; } = [];

    public DashboardOptions Dashboard { get; set; } = new();

    public WebAuthnOptions WebAuthn { get; set; } = new();

    public LockoutOptions Lockout { get; set; } = new();

    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>How long a cookie session lasts after a completed login.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How long a login challenge (the step between password and second factor) stays usable.</summary>
    public TimeSpan LoginChallengeLifetime { get; set; } = TimeSpan.FromMinutes(10);
}

public sealed class ClientRegistration
{
    public string ClientId { get; set; } = "";
    public string? DisplayName { get; set; }
    public string TenantId { get; set; } = "";
    public List<string> Scopes { get; set; } = [];

    /// <summary>A resource server (a platform API): it gets no tokens and may introspect.</summary>
    public bool ResourceServer { get; set; }
}

/// <summary>The dashboard: a public client of the authorization code flow with PKCE.</summary>
public sealed class DashboardOptions
{
    public const string DefaultClientId = "scorpius-dashboard";

    public string ClientId { get; set; } = DefaultClientId;

    /// <summary>Empty means <c>http://localhost:3000/callback</c>.</summary>
    public List<Uri> RedirectUris { get; set; } = [];

    public IReadOnlyList<Uri> EffectiveRedirectUris => RedirectUris.Count > 0 ? RedirectUris : [new Uri("http://localhost:3000/callback")];
}

/// <summary>WebAuthn relying party settings.</summary>
public sealed class WebAuthnOptions
{
    public string RpId { get; set; } = "localhost";
    public string RpName { get; set; } = "Scorpius";

    /// <summary>Empty means <c>http://localhost:3000</c>.</summary>
    public List<string> Origins { get; set; } = [];

    public IReadOnlyList<string> EffectiveOrigins => Origins.Count > 0 ? Origins : ["http://localhost:3000"];
}

/// <summary>After <see cref="Threshold"/> consecutive failures a login is refused for <see cref="FirstDelay"/>, doubling per further failure up to <see cref="MaxDelay"/>.</summary>
public sealed class LockoutOptions
{
    public int Threshold { get; set; } = 5;
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromMinutes(1);
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Fixed-window limits: per client id at the token endpoint, per remote address and tenant/e-mail (or challenge) at login and MFA.</summary>
public sealed class RateLimitOptions
{
    public RateLimit Token { get; set; } = new() { PermitLimit = 60 };
    public RateLimit Login { get; set; } = new() { PermitLimit = 10 };
    public RateLimit Mfa { get; set; } = new() { PermitLimit = 20 };
}

public sealed class RateLimit
{
    public int PermitLimit { get; set; } = 10;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
