namespace Scorpius.Contracts;

/// <summary>
/// Which app-id may call which through Dapr service invocation. The Dapr access-control policies
/// (components/config and deploy/k8s) are generated from and checked against this table: deny by default,
/// allow exactly these callers.
/// </summary>
public static class InvocationPolicy
{
    /// <summary>callee app-id → the app-ids allowed to invoke it.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> AllowedCallers { get; } =
        new Dictionary<string, IReadOnlyList<string>>
        {
            // Pre-sign checks come from the dashboard and the workflow host; reports read verdict history.
            [ScorpiusApps.WalletGuardId] = [ScorpiusApps.DashboardId, ScorpiusApps.WorkflowsId, ScorpiusApps.ReportingId],
            // Every service asks the policy decision point and introspects tokens.
            [ScorpiusApps.AuthProxyId] =
            [
                ScorpiusApps.WalletGuardId, ScorpiusApps.UsageMeterId, ScorpiusApps.AuditTrailId, ScorpiusApps.NotificationsId,
                ScorpiusApps.ReportingId, ScorpiusApps.DashboardId, ScorpiusApps.WorkflowsId,
            ],
            // Quota checks before work is done; usage views for the dashboard and reports.
            [ScorpiusApps.UsageMeterId] = [ScorpiusApps.WalletGuardId, ScorpiusApps.DashboardId, ScorpiusApps.ReportingId],
            // Receipts (inclusion proofs) for the workflow; exports for reports and the dashboard.
            [ScorpiusApps.AuditTrailId] = [ScorpiusApps.WorkflowsId, ScorpiusApps.ReportingId, ScorpiusApps.DashboardId],
            // Webhook delivery step of the protection workflow; endpoint management from the dashboard.
            [ScorpiusApps.NotificationsId] = [ScorpiusApps.WorkflowsId, ScorpiusApps.DashboardId],
            [ScorpiusApps.ReportingId] = [ScorpiusApps.DashboardId],
            // Nobody calls the dashboard through Dapr; people reach it through the ingress.
            [ScorpiusApps.DashboardId] = [],
            // wallet-guard and the chain monitor start protection workflows; the dashboard answers approvals.
            [ScorpiusApps.WorkflowsId] = [ScorpiusApps.WalletGuardId, ScorpiusApps.DashboardId],
        };
}
