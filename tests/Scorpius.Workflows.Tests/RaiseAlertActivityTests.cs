using System.Text.Json;
using Dapr.Client;
using Dapr.Workflow;
using Microsoft.Extensions.Options;
using Moq;
using Scorpius.Contracts;
using Scorpius.Testing.Sidecar;
using Scorpius.Workflows.Protection;
using Scorpius.Workflows.Protection.Activities;
using Scorpius.Workflows.Tests.Support;

namespace Scorpius.Workflows.Tests;

/// <summary>
/// Tier 5: <see cref="RaiseAlertActivity"/> with the real DaprClient against the fake sidecar's state store: the
/// stored alert, deduplication within the window, idempotent retries, and the race of two instances.
/// </summary>
public sealed class RaiseAlertActivityTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 5, 0, 0, TimeSpan.Zero);
    private FakeDaprSidecar sidecar = null!;
    private DaprClient dapr = null!;

    public async Task InitializeAsync()
    {
        sidecar = await FakeDaprSidecar.StartAsync();
        dapr = sidecar.CreateClient();
    }

    public async Task DisposeAsync()
    {
        dapr.Dispose();
        await sidecar.DisposeAsync();
    }

    private FakeStateStore Store => sidecar.StateStore(DaprNames.StateStore);

    private RaiseAlertActivity Activity(TimeSpan? window = null) =>
        new(dapr, Options.Create(new WorkflowsOptions { AlertDedupWindow = window ?? TimeSpan.FromHours(1) }));

    private static RaiseAlertInput Input(string assessmentId, DateTimeOffset at, ProtectionVerdict? verdict = null, string walletId = "wallet-1", string tenant = ProtectionData.Tenant)
    {
        var decision = RiskDecision.From(verdict ?? ProtectionData.Warning());
        return new RaiseAlertInput(ProtectionInstance.Id(tenant, assessmentId), tenant, assessmentId, walletId, ProtectionData.Wallet, decision, decision.Action, at);
    }

    private static Task<AlertRecord> RunAsync(RaiseAlertActivity activity, RaiseAlertInput input) => activity.RunAsync(Mock.Of<WorkflowActivityContext>(), input);

    [Fact]
    public async Task A_first_alert_is_stored_under_the_tenant_with_a_deterministic_id_and_dedup_key()
    {
        var alert = await RunAsync(Activity(), Input("asm-1", T0));

        Assert.Equal(new AlertRecord("alert-protect-tenant-a-asm-1", "protect-tenant-a-asm-1", "tenant-a", "asm-1", Severity.High, "protection.warn",
            "Warning: Unlimited approval to an unknown spender.", "tenant-a:wallet-1:UNLIMITED_APPROVAL", T0, Suppressed: false, DuplicateOf: null), alert);
        var stored = JsonSerializer.Deserialize<AlertRecord>(Store.GetString("alert||tenant-a||alert-protect-tenant-a-asm-1")!, ProtectionData.Json);
        Assert.Equal(alert with { }, stored);
        var index = JsonSerializer.Deserialize<DedupEntry>(Store.GetString(RaiseAlertActivity.DedupIndexKey("tenant-a", alert.DedupKey))!, ProtectionData.Json);
        Assert.Equal(new DedupEntry(alert.AlertId, T0), index);
    }

    [Fact]
    public async Task The_same_dedup_key_within_the_window_is_suppressed_and_names_the_earlier_alert()
    {
        var first = await RunAsync(Activity(), Input("asm-1", T0));

        var second = await RunAsync(Activity(), Input("asm-2", T0.AddMinutes(59)));

        Assert.False(first.Suppressed);
        Assert.True(second.Suppressed);
        Assert.Equal(("alert-protect-tenant-a-asm-2", first.AlertId), (second.AlertId, second.DuplicateOf));
        Assert.NotNull(Store.GetString("alert||tenant-a||alert-protect-tenant-a-asm-2"));
    }

    [Fact]
    public async Task After_the_window_or_for_other_findings_wallets_or_tenants_a_new_alert_is_raised()
    {
        var first = await RunAsync(Activity(), Input("asm-1", T0));

        var later = await RunAsync(Activity(), Input("asm-2", T0.AddMinutes(61)));
        var otherFindings = await RunAsync(Activity(), Input("asm-3", T0.AddMinutes(62), ProtectionData.Malicious()));
        var otherWallet = await RunAsync(Activity(), Input("asm-4", T0.AddMinutes(62), walletId: "wallet-2"));
        var otherTenant = await RunAsync(Activity(), Input("asm-5", T0.AddMinutes(62), tenant: ProtectionData.OtherTenant));
        var duplicateOfLater = await RunAsync(Activity(), Input("asm-6", T0.AddMinutes(70)));

        Assert.All(new[] { first, later, otherFindings, otherWallet, otherTenant }, a => Assert.False(a.Suppressed));
        Assert.Equal("tenant-a:wallet-1:APPROVAL_TO_FLAGGED_ADDRESS,UNLIMITED_APPROVAL", otherFindings.DedupKey);
        Assert.Equal("tenant-b:wallet-1:UNLIMITED_APPROVAL", otherTenant.DedupKey);
        // The window runs from the latest raised alert (later), not the first.
        Assert.Equal((true, later.AlertId), (duplicateOfLater.Suppressed, duplicateOfLater.DuplicateOf));
    }

    [Fact]
    public async Task A_retry_of_the_same_instance_returns_the_stored_alert_even_after_another_raised_one()
    {
        var first = await RunAsync(Activity(), Input("asm-1", T0));
        var suppressed = await RunAsync(Activity(), Input("asm-2", T0.AddMinutes(1)));

        var firstAgain = await RunAsync(Activity(), Input("asm-1", T0));
        var suppressedAgain = await RunAsync(Activity(), Input("asm-2", T0.AddMinutes(1)));

        Assert.Equal(first, firstAgain);
        Assert.Equal(suppressed, suppressedAgain);
    }

    [Fact]
    public async Task A_retry_after_a_crash_between_the_index_and_the_alert_record_is_not_its_own_duplicate()
    {
        var input = Input("asm-1", T0);
        var dedupKey = RaiseAlertActivity.DedupKeyOf(input.TenantId, input.WalletId, input.Wallet, input.Decision);
        await dapr.SaveStateAsync(DaprNames.StateStore, RaiseAlertActivity.DedupIndexKey(input.TenantId, dedupKey), new DedupEntry("alert-protect-tenant-a-asm-1", T0));

        var alert = await RunAsync(Activity(), input);

        Assert.False(alert.Suppressed);
        Assert.Null(alert.DuplicateOf);
    }

    [Fact]
    public async Task Of_two_concurrent_instances_with_the_same_key_exactly_one_raises()
    {
        var alerts = await Task.WhenAll(RunAsync(Activity(), Input("asm-1", T0)), RunAsync(Activity(), Input("asm-2", T0)));

        var raised = Assert.Single(alerts, a => !a.Suppressed);
        var suppressed = Assert.Single(alerts, a => a.Suppressed);
        Assert.Equal(raised.AlertId, suppressed.DuplicateOf);
    }

    [Fact]
    public void The_dedup_key_ignores_info_findings_and_order_and_falls_back_to_the_address_and_the_verdict()
    {
        var decision = new RiskDecision(Verdict.Warning, 70,
            [new("B_CODE", Severity.Medium, "b"), new("SIGNING_DIGEST", Severity.Info, "d"), new("A_CODE", Severity.High, "a"), new("B_CODE", Severity.Medium, "b2")],
            PolicyAction.Warn, null);
        var error = new RiskDecision(Verdict.Error, 0, [], PolicyAction.Warn, null);

        Assert.Equal("t:w:A_CODE,B_CODE", RaiseAlertActivity.DedupKeyOf("t", "w", null, decision));
        Assert.Equal("t:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266:error", RaiseAlertActivity.DedupKeyOf("t", null, ProtectionData.Wallet, error));
        Assert.Equal("t:bc1QmixedCase:error", RaiseAlertActivity.DedupKeyOf("t", null, new WalletRef("bitcoin", "bc1QmixedCase"), error));
        Assert.Equal("t:-:error", RaiseAlertActivity.DedupKeyOf("t", null, null, error));
    }
}
