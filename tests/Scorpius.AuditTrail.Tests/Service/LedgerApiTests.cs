using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scorpius.AuditTrail.Api;
using Scorpius.AuditTrail.Tests.TestSupport;
using Scorpius.Contracts;
using Scorpius.Ledger.Bundles;
using Scorpius.Ledger.Merkle;
using Scorpius.Ledger.Notes;

namespace Scorpius.AuditTrail.Tests.Service;

/// <summary>The REST API under /v1: everything it returns verifies with the log's public key alone.</summary>
public sealed class LedgerApiTests
{
    [Fact]
    public async Task Entries_proofs_checkpoints_and_keys_verify_against_the_key_in_the_secret_store()
    {
        await using var app = await AuditTrailApp.StartAsync();
        await DeliverAsync(app, 0, 5);

        var first = (await app.Client.GetFromJsonAsync<CheckpointResponse>("/v1/checkpoints/latest"))!;
        var keys = (await app.Client.GetFromJsonAsync<VerifierKeysResponse>("/v1/verifier-keys"))!;
        Assert.Equal([app.Signer!.Verifier.VKey], keys.Keys);
        var (checkpoint5, _) = Checkpoint.Verify(first.Note, [app.Signer.Verifier]);
        Assert.Equal((5L, LedgerHarness.Origin), (checkpoint5.Size, checkpoint5.Origin));
        Assert.Equal((first.KeyName, first.KeyId), (app.Signer.Verifier.Name, app.Signer.Verifier.KeyIdHex));

        var entry = (await app.Client.GetFromJsonAsync<EntryResponse>("/v1/entries/2"))!;
        Assert.Equal("evt-2", entry.EventId);
        var proof = (await app.Client.GetFromJsonAsync<InclusionProofResponse>("/v1/entries/2/inclusion-proof"))!;
        Assert.Equal((2L, 5L, first.Note), (proof.Index, proof.TreeSize, proof.Checkpoint));
        var leaf = MerkleHash.Leaf(System.Text.Encoding.UTF8.GetBytes(entry.Entry));
        Assert.Equal(entry.LeafHash, Convert.ToBase64String(leaf));
        ProofVerifier.VerifyInclusion(2, 5, leaf, proof.Proof.Select(Convert.FromBase64String).ToList(), checkpoint5.RootHash);

        await DeliverAsync(app, 5, 3);
        var second = (await app.Client.GetFromJsonAsync<CheckpointResponse>("/v1/checkpoints/latest"))!;
        var (checkpoint8, _) = Checkpoint.Verify(second.Note, [app.Signer.Verifier]);
        var consistency = (await app.Client.GetFromJsonAsync<ConsistencyProofResponse>("/v1/proofs/consistency?from=5&to=8"))!;
        ProofVerifier.VerifyConsistency(5, 8, checkpoint5.RootHash, checkpoint8.RootHash, consistency.Proof.Select(Convert.FromBase64String).ToList());
        var byDefault = (await app.Client.GetFromJsonAsync<ConsistencyProofResponse>("/v1/proofs/consistency?from=5"))!;
        Assert.Equal(8, byDefault.To);

        var older = (await app.Client.GetFromJsonAsync<InclusionProofResponse>("/v1/entries/2/inclusion-proof?treeSize=5"))!;
        Assert.Equal(proof.Proof, older.Proof);
        Assert.Equal(first.Note, older.Checkpoint);
    }

    [Fact]
    public async Task A_bundle_exported_after_a_redaction_and_a_key_rotation_verifies_offline()
    {
        await using var app = await AuditTrailApp.StartAsync();
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);
        await DeliverAsync(app, 0, 6);
        var firstNote = (await app.Client.GetFromJsonAsync<CheckpointResponse>("/v1/checkpoints/latest"))!.Note;

