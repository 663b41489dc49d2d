using System.Net;
using System.Net.Http.Json;
using NJsonSchema;
using Scorpius.AuditTrail.Api;
using Scorpius.AuditTrail.Tests.TestSupport;
using Scorpius.AuditTrail.Verification;
using Scorpius.Contracts;

namespace Scorpius.AuditTrail.Tests.Service;

/// <summary>The Dapr cron binding triggers continuous verification, which raises a critical alert on divergence.</summary>
public sealed class ContinuousVerificationTests
{
    [Fact]
    public async Task The_cron_binding_verifies_the_ledger_and_raises_a_critical_alert_naming_the_first_bad_entry()
    {
        await using var app = await AuditTrailApp.StartAsync();
        await LedgerApiTests.DeliverAsync(app, 0, 10);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/v1/checkpoints/latest")).StatusCode);

        // daprd's cron binding POSTs to /<binding name>.
        var healthy = await app.SidecarClient.PostAsync("/" + LedgerApi.VerifyCronBinding, null);
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        var ok = (await healthy.Content.ReadFromJsonAsync<VerificationReport>())!;
        Assert.True(ok.Consistent, ok.Problem);
        Assert.Equal((10L, 1), (ok.TreeSize, ok.CheckpointsChecked));
        Assert.Empty(app.Sidecar.PubSub.Published);

        var entry4 = (await app.Get<AuditTrail.Storage.ILedgerStore>().GetEntryAsync(4, default))!;
        var changed = entry4.Payload!.ToArray();
        changed[^3] ^= 0x20;
        await SqliteAdmin.TamperAsync(app.SqlitePath, "UPDATE ledger_payloads SET payload = @a WHERE idx = 4", changed);

        var diverged = (await (await app.SidecarClient.PostAsync("/" + LedgerApi.VerifyCronBinding, null)).Content.ReadFromJsonAsync<VerificationReport>())!;
        Assert.False(diverged.Consistent);
        Assert.Equal(4, diverged.FirstBadIndex);
        Assert.StartsWith("entry 4: payload", diverged.Problem, StringComparison.Ordinal);

        var published = Assert.Single(app.Sidecar.PubSub.Published);
        Assert.Equal((DaprNames.Topics.AlertRaised, AlertRaised.CloudEventType), (published.Topic, published.Type));
        var schema = await JsonSchema.FromJsonAsync(EventSchemas.Read(AlertRaised.SchemaName));
        Assert.Empty(schema.Validate(published.Data!.ToJsonString()));
        var alert = published.DataAs<AlertRaised>()!;
        Assert.Equal((Severity.Critical, LedgerAuditor.AlertType, "4"), (alert.Severity, alert.Type, alert.Labels["firstBadIndex"]));
        Assert.Contains("entry 4", alert.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_that_the_stored_entries_no_longer_reproduce_is_a_divergence()
    {
        await using var app = await AuditTrailApp.StartAsync();
        await LedgerApiTests.DeliverAsync(app, 0, 4);
        await app.Client.GetAsync("/v1/checkpoints/latest");
        await LedgerApiTests.DeliverAsync(app, 4, 4);
        await app.Client.GetAsync("/v1/checkpoints/latest");

        // Someone deletes the last entries and rewinds the head: every remaining byte is self-consistent, but a signed
        // checkpoint covers more than is stored.
        await SqliteAdmin.TamperAsync(app.SqlitePath, "DELETE FROM ledger_entries WHERE idx >= 6");
        await SqliteAdmin.TamperAsync(app.SqlitePath, "UPDATE ledger_head SET size = 6");

        var report = (await (await app.Client.PostAsync("/v1/verification", null)).Content.ReadFromJsonAsync<VerificationReport>())!;
        Assert.False(report.Consistent);
        Assert.Contains("checkpoint of tree size 8 is beyond the stored ledger of 6 entries", report.Problem, StringComparison.Ordinal);
        Assert.Equal(DaprNames.Topics.AlertRaised, Assert.Single(app.Sidecar.PubSub.Published).Topic);
    }
}
