using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Scorpius.AuditTrail.Api;
using Scorpius.Contracts;
using Scorpius.Ledger.Entries;
using Scorpius.Testing.Sidecar;

namespace Scorpius.AuditTrail.Tests.TestSupport;

/// <summary>Audit events as producers publish them, and the CloudEvents daprd delivers for them.</summary>
internal static class TestEvents
{
    public static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly AuditIntake Intake = new(1 << 20);

    public static AuditEvent Audit(int n, string actor = "user:alice") => new(
        "tenant-a", actor, "policy.update", $"policy/p{n}", "success", n % 3 == 0 ? null : "quarterly review",
        new Dictionary<string, string> { ["rule"] = $"r{n}", ["n"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero).AddSeconds(n));

    /// <summary>The structured CloudEvent daprd delivers for an audit event published by <paramref name="source"/>.</summary>
    public static JsonObject CloudEvent(int n, string source = "wallet-guard", string? id = null, AuditEvent? data = null) =>
        FakePubSub.CreateCloudEvent(DaprNames.PubSub, DaprNames.Topics.Audit, JsonSerializer.SerializeToNode(data ?? Audit(n), Web),
            type: AuditEvent.CloudEventType, id: id ?? $"evt-{n}", source: source);

    /// <summary>The ledger entry the service makes of that delivery.</summary>
    public static PendingEntry Pending(int n, string source = "wallet-guard", string? id = null)
    {
        var result = Intake.Read(Encoding.UTF8.GetBytes(CloudEvent(n, source, id).ToJsonString()));
        Assert.True(result.Accepted, "A valid audit event was not accepted.");
        return result.Entry;
    }

    public static List<PendingEntry> Batch(int from, int count, string source = "wallet-guard") =>
        Enumerable.Range(from, count).Select(n => Pending(n, source)).ToList();
}
