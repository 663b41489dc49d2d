namespace Scorpius.AuthProxy.Identity;

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

/// <summary>Claim types auth-proxy adds to the principals it issues.</summary>
public static class ScorpiusClaims
{
    public const string TenantId = "tenant_id";
}
