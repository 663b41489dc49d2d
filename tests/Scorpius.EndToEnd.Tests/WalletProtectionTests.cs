extern alias audittrail;
extern alias notifications;
extern alias walletguard;
extern alias workflows;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using Dapr.Workflow;
using Scorpius.Contracts;
using Scorpius.EndToEnd.Tests.Support;
using Scorpius.Ledger.Merkle;
using Scorpius.Ledger.Notes;
using Scorpius.Testing.Fixtures;
using Xunit.Abstractions;
using AssessmentService = walletguard::Scorpius.WalletGuard.Assessments.AssessmentService;
using EntryResponse = audittrail::Scorpius.AuditTrail.Api.EntryResponse;
using InclusionProofResponse = audittrail::Scorpius.AuditTrail.Api.InclusionProofResponse;
using LedgerReceipt = workflows::Scorpius.Workflows.Protection.LedgerReceipt;
using ProtectionOutcome = workflows::Scorpius.Workflows.Protection.ProtectionOutcome;
using ProtectionStatus = workflows::Scorpius.Workflows.Protection.ProtectionStatus;
using WebhookVerification = notifications::Scorpius.Notifications.Signing.WebhookVerification;
using WebhookVerifier = notifications::Scorpius.Notifications.Signing.WebhookVerifier;


namespace Scorpius.EndToEnd.Tests;

/// <summary>
/// Real-time wallet protection end to end, in process, on a real chain (anvil): a transaction of a protected wallet is
/// mined → wallet-guard's chain monitor sees it and assesses it (engine, the wallet's known counterparties, policies, the
/// wallet's actor) → protection.requested → the protection workflow (alert, audit entry in the Merkle ledger with its
/// inclusion proof, alert.raised) → notifications → a Standard-Webhooks-signed POST at the customer's receiver. Every
/// wait polls a condition under a deadline. See <see cref="Platform"/> for what is real and what is a test double.
/// </summary>
public sealed class WalletProtectionTests(Platform platform, ITestOutputHelper output) : IClassFixture<Platform>
{
    private const string WorkflowsSource = ScorpiusApps.WorkflowsId;
    private static readonly TimeSpan WaitLimit = Platform.WaitLimit;
    private static readonly TimeSpan LatencyBound = TimeSpan.FromSeconds(30);
    private static string Wallet => AnvilNode.DevAccount0Address;

