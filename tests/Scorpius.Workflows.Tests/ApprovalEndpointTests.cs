using System.Net;
using System.Net.Http.Json;
using Dapr.Workflow;
using Microsoft.AspNetCore.Mvc;
using Scorpius.Contracts;
using Scorpius.Workflows.Protection;
using Scorpius.Workflows.Tests.Support;

namespace Scorpius.Workflows.Tests;

/// <summary>
/// POST /v1/protections/{instanceId}/approval and GET /v1/workflows/{instanceId} with TestIdentity tokens, on held
/// protection instances run by the app's real worker on the in-process engine.
/// </summary>
public sealed class ApprovalEndpointTests(WorkflowsHostFixture fixture) : IClassFixture<WorkflowsHostFixture>
{
    private WorkflowsHost Host => fixture.Host;

    private HttpClient Approver(string tenant = ProtectionData.Tenant, string subject = "alice", string scope = Permissions.PoliciesWrite) =>
        Host.ClientWith(Host.Token(tenant, subject, scope));

    private static Uri ApprovalUri(string instanceId) => new($"/v1/protections/{instanceId}/approval", UriKind.Relative);

    /// <summary>Starts a protection held for approval (through the subscription) and waits until it waits.</summary>
    private async Task<ProtectionRequested> HeldAsync()
    {
        var e = ProtectionData.Request(ProtectionData.Warning(PolicyAction.RequireApproval, rule: "rule-approve-unlimited"));
        var delivered = await Host.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.WorkflowsId, DaprNames.PubSub, DaprNames.Topics.ProtectionRequested, ProtectionData.CloudEvent(e));
        Assert.Equal(Scorpius.Testing.Sidecar.DeliveryStatus.Success, delivered.Status);
        using var timeout = new CancellationTokenSource(WorkflowsHost.WaitLimit);
        while (true)
        {
            var state = await Host.Workflows.GetWorkflowStateAsync(e.InstanceId, getInputsAndOutputs: true, timeout.Token);
            if (state.Exists && state.ReadCustomStatusAs<ProtectionProgress>()?.Stage == ProtectionProgress.AwaitingApproval) return e;
            await Task.Delay(50, timeout.Token);
        }
    }

    private async Task<ProtectionOutcome> OutcomeAsync(string instanceId)
    {
        using var timeout = new CancellationTokenSource(WorkflowsHost.WaitLimit);
        var state = await Host.Workflows.WaitForWorkflowCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        return state.ReadOutputAs<ProtectionOutcome>()!;
    }

    [Fact]
    public async Task An_approval_by_the_tenant_allows_and_the_approver_is_audited()
    {
        var e = await HeldAsync();
        using var client = Approver(subject: "alice");

        var response = await client.PostAsJsonAsync(ApprovalUri(e.InstanceId), new { approved = true, reason = "known counterparty" });
        var outcome = await OutcomeAsync(e.InstanceId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new ProtectionApprovalAccepted(e.InstanceId, true, "alice"), await response.Content.ReadFromJsonAsync<ProtectionApprovalAccepted>());
        Assert.Equal((PolicyAction.Allow, ProtectionStatus.Approved, new ApprovalRecord(ApprovalRecord.Approved, "alice", "known counterparty")),
            (outcome.Action, outcome.Status, outcome.Approval));
        var entry = Assert.Single(Host.AuditTrail.Entries, x => x.EventId == ProtectionIds.AuditEventId(e.InstanceId));
        Assert.Equal(("allow", "approved", "alice", "known counterparty"),
            ((string)entry.Data!["outcome"]!, (string)entry.Data["details"]!["approval"]!, (string)entry.Data["details"]!["approver"]!, (string)entry.Data["reason"]!));
    }

    [Fact]
    public async Task A_rejection_blocks_and_the_platform_operator_may_answer_for_any_tenant()
    {
        var e = await HeldAsync();
        using var client = Approver(tenant: ScorpiusTenants.Platform, subject: "operator");

        var response = await client.PostAsJsonAsync(ApprovalUri(e.InstanceId), new { approved = false });
        var outcome = await OutcomeAsync(e.InstanceId);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((PolicyAction.Block, ProtectionStatus.Rejected, "operator"), (outcome.Action, outcome.Status, outcome.Approval?.By));
        Assert.NotNull(outcome.WebhookEventId);
    }

    [Fact]
    public async Task Another_tenant_gets_403_and_the_hold_keeps_waiting()
    {
        var e = await HeldAsync();
        using var other = Approver(tenant: ProtectionData.OtherTenant, subject: "mallory");

        var response = await other.PostAsJsonAsync(ApprovalUri(e.InstanceId), new { approved = true });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var state = await Host.Workflows.GetWorkflowStateAsync(e.InstanceId, getInputsAndOutputs: true);
        Assert.Equal((WorkflowRuntimeStatus.Running, ProtectionProgress.AwaitingApproval), (state.RuntimeStatus, state.ReadCustomStatusAs<ProtectionProgress>()?.Stage));
        // The status endpoint applies the same tenant rule.
        using var viewerB = Host.ClientWith(Host.Token(ProtectionData.OtherTenant, "mallory", Permissions.WalletsRead));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewerB.GetAsync(new Uri($"/v1/workflows/{e.InstanceId}", UriKind.Relative))).StatusCode);
        using var viewerA = Host.ClientWith(Host.Token(ProtectionData.Tenant, "vera", Permissions.WalletsRead));
        var status = await viewerA.GetFromJsonAsync<WorkflowStatusResponse>(new Uri($"/v1/workflows/{e.InstanceId}", UriKind.Relative));
        Assert.Equal((nameof(ProtectionWorkflow), nameof(WorkflowRuntimeStatus.Running)), (status!.Name, status.Status));

        using var owner = Approver();
        Assert.Equal(HttpStatusCode.OK, (await owner.PostAsJsonAsync(ApprovalUri(e.InstanceId), new { approved = false })).StatusCode);
        await OutcomeAsync(e.InstanceId);
    }

    [Fact]
    public async Task An_unknown_instance_is_a_404_problem()
    {
        using var client = Approver();

        var response = await client.PostAsJsonAsync(ApprovalUri("protect-tenant-a-no-such-assessment"), new { approved = true });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_instance_that_does_not_wait_for_approval_is_a_409_and_an_answer_twice_too()
    {
        var held = await HeldAsync();
        using var client = Approver();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync(ApprovalUri(held.InstanceId), new { approved = true })).StatusCode);
        await OutcomeAsync(held.InstanceId);
        var benign = ProtectionData.Request(ProtectionData.Benign());
        await Host.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.WorkflowsId, DaprNames.PubSub, DaprNames.Topics.ProtectionRequested, ProtectionData.CloudEvent(benign));
        await OutcomeAsync(benign.InstanceId);

        var twice = await client.PostAsJsonAsync(ApprovalUri(held.InstanceId), new { approved = false });
        var neverHeld = await client.PostAsJsonAsync(ApprovalUri(benign.InstanceId), new { approved = true });

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (twice.StatusCode, neverHeld.StatusCode));
        var problem = await twice.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Contains("completed", problem!.Detail, StringComparison.Ordinal);
        Assert.Equal(ProtectionStatus.Approved, (await OutcomeAsync(held.InstanceId)).Status);
    }

    [Fact]
    public async Task An_answer_without_approved_is_a_400_and_a_token_without_the_scope_a_403()
    {
        using var client = Approver();
        using var viewer = Approver(scope: Permissions.WalletsRead);

        var missing = await client.PostAsJsonAsync(ApprovalUri("protect-tenant-a-x"), new { reason = "forgot" });
        var unscoped = await viewer.PostAsJsonAsync(ApprovalUri("protect-tenant-a-x"), new { approved = true });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.Forbidden), (missing.StatusCode, unscoped.StatusCode));
    }
}

