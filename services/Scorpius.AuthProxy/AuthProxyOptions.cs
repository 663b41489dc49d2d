namespace Scorpius.AuthProxy;

public enum IdentityStore { Sqlite, Postgres }

/// <summary>The <c>AuthProxy</c> configuration section.</summary>
public sealed class AuthProxyOptions
{
    public const string Section = "AuthProxy";

    /// <summary>The database behind the identity store; the connection string is <c>ConnectionStrings:Identity</c>.</summary>
    public IdentityStore Store { get; set; } = IdentityStore.Sqlite;

    /// <summary>The token issuer; when unset, OpenIddict uses the request's base address.</summary>
    public Uri? Issuer { get; set; }

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a policy decision may be served from the cache (dropped at once when the policy changes).</summary>
    public TimeSpan DecisionCacheLifetime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Clients of the client-credentials grant; each secret is the value <c>client-{ClientId}</c> of the auth-proxy secret.</summary>
    public List<ClientRegistration> Clients { get; set; } = [];

    public IEnumerable<string> Audiences => Clients.Where(c => c.ResourceServer).Select(c => c.ClientId);
}

public sealed class ClientRegistration
{
    public string ClientId { get; set; } = "";
    public string? DisplayName { get; set; }
    public string TenantId { get; set; } = "";
    public List<string> Scopes { get; set; } = [];

    /// <summary>A resource server (a platform API): it gets no tokens, may introspect, and is the audience of every access token.</summary>
    public bool ResourceServer { get; set; }
}
