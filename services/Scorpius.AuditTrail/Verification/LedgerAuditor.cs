using Dapr.Client;
using Scorpius.AuditTrail.Ledger;
using Scorpius.Contracts;

namespace Scorpius.AuditTrail.Verification;

/// <summary>
/// Continuous verification: runs <see cref="LedgerVerifier"/> (triggered by the Dapr cron binding) and, when the
/// ledger diverges from what it signed, publishes a critical <see cref="AlertRaised"/> on <c>alert.raised</c>.
/// </summary>
public sealed partial class LedgerAuditor(LedgerVerifier verifier, DaprClient dapr, TimeProvider time, ILogger<LedgerAuditor> logger)
{
    public const string AlertType = "audit-ledger.divergence";
    private readonly SemaphoreSlim running = new(1, 1);

    public async Task<VerificationReport> RunAsync(CancellationToken cancellationToken)
    {
        await running.WaitAsync(cancellationToken);
        try
        {
            var report = await verifier.VerifyAsync(cancellationToken);
            LedgerMetrics.Verifications.Add(1, new KeyValuePair<string, object?>("result", report.Consistent ? "consistent" : "diverged"));
            if (report.Consistent)
            {
                LogVerified(logger, report.TreeSize, report.CheckpointsChecked);
                return report;
            }
            LogDiverged(logger, report.Problem!);
            var labels = new Dictionary<string, string> { ["treeSize"] = report.TreeSize.ToString(System.Globalization.CultureInfo.InvariantCulture), ["problem"] = report.Problem! };
            if (report.FirstBadIndex is { } index) labels["firstBadIndex"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var alert = new AlertRaised(
                AlertId: $"audit-ledger-{Guid.NewGuid():N}",
                TenantId: "platform",
                Severity: Severity.Critical,
                Type: AlertType,
                Title: "The audit ledger diverges from what it signed: " + report.Problem,
                DedupKey: $"{ScorpiusApps.AuditTrailId}:ledger-divergence",
                AssessmentId: null,
                Wallet: null,
                Labels: labels,
                OccurredAt: time.GetUtcNow());
            await dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.Topics.AlertRaised, alert,
                new Dictionary<string, string> { ["cloudevent.type"] = AlertRaised.CloudEventType }, cancellationToken);
            return report;
        }
        finally
        {
            running.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit ledger verified: {TreeSize} entries, {Checkpoints} checkpoints")]
    private static partial void LogVerified(ILogger logger, long treeSize, int checkpoints);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Audit ledger verification failed: {Problem}")]
    private static partial void LogDiverged(ILogger logger, string problem);
}