/// <summary>A hold that nobody answers: Workflows:ApprovalTimeout elapses on a durable timer and the request is blocked.</summary>
public sealed class ApprovalTimeoutTests
{
    [Fact]
    public async Task A_hold_nobody_answers_in_time_is_blocked_as_timed_out()
    {
        await using var host = await WorkflowsHost.StartAsync(settings: new Dictionary<string, string?> { ["Workflows:ApprovalTimeout"] = "00:00:01" });
        var e = ProtectionData.Request(ProtectionData.Malicious(PolicyAction.RequireApproval));

        var delivered = await host.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.WorkflowsId, DaprNames.PubSub, DaprNames.Topics.ProtectionRequested, ProtectionData.CloudEvent(e));
        using var timeout = new CancellationTokenSource(WorkflowsHost.WaitLimit);
        var state = await host.Workflows.WaitForWorkflowCompletionAsync(e.InstanceId, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(Scorpius.Testing.Sidecar.DeliveryStatus.Success, delivered.Status);
        Assert.Equal(WorkflowRuntimeStatus.Completed, state.RuntimeStatus);
        var outcome = state.ReadOutputAs<ProtectionOutcome>()!;
        Assert.Equal((PolicyAction.Block, ProtectionStatus.ApprovalTimedOut, new ApprovalRecord(ApprovalRecord.TimedOut, null, null)),
            (outcome.Action, outcome.Status, outcome.Approval));
        Assert.Equal(ProtectionProgress.Deciding, state.ReadCustomStatusAs<ProtectionProgress>()?.Stage);
    }
}
