using System.Diagnostics.Metrics;
using Scorpius.ServiceDefaults;

namespace Scorpius.AuditTrail.Ledger;

/// <summary>The ledger's instruments, on the shared Scorpius meter (exported on /metrics and over OTLP).</summary>
internal static class LedgerMetrics
{
    private static readonly Meter Meter = new(ScorpiusTelemetry.MeterName);

    public static readonly Counter<long> Appended =
        Meter.CreateCounter<long>("scorpius.audit.entries.appended", "{entry}", "Entries appended to the audit ledger.");

    public static readonly Histogram<int> BatchSize =
        Meter.CreateHistogram<int>("scorpius.audit.batch.size", "{entry}", "Deliveries committed per append transaction.");

    public static readonly Counter<long> Verifications =
        Meter.CreateCounter<long>("scorpius.audit.verifications", "{run}", "Continuous verification runs, by result (consistent or diverged).");
}
