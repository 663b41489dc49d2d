namespace Scorpius.Contracts;

/// <summary>Every permission of the platform, expressed as an OAuth scope. The one place these strings are spelled.</summary>
public static class Permissions
{
    public const string AssessmentsWrite = "assessments:write";
    public const string WalletsRead = "wallets:read";
    public const string WalletsWrite = "wallets:write";
    public const string PoliciesWrite = "policies:write";
    public const string LedgerRead = "ledger:read";
    public const string WebhooksManage = "webhooks:manage";
    public const string UsersManage = "users:manage";

    public static IReadOnlyList<string> All { get; } =
        [AssessmentsWrite, WalletsRead, WalletsWrite, PoliciesWrite, LedgerRead, WebhooksManage, UsersManage];

    public static bool IsKnown(string scope) => All.Contains(scope, StringComparer.Ordinal);
}

/// <summary>Claim types auth-proxy adds to the principals it issues, beside the registered JWT ones (sub, scope, role).</summary>
public static class ScorpiusClaims
{
    public const string TenantId = "tenant_id";
    public const string Scope = "scope";
    public const string Role = "role";
    public const string Subject = "sub";
}

/// <summary>Tenants with a meaning of their own.</summary>
public static class ScorpiusTenants
{
    /// <summary>The operator of the platform: its principals may run platform-wide operations (ledger verification and export).</summary>
    public const string Platform = "platform";
}

/// <summary>Where tokens come from, shared by the token server and every app that validates them.</summary>
public static class AuthDefaults
{
    /// <summary>The issuer (<c>iss</c>) of every access token unless <c>Auth:Issuer</c> / <c>AuthProxy:Issuer</c> say otherwise.</summary>
    public static Uri Issuer { get; } = new($"http://localhost:{ScorpiusApps.AuthProxy.Port}/");

    /// <summary>Every app of the platform is an audience of the access tokens auth-proxy issues; each accepts only tokens naming it.</summary>
    public static IReadOnlyList<string> Audiences { get; } = ScorpiusApps.All.Select(a => a.AppId).ToArray();
}
