using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Scorpius.AuditTrail.Api;
using Scorpius.AuditTrail.Tests.TestSupport;
using Scorpius.AuditTrail.Verification;
using Scorpius.Contracts;
using Scorpius.Ledger.Canonical;
using Scorpius.Ledger.Entries;
using Scorpius.Testing.Sidecar;

namespace Scorpius.AuditTrail.Tests.Service;

/// <summary>The audit topic as daprd drives it: the real Dapr SDK publishes, the fake sidecar delivers.</summary>
public sealed class SubscriptionTests
{
    [Fact]
    public async Task The_app_subscribes_to_the_audit_topic_with_a_dead_letter_topic()
    {
        await using var app = await AuditTrailApp.StartAsync();
        var subscription = Assert.Single(await app.Sidecar.PubSub.GetSubscriptionsAsync(ScorpiusApps.AuditTrailId));
        Assert.Equal(new Subscription(DaprNames.PubSub, DaprNames.Topics.Audit, AuditSubscription.Route.TrimStart('/'), DaprNames.Topics.DeadLetter), subscription);
    }

    [Fact]
    public async Task A_published_audit_event_is_recorded_once_however_often_it_is_delivered()
    {
        await using var app = await AuditTrailApp.StartAsync();
        using var dapr = app.Sidecar.CreateClient();
        var audit = TestEvents.Audit(7);
        await dapr.PublishEventAsync(DaprNames.PubSub, DaprNames.Topics.Audit, audit, new Dictionary<string, string>
        {
            ["cloudevent.id"] = "evt-7", ["cloudevent.source"] = ScorpiusApps.WalletGuardId, ["cloudevent.type"] = AuditEvent.CloudEventType,
        });
        await app.Sidecar.PubSub.WaitForIdleAsync();
        Assert.Equal(DeliveryStatus.Success, Assert.Single(app.Sidecar.PubSub.Attempts).Status);

        var entry = await app.Client.GetFromJsonAsync<EntryResponse>("/v1/entries/by-event/evt-7?source=wallet-guard");
        Assert.Equal((0L, EntryKinds.Event, "wallet-guard"), (entry!.Index, entry.Kind, entry.Source));
        // The payload is the RFC 8785 form of the published data.
        Assert.Equal(Encoding.UTF8.GetString(JsonCanonicalizer.Canonicalize(JsonSerializer.SerializeToUtf8Bytes(audit, TestEvents.Web))), entry.Payload);

        // daprd redelivers (e.g. after a lost acknowledgement): acknowledged again, appended never again.
        var delivered = app.Sidecar.PubSub.Published.Single().CloudEvent;
        for (var i = 0; i < 3; i++)
        {
            var again = await app.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, delivered);
            Assert.Equal((DeliveryStatus.Success, 200), (again.Status, again.HttpStatus));
        }
        Assert.Equal(1, await app.Get<AuditTrail.Storage.ILedgerStore>().GetSizeAsync(default));
    }

    [Fact]
    public async Task Concurrent_deliveries_are_committed_in_batches_and_all_acknowledged_after_commit()
    {
        await using var app = await AuditTrailApp.StartAsync();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 300).Select(n =>
            app.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, TestEvents.CloudEvent(n))));

        Assert.All(attempts, a => Assert.Equal(DeliveryStatus.Success, a.Status));
        var report = await (await app.Client.PostAsync("/v1/verification", null)).Content.ReadFromJsonAsync<VerificationReport>();
        Assert.True(report!.Consistent, report.Problem);
        Assert.Equal(300, report.TreeSize);
    }

    [Fact]
    public async Task A_message_that_is_not_a_valid_audit_event_is_dropped_and_recorded_as_rejected_input()
    {
        await using var app = await AuditTrailApp.StartAsync();
        var invalid = TestEvents.CloudEvent(1, id: "bad-1");
        invalid["data"]!.AsObject().Remove("actor");

        var attempt = await app.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, invalid);
        Assert.Equal((DeliveryStatus.Drop, 200), (attempt.Status, attempt.HttpStatus));
        var entry = (await app.Client.GetFromJsonAsync<EntryResponse>("/v1/entries/by-event/bad-1"))!;
        Assert.Equal(EntryKinds.Rejected, entry.Kind);
        Assert.Contains("audit.v1", LedgerEntry.Decode(Encoding.UTF8.GetBytes(entry.Entry)).Error, StringComparison.Ordinal);
        Assert.Contains("actor", LedgerEntry.Decode(Encoding.UTF8.GetBytes(entry.Entry)).Error, StringComparison.Ordinal);
        // The bytes are kept exactly as delivered.
        Assert.Equal(invalid.ToJsonString(), Encoding.UTF8.GetString(Convert.FromBase64String(entry.Payload!)));

        const string broken = "{\"specversion\":\"1.0\",\"id\":";
        var raw = await app.Sidecar.PubSub.DeliverRawOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, broken);
        Assert.Equal((DeliveryStatus.Drop, 200), (raw.Status, raw.HttpStatus));
        var id = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(broken)));
        var rejected = (await app.Client.GetFromJsonAsync<EntryResponse>($"/v1/entries/by-event/{id}"))!;
        Assert.Equal((EntryKinds.Rejected, ""), (rejected.Kind, rejected.Source));
        Assert.Contains("not JSON", LedgerEntry.Decode(Encoding.UTF8.GetBytes(rejected.Entry)).Error, StringComparison.Ordinal);

        // Poison delivered again is not recorded again.
        await app.Sidecar.PubSub.DeliverRawOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, broken);
        await app.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, invalid);
        Assert.Equal(2, await app.Get<AuditTrail.Storage.ILedgerStore>().GetSizeAsync(default));
    }

    [Theory]
    [InlineData("no data", null)]
    [InlineData("text data", "\"just text\"")]
    [InlineData("array data", "[1,2]")]
    [InlineData("unknown field", """{"tenantId":"t","actor":"a","action":"x","resource":"r","outcome":"ok","reason":null,"details":{},"occurredAt":"2026-01-01T00:00:00Z","extra":1}""")]
    [InlineData("duplicate member", """{"tenantId":"t","actor":"a","actor":"b","action":"x","resource":"r","outcome":"ok","reason":null,"details":{},"occurredAt":"2026-01-01T00:00:00Z"}""")]
    public async Task Every_kind_of_poison_is_dropped_and_recorded(string what, string? data)
    {
        await using var app = await AuditTrailApp.StartAsync();
        var envelope = TestEvents.CloudEvent(1, id: what);
        var body = data is null
            ? envelope.ToJsonString().Replace($",\"data\":{envelope["data"]!.ToJsonString()}", "", StringComparison.Ordinal)
            : envelope.ToJsonString().Replace(envelope["data"]!.ToJsonString(), data, StringComparison.Ordinal);
        Assert.NotEqual(envelope.ToJsonString(), body);

        var attempt = await app.Sidecar.PubSub.DeliverRawOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, body);
        Assert.Equal(DeliveryStatus.Drop, attempt.Status);
        var entry = (await app.Client.GetFromJsonAsync<EntryResponse>($"/v1/entries/by-event/{Uri.EscapeDataString(what)}"))!;
        Assert.Equal(EntryKinds.Rejected, entry.Kind);
        Assert.Equal(body, Encoding.UTF8.GetString(Convert.FromBase64String(entry.Payload!)));
    }

    [Fact]
    public async Task When_the_store_fails_the_delivery_is_not_acknowledged_so_daprd_redelivers_it()
    {
        // A PostgreSQL store that cannot be reached.
        await using var app = await AuditTrailApp.StartAsync(settings: new Dictionary<string, string?>
        {
            ["AuditTrail:Store"] = "Postgres",
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=9;Username=nobody;Timeout=2",
        });
        var attempt = await app.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, TestEvents.CloudEvent(1));
        Assert.Equal(DeliveryStatus.Retry, attempt.Status);
        Assert.Equal(500, attempt.HttpStatus);
    }
}