    [Fact]
    public async Task An_unlimited_approval_to_a_fresh_account_is_alerted_recorded_in_the_ledger_and_sent_as_a_signed_webhook()
    {
        var spender = "0x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20)); // fresh: no code, never used

        var mined = await platform.Chain.ApproveAsync(Wallet, spender, Chain.Unlimited);
        var assessmentId = AssessmentId(mined);

        var webhook = await platform.Receiver.WaitForAsync(w => AssessmentOf(w) == assessmentId, WaitLimit, $"the webhook of {assessmentId}");
        var latency = Stopwatch.GetElapsedTime(mined.SeenAt, webhook.ArrivedAt);
        output.WriteLine($"Block {mined.Block} (receipt seen) → signed webhook at the receiver: {latency.TotalMilliseconds:0} ms");
        Assert.True(latency < LatencyBound, $"block → webhook took {latency}");

        var outcome = await OutcomeAsync(assessmentId);
        Assert.Equal((Verdict.Malicious, PolicyAction.Block, ProtectionStatus.Blocked), (outcome.Verdict, outcome.Action, outcome.Status));
        Assert.NotNull(outcome.AlertId);
        Assert.False(outcome.AlertSuppressed);
        Assert.NotNull(outcome.WebhookEventId);
        var index = await VerifyLedgerAsync(outcome.Receipt!, assessmentId);

        // The webhook: signed with the endpoint's secret (checked from the specification and by the customer-facing verifier).
        Assert.Equal("/hooks/scorpius?source=e2e", webhook.Path);
        Assert.True(SignedWebhookReceiver.IsSignedBy(webhook, platform.WebhookSecret), $"signature {webhook.Signature} does not verify");
        Assert.Equal(WebhookVerification.Valid,
            WebhookVerifier.Verify(webhook.Id, webhook.Timestamp, webhook.Signature, webhook.Body, [platform.WebhookSecret], DateTimeOffset.UtcNow));
        Assert.False(SignedWebhookReceiver.IsSignedBy(webhook with { Body = [.. webhook.Body, (byte)' '] }, platform.WebhookSecret));
        var body = webhook.Json!;
        Assert.Equal(DaprNames.Topics.AlertRaised, body["type"]!.GetValue<string>());
        var data = body["data"]!;
        Assert.Equal((outcome.AlertId, Platform.Tenant), (data["alertId"]!.GetValue<string>(), data["tenantId"]!.GetValue<string>()));
        Assert.Equal("critical", data["severity"]!.GetValue<string>());
        Assert.Equal(Wallet, data["wallet"]!["address"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(ProtectionRequested.FromMonitor, data["labels"]!["source"]!.GetValue<string>());
        Assert.Equal(index.ToString(CultureInfo.InvariantCulture), data["labels"]!["ledgerIndex"]!.GetValue<string>());
        Assert.Contains("APPROVAL_TO_EOA", DedupKey(data), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transfer_to_a_known_counterparty_raises_nothing_but_is_recorded_while_a_look_alike_is_alerted_as_poisoning()
    {
        var friend = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // anvil dev account 1
        var lookAlike = "0x7099" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)) + "79c8";

        // An earlier benign transfer teaches the wallet's actor its counterparty.
        var first = await OutcomeAsync(AssessmentId(await platform.Chain.TransferAsync(Wallet, friend, 1000)));
        Assert.Equal((Verdict.Benign, ProtectionStatus.Allowed), (first.Verdict, first.Status));

        var knownId = AssessmentId(await platform.Chain.TransferAsync(Wallet, friend, 5));
        var known = await OutcomeAsync(knownId);
        Assert.Equal((Verdict.Benign, PolicyAction.Allow, ProtectionStatus.Allowed), (known.Verdict, known.Action, known.Status));
        Assert.Null(known.AlertId);
        Assert.Null(known.WebhookEventId);
        await VerifyLedgerAsync(known.Receipt!, knownId); // no alert, but the decision is in the ledger

        var poisonedId = AssessmentId(await platform.Chain.TransferAsync(Wallet, lookAlike, 5));
        var webhook = await platform.Receiver.WaitForAsync(w => AssessmentOf(w) == poisonedId, WaitLimit, $"the webhook of {poisonedId}");
        var poisoned = await OutcomeAsync(poisonedId);
        Assert.Equal((Verdict.Malicious, ProtectionStatus.Blocked), (poisoned.Verdict, poisoned.Status));
        Assert.False(poisoned.AlertSuppressed);
        Assert.Contains("ADDRESS_POISONING", DedupKey(webhook.Json!["data"]!), StringComparison.Ordinal);
        Assert.True(SignedWebhookReceiver.IsSignedBy(webhook, platform.WebhookSecret));
        await VerifyLedgerAsync(poisoned.Receipt!, poisonedId);
        // The known transfer was never sent, before or after the look-alike's webhook.
        Assert.DoesNotContain(platform.Receiver.Received, w => AssessmentOf(w) == knownId);
    }

    [Fact]
    public async Task A_stopped_monitor_recovers_the_blocks_mined_meanwhile_and_their_protection_completes()
    {
        var payee = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"; // anvil dev account 2
        var before = await platform.Chain.TransferAsync(Wallet, payee, 1);
        await OutcomeAsync(AssessmentId(before));
        await Eventually.TrueAsync(async () => (await platform.MonitorCheckpointAsync())?.Number >= before.Block, WaitLimit, "the monitor to checkpoint its block");

        await platform.StopWalletGuardAsync();
        var checkpoint = (await platform.MonitorCheckpointAsync())!.Number;
        var missed = new List<Mined>();
        for (var i = 0; i < 3; i++) missed.Add(await platform.Chain.TransferAsync(Wallet, payee, 10 + i));
        Assert.True(checkpoint < missed[0].Block, $"the checkpoint ({checkpoint}) passed block {missed[0].Block} while wallet-guard was stopped");

        await platform.StartWalletGuardAsync();
        foreach (var mined in missed)
        {
            var id = AssessmentId(mined);
            var outcome = await OutcomeAsync(id);
            Assert.Equal(ProtectionStatus.Allowed, outcome.Status);
            await VerifyLedgerAsync(outcome.Receipt!, id);
        }
        var head = await platform.Chain.HeadAsync();
        await Eventually.TrueAsync(async () => (await platform.MonitorCheckpointAsync())?.Number >= head, WaitLimit, "the monitor to catch up with the head");
    }

    private string AssessmentId(Mined mined) => AssessmentService.MonitorAssessmentId(Platform.ChainId, mined.Hash, platform.Wallet.Id);

    private static string? AssessmentOf(ArrivedWebhook webhook)
    {
        try { return webhook.Json?["data"]?["assessmentId"]?.GetValue<string>(); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    private static string DedupKey(JsonNode data) => data["dedupKey"]!.GetValue<string>();

    /// <summary>Waits for the protection workflow of <paramref name="assessmentId"/> to exist (the monitor must see the block first) and complete.</summary>
    private async Task<ProtectionOutcome> OutcomeAsync(string assessmentId)
    {
        var instanceId = ProtectionInstance.Id(Platform.Tenant, assessmentId);
        var workflows = platform.WorkflowClient;
        await Eventually.TrueAsync(async () => (await workflows.GetWorkflowStateAsync(instanceId, getInputsAndOutputs: false)) is { Exists: true },
            WaitLimit, $"workflow {instanceId} to start");
        using var timeout = new CancellationTokenSource(WaitLimit);
        var state = await workflows.WaitForWorkflowCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        var outcome = state.ReadOutputAs<ProtectionOutcome>()!;
        Assert.Equal(assessmentId, outcome.AssessmentId);
        Assert.NotNull(outcome.Receipt);
        return outcome;
    }

    /// <summary>
    /// Reads the decision's entry from audit-trail's API as the tenant, checks it names the assessment, and verifies its
    /// inclusion proof with Scorpius.Ledger against a checkpoint signed by the ledger's key: both the receipt the workflow
    /// kept and a fresh proof. Returns the entry's index.
    /// </summary>
    private async Task<long> VerifyLedgerAsync(LedgerReceipt receipt, string assessmentId)
    {
        using var client = platform.TenantClient(platform.AuditTrail);
        var entry = (await client.GetFromJsonAsync<EntryResponse>(
            $"/v1/entries/by-event/{Uri.EscapeDataString(receipt.EventId)}?source={WorkflowsSource}", Platform.Json))!;
        Assert.Equal((receipt.Index, Platform.Tenant, false), (entry.Index, entry.Tenant, entry.Redacted));
        Assert.Contains($"assessment/{assessmentId}", entry.Payload, StringComparison.Ordinal);
        var leaf = MerkleHash.Leaf(Encoding.UTF8.GetBytes(entry.Entry));
        Assert.Equal(Convert.ToBase64String(leaf), entry.LeafHash);

        VerifyInclusion(entry.Index, receipt.TreeSize, leaf, receipt.LeafHash, receipt.Proof, receipt.Checkpoint);
        var proof = (await client.GetFromJsonAsync<InclusionProofResponse>($"/v1/entries/{entry.Index}/inclusion-proof", Platform.Json))!;
        VerifyInclusion(entry.Index, proof.TreeSize, leaf, proof.LeafHash, proof.Proof, proof.Checkpoint);
        return entry.Index;
    }

    private void VerifyInclusion(long index, long treeSize, byte[] leaf, string leafHash, IReadOnlyList<string> proof, string? signedCheckpoint)
    {
        Assert.Equal(Convert.ToBase64String(leaf), leafHash);
        Assert.NotNull(signedCheckpoint);
        var (checkpoint, key) = Checkpoint.Verify(signedCheckpoint, [platform.LedgerSigner.Verifier]);
        Assert.Equal((Platform.LedgerOrigin, treeSize), (checkpoint.Origin, checkpoint.Size));
        Assert.Equal(platform.LedgerSigner.Verifier.VKey, key.VKey);
        ProofVerifier.VerifyInclusion(index, treeSize, leaf, [.. proof.Select(Convert.FromBase64String)], checkpoint.RootHash);
    }
}
