using Scorpius.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Scorpius.AuditTrail.Ledger;
using Scorpius.AuditTrail.Signing;
using Scorpius.AuditTrail.Verification;
using System.Security.Claims;
using Scorpius.AuditTrail.Storage;
using Scorpius.Ledger.Bundles;
using Scorpius.Ledger.Entries;
using Scorpius.ServiceDefaults.Security;

namespace Scorpius.AuditTrail.Api;

/// <summary>The ledger's REST API, <c>/v1</c>, reached through Dapr service invocation (app-id audit-trail).</summary>
public static class LedgerApi
{
    /// <summary>The Dapr cron input binding that triggers continuous verification; daprd calls POST /{binding name}.</summary>
    public const string VerifyCronBinding = DaprNames.AuditVerifyCron;

    public static IEndpointRouteBuilder MapLedgerApi(this IEndpointRouteBuilder endpoints)
    {
        // Entries belong to tenants (their leaf names the tenant); proofs, checkpoints and keys carry only hashes and sizes,
        // so any principal with ledger:read may fetch them. Whole-log operations are the platform operator's.
        var v1 = endpoints.MapGroup("/v1").WithTags("Audit ledger");
        v1.MapGet("/entries/{index:long}", GetEntryAsync).WithSummary("An entry by index (of the caller's tenant).").RequireScope(Permissions.LedgerRead);
        v1.MapGet("/entries/by-event/{eventId}", GetEntryByEventAsync).WithSummary("An entry by CloudEvent id (and source, when ids repeat across sources).").RequireScope(Permissions.LedgerRead);
        v1.MapGet("/entries/{index:long}/inclusion-proof", GetInclusionProofAsync).WithSummary("Inclusion proof of an entry; default tree size: the latest signed checkpoint.").RequireScope(Permissions.LedgerRead);
        v1.MapGet("/proofs/consistency", GetConsistencyProofAsync).WithSummary("Consistency proof between two tree sizes.").RequireScope(Permissions.LedgerRead);
        v1.MapGet("/checkpoints/latest", GetLatestCheckpointAsync).WithSummary("The latest signed checkpoint (signs a new one if the log grew).").RequireScope(Permissions.LedgerRead);
        v1.MapGet("/verifier-keys", GetVerifierKeysAsync).WithSummary("Every public key the log has signed checkpoints with.").RequireScope(Permissions.LedgerRead);
        v1.MapGet("/bundles", ExportBundleAsync).WithSummary("Export the entries recorded in [from, to) as an offline-verifiable bundle (platform operator).")
            .RequireScope(Permissions.LedgerRead).RequirePlatformTenant();
        v1.MapPost("/entries/{index:long}/redaction", RedactAsync).WithSummary("Erase an entry's payload (GDPR); the erasure is itself an entry.").RequireScope(Permissions.UsersManage);
        v1.MapPost("/verification", VerifyAsync).WithSummary("Recompute the tree and check every stored byte and checkpoint now (platform operator).")
            .RequireScope(Permissions.LedgerRead).RequirePlatformTenant();
        endpoints.MapPost("/" + VerifyCronBinding, VerifyAsync).ExcludeFromDescription().RequireDaprCallback();
        return endpoints;
    }

    /// <summary>The tenant owning an entry: the one its leaf names, else the platform.</summary>
    private static bool Visible(StoredEntry entry, ClaimsPrincipal user) =>
        user.IsPlatform() || string.Equals(LedgerEntry.Decode(entry.Entry).Tenant ?? ScorpiusTenants.Platform, user.TenantId(), StringComparison.Ordinal);

    private static ProblemHttpResult OtherTenant() => TypedResults.Problem("The entry belongs to another tenant.", statusCode: StatusCodes.Status403Forbidden, title: "Another tenant's resource");