        using var rotated = AuditTrailApp.SetSigningKey(app.Sidecar);
        var redaction = await app.Client.PostAsJsonAsync("/v1/entries/1/redaction", new RedactionRequest("GDPR erasure request 2026-17", "dpo@tenant-a.example"));
        Assert.Equal(HttpStatusCode.OK, redaction.StatusCode);
        Assert.Equal(new RedactionResponse(1, 6), await redaction.Content.ReadFromJsonAsync<RedactionResponse>());
        var erased = (await app.Client.GetFromJsonAsync<EntryResponse>("/v1/entries/1"))!;
        Assert.True(erased.Redacted);
        Assert.Null(erased.Payload);
        var record = (await app.Client.GetFromJsonAsync<EntryResponse>("/v1/entries/6"))!;
        Assert.Equal(("redaction", "redaction:1"), (record.Kind, record.EventId));
        Assert.Contains("dpo@tenant-a.example", record.Payload, StringComparison.Ordinal);

        await DeliverAsync(app, 6, 2);
        var to = DateTimeOffset.UtcNow.AddMinutes(1);
        var response = await app.Client.GetAsync($"/v1/bundles?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bundle = LedgerBundle.Parse(await response.Content.ReadAsByteArrayAsync());

        Assert.Equal(9, bundle.Entries.Count);
        Assert.Equal([app.Signer!.Verifier.VKey, rotated.Verifier.VKey], bundle.VerifierKeys);
        Assert.Equal(firstNote, Assert.Single(bundle.Consistency).Checkpoint);
        var report = BundleVerifier.Verify(bundle);
        Assert.Equal((9L, 9, 1, 1), (report.TreeSize, report.Entries, report.Redacted, report.ConsistencyProofs));
        Assert.Equal(rotated.Verifier.KeyId, report.SignedBy.KeyId);
        // Pinned to the published keys: both are needed, since the earlier checkpoint was signed before the rotation.
        BundleVerifier.Verify(bundle, [app.Signer.Verifier, rotated.Verifier]);
        var onlyNew = Assert.Throws<LedgerVerificationException>(() => BundleVerifier.Verify(bundle, [rotated.Verifier]));
        Assert.StartsWith("consistency proof 1:", onlyNew.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_answers_through_Dapr_service_invocation()
    {
        await using var app = await AuditTrailApp.StartAsync();
        await DeliverAsync(app, 0, 3);
        // A caller's real DaprClient → the sidecar's /v1.0/invoke/audit-trail/method/… → the app.
        using var dapr = app.Sidecar.CreateClient();
        using var http = dapr.CreateInvokableHttpClient(ScorpiusApps.AuditTrailId);
        http.DefaultRequestHeaders.Authorization = new("Bearer", app.Identity.Token("tenant-a", Permissions.LedgerRead));
        var checkpoint = (await http.GetFromJsonAsync<CheckpointResponse>("/v1/checkpoints/latest"))!;
        Assert.Equal(3, Checkpoint.Verify(checkpoint.Note, [app.Signer!.Verifier]).Checkpoint.Size);
    }

    [Fact]
    public async Task A_tenant_reads_its_own_entries_and_proofs_and_nothing_of_another_tenant()
    {
        await using var app = await AuditTrailApp.StartAsync();
        await DeliverAsync(app, 0, 3); // events of tenant-a
        var tenantA = app.ClientWith(app.Identity.Token("tenant-a", Permissions.LedgerRead));
        var tenantB = app.ClientWith(app.Identity.Token("tenant-b", Permissions.LedgerRead, Permissions.UsersManage));

        var entry = (await tenantA.GetFromJsonAsync<EntryResponse>("/v1/entries/1"))!;
        Assert.Equal(("tenant-a", 1L), (entry.Tenant, entry.Index));
        Assert.Equal(HttpStatusCode.OK, (await tenantA.GetAsync("/v1/entries/1/inclusion-proof")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenantA.GetAsync($"/v1/entries/by-event/{entry.EventId}")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await tenantB.GetAsync("/v1/entries/1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantB.GetAsync("/v1/entries/1/inclusion-proof")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantB.GetAsync($"/v1/entries/by-event/{entry.EventId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantB.PostAsJsonAsync("/v1/entries/1/redaction", new { reason = "r", requestedBy = "x" })).StatusCode);
        // Whole-log operations are the platform operator's; tree sizes and hashes are anyone's with ledger:read.
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantA.PostAsync("/v1/verification", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantA.GetAsync("/v1/bundles?from=2026-01-01T00:00:00Z&to=2099-01-01T00:00:00Z")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenantB.GetAsync("/v1/checkpoints/latest")).StatusCode);
        // The tenant is part of the leaf: it survives a redaction, and the redaction record belongs to the same tenant.
        var redaction = await app.Client.PostAsJsonAsync("/v1/entries/1/redaction", new { reason = "GDPR art. 17", requestedBy = "ticket-7" });
        var redactionIndex = (await redaction.Content.ReadFromJsonAsync<RedactionResponse>())!.RedactionIndex;
        Assert.Equal("tenant-a", (await tenantA.GetFromJsonAsync<EntryResponse>("/v1/entries/1"))!.Tenant);
        Assert.Equal("tenant-a", (await tenantA.GetFromJsonAsync<EntryResponse>($"/v1/entries/{redactionIndex}"))!.Tenant);
    }

    [Theory]
    [InlineData("/v1/entries/99", 404, "No such entry")]
    [InlineData("/v1/entries/by-event/nope", 404, "No such event")]
    [InlineData("/v1/entries/99/inclusion-proof?treeSize=2", 404, "Outside the ledger")]
    [InlineData("/v1/entries/0/inclusion-proof?treeSize=99", 404, "Outside the ledger")]
    [InlineData("/v1/proofs/consistency?from=0&to=2", 404, "Outside the ledger")]
    [InlineData("/v1/proofs/consistency?from=2&to=1", 404, "Outside the ledger")]
    [InlineData("/v1/proofs/consistency?from=abc", 400, null)]
    [InlineData("/v1/bundles?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", 400, "Empty time range")]
    [InlineData("/v1/bundles?from=2026-01-02T00:00:00Z", 400, null)]
    public async Task Bad_requests_get_problem_details(string url, int status, string? title)
    {
        await using var app = await AuditTrailApp.StartAsync();
        await DeliverAsync(app, 0, 2);
        var response = await app.Client.GetAsync(url);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        if (title is not null) Assert.Equal(title, problem["title"]!.GetValue<string>());
        Assert.Equal(ScorpiusApps.AuditTrailId, problem["app"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_redaction_needs_a_reason_and_a_requester_and_an_existing_entry()
    {
        await using var app = await AuditTrailApp.StartAsync();
        await DeliverAsync(app, 0, 1);

        var empty = await app.Client.PostAsJsonAsync("/v1/entries/0/redaction", new RedactionRequest(" ", null));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var errors = (await empty.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("reason") && errors.ContainsKey("requestedBy"));

        var notJson = await app.Client.PostAsync("/v1/entries/0/redaction", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("application/problem+json", notJson.Content.Headers.ContentType?.MediaType);

        var missing = await app.Client.PostAsJsonAsync("/v1/entries/5/redaction", new RedactionRequest("r", "x"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(1, await app.Get<AuditTrail.Storage.ILedgerStore>().GetSizeAsync(default)); // nothing was appended
    }

    [Fact]
    public async Task Without_a_signing_key_in_the_secret_store_checkpoints_answer_503_and_appends_still_work()
    {
        await using var app = await AuditTrailApp.StartAsync(withSigningKey: false);
        await DeliverAsync(app, 0, 3);
        var response = await app.Client.GetAsync("/v1/checkpoints/latest");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("Signing key unavailable", problem["title"]!.GetValue<string>());
        Assert.Contains(DaprNames.SecretStore, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, await app.Get<AuditTrail.Storage.ILedgerStore>().GetSizeAsync(default));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_v1_api()
    {
        await using var app = await AuditTrailApp.StartAsync();
        var paths = (await app.Client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!["paths"]!.AsObject();
        foreach (var path in new[] { "/v1/entries/{index}", "/v1/entries/by-event/{eventId}", "/v1/entries/{index}/inclusion-proof", "/v1/proofs/consistency",
                     "/v1/checkpoints/latest", "/v1/verifier-keys", "/v1/bundles", "/v1/entries/{index}/redaction", "/v1/verification" })
        {
            Assert.True(paths.ContainsKey(path), $"{path} is not in the OpenAPI document.");
        }
    }

    internal static async Task DeliverAsync(AuditTrailApp app, int from, int count)
    {
        for (var n = from; n < from + count; n++)
        {
            var attempt = await app.Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, TestEvents.CloudEvent(n));
            Assert.Equal(Scorpius.Testing.Sidecar.DeliveryStatus.Success, attempt.Status);
        }
    }
}
