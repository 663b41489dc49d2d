namespace Scorpius.Contracts;

/// <summary>One Scorpius application: its Dapr app-id, the port it listens on, and where its project lives.</summary>
public sealed record ScorpiusApp(string AppId, int Port, string ProjectDir)
{
    public override string ToString() => $"{AppId}:{Port}";
}

/// <summary>
/// The single definition of every app-id and port. dapr.yaml, tye.yaml, launchSettings.json, component scopes,
/// access-control policies and deploy/k8s are checked against this list by tests/Scorpius.Consistency.Tests.
/// </summary>
public static class ScorpiusApps
{
    public const string WalletGuardId = "wallet-guard";
    public const string AuthProxyId = "auth-proxy";
    public const string UsageMeterId = "usage-meter";
    public const string AuditTrailId = "audit-trail";
    public const string NotificationsId = "notifications";
    public const string ReportingId = "reporting";
    public const string DashboardId = "dashboard";
    public const string WorkflowsId = "workflows";

    public static readonly ScorpiusApp WalletGuard = new(WalletGuardId, 8000, "services/Scorpius.WalletGuard");
    public static readonly ScorpiusApp AuthProxy = new(AuthProxyId, 8001, "services/Scorpius.AuthProxy");
    public static readonly ScorpiusApp UsageMeter = new(UsageMeterId, 8002, "services/Scorpius.UsageMeter");
    public static readonly ScorpiusApp AuditTrail = new(AuditTrailId, 8003, "services/Scorpius.AuditTrail");
    public static readonly ScorpiusApp Notifications = new(NotificationsId, 8004, "services/Scorpius.Notifications");
    public static readonly ScorpiusApp Reporting = new(ReportingId, 8007, "services/Scorpius.Reporting");
    public static readonly ScorpiusApp Dashboard = new(DashboardId, 3000, "services/Scorpius.Dashboard");
    public static readonly ScorpiusApp Workflows = new(WorkflowsId, 8010, "workflows/Scorpius.Workflows");

    public static IReadOnlyList<ScorpiusApp> All { get; } =
        [WalletGuard, AuthProxy, UsageMeter, AuditTrail, Notifications, Reporting, Dashboard, Workflows];

    public static ScorpiusApp Get(string appId) =>
        All.FirstOrDefault(a => a.AppId == appId)
        ?? throw new ArgumentException($"Unknown Scorpius app-id '{appId}'.", nameof(appId));
}