    private static async Task<Results<Ok<EntryResponse>, ProblemHttpResult>> GetEntryAsync(long index, AuditLedger ledger, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        await ledger.Store.GetEntryAsync(index, cancellationToken) is { } entry
            ? Visible(entry, user) ? TypedResults.Ok(EntryResponse.From(entry)) : OtherTenant()
            : TypedResults.Problem($"The ledger has no entry {index}.", statusCode: StatusCodes.Status404NotFound, title: "No such entry");

    private static async Task<Results<Ok<EntryResponse>, ProblemHttpResult>> GetEntryByEventAsync(
        string eventId, string? source, AuditLedger ledger, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var all = await ledger.Store.FindByEventIdAsync(eventId, source, cancellationToken);
        var found = all.Where(e => Visible(e, user)).ToList();
        if (all.Count > 0 && found.Count == 0) return OtherTenant();
        return found.Count switch
        {
            0 => TypedResults.Problem($"No entry records event '{eventId}'{(source is null ? "" : $" from '{source}'")}.", statusCode: StatusCodes.Status404NotFound, title: "No such event"),
            1 => TypedResults.Ok(EntryResponse.From(found[0])),
            _ => TypedResults.Problem($"Event id '{eventId}' was recorded from {found.Count} sources ({string.Join(", ", found.Select(f => f.Source))}); add ?source=.",
                statusCode: StatusCodes.Status409Conflict, title: "Ambiguous event id"),
        };
    }

    private static async Task<Results<Ok<InclusionProofResponse>, ProblemHttpResult>> GetInclusionProofAsync(
        long index, long? treeSize, AuditLedger ledger, Checkpointer checkpointer, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        try
        {
            if (await ledger.Store.GetEntryAsync(index, cancellationToken) is { } owned && !Visible(owned, user)) return OtherTenant();
            string? note = null;
            if (treeSize is null)
            {
                var latest = await checkpointer.EnsureLatestAsync(cancellationToken);
                (treeSize, note) = (latest.TreeSize, latest.Note);
            }
            else
            {
                note = (await ledger.Store.GetCheckpointAsync(treeSize.Value, cancellationToken))?.Note;
            }
            var proof = await ledger.InclusionProofAsync(index, treeSize.Value, cancellationToken);
            var entry = (await ledger.Store.GetEntryAsync(index, cancellationToken))!;
            return TypedResults.Ok(new InclusionProofResponse(index, treeSize.Value, Convert.ToBase64String(entry.LeafHash), proof.Select(Convert.ToBase64String).ToList(), note));
        }
        catch (Exception ex) when (Problem(ex) is { } problem) { return problem; }
    }

    private static async Task<Results<Ok<ConsistencyProofResponse>, ProblemHttpResult>> GetConsistencyProofAsync(
        long from, long? to, AuditLedger ledger, Checkpointer checkpointer, CancellationToken cancellationToken)
    {
        try
        {
            var second = to ?? (await checkpointer.EnsureLatestAsync(cancellationToken)).TreeSize;
            var proof = await ledger.ConsistencyProofAsync(from, second, cancellationToken);
            return TypedResults.Ok(new ConsistencyProofResponse(from, second, proof.Select(Convert.ToBase64String).ToList()));
        }
        catch (Exception ex) when (Problem(ex) is { } problem) { return problem; }
    }

    private static async Task<Results<Ok<CheckpointResponse>, ProblemHttpResult>> GetLatestCheckpointAsync(Checkpointer checkpointer, CancellationToken cancellationToken)
    {
        try { return TypedResults.Ok(CheckpointResponse.From(await checkpointer.EnsureLatestAsync(cancellationToken))); }
        catch (Exception ex) when (Problem(ex) is { } problem) { return problem; }
    }

    private static async Task<Ok<VerifierKeysResponse>> GetVerifierKeysAsync(AuditLedger ledger, CancellationToken cancellationToken) =>
        TypedResults.Ok(new VerifierKeysResponse(await ledger.Store.GetVerifierKeysAsync(cancellationToken)));

    private static async Task<Results<JsonHttpResult<LedgerBundle>, ProblemHttpResult>> ExportBundleAsync(
        DateTimeOffset from, DateTimeOffset to, BundleExporter exporter, CancellationToken cancellationToken)
    {
        if (to <= from)
            return TypedResults.Problem($"'to' ({to:O}) must be later than 'from' ({from:O}).", statusCode: StatusCodes.Status400BadRequest, title: "Empty time range");
        try { return TypedResults.Json(await exporter.ExportAsync(from, to, cancellationToken), LedgerBundle.Json); }
        catch (Exception ex) when (Problem(ex) is { } problem) { return problem; }
    }

    private static async Task<Results<Ok<RedactionResponse>, ValidationProblem, ProblemHttpResult>> RedactAsync(
        long index, RedactionRequest request, AuditLedger ledger, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var target = await ledger.Store.GetEntryAsync(index, cancellationToken);
        if (target is not null && !Visible(target, user)) return OtherTenant();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Reason)) errors["reason"] = ["Say why the payload is erased (it is recorded)."];
        if (string.IsNullOrWhiteSpace(request.RequestedBy)) errors["requestedBy"] = ["Say who asked for the erasure (it is recorded)."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        try
        {
            var result = await ledger.RedactAsync(index, request.Reason!, $"{request.RequestedBy} (erased by {user.SubjectId()})", cancellationToken,
                target is null ? null : LedgerEntry.Decode(target.Entry).Tenant);
            return TypedResults.Ok(new RedactionResponse(result.RedactedIndex, result.RedactionIndex));
        }
        catch (Exception ex) when (Problem(ex) is { } problem) { return problem; }
    }

    private static async Task<Ok<VerificationReport>> VerifyAsync(LedgerAuditor auditor, CancellationToken cancellationToken) =>
        TypedResults.Ok(await auditor.RunAsync(cancellationToken));

    private static ProblemHttpResult? Problem(Exception ex) => ex switch
    {
        LedgerRangeException => TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "Outside the ledger"),
        BundleTooLargeException => TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Range too large"),
        SigningKeyUnavailableException => TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Signing key unavailable"),
        LedgerIntegrityException => TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status500InternalServerError, title: "Ledger integrity failure"),
        _ => null,
    };
}
