using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Scorpius.Contracts;

namespace Scorpius.Workflows.Tests.Support;

/// <summary>One request the stand-in answered.</summary>
public sealed record StandInRequest(string Method, string PathAndQuery, string? Authorization);

/// <summary>An entry of the stand-in ledger.</summary>
public sealed record StandInEntry(long Index, string Source, string EventId, string LeafHash, JsonNode? Data);

/// <summary>
/// Stands in for audit-trail behind the fake sidecar (a test double, not the ledger): it subscribes to the audit topic
/// (unless told not to) and records each CloudEvent once per source + id, as audit-trail does, and answers
/// <c>GET /v1/entries/by-event/{id}?source=</c> and <c>GET /v1/entries/{index}/inclusion-proof</c> with the shapes of
/// audit-trail's EntryResponse and InclusionProofResponse.
/// </summary>
public sealed class AuditTrailStandIn(bool subscribeToAudit = true) : HttpMessageHandler
{
    public const string CheckpointOrigin = "scorpius.dev/audit-trail";

    private readonly ConcurrentDictionary<(string Source, string EventId), StandInEntry> entries = new();
    private readonly ConcurrentQueue<StandInRequest> requests = new();
    private readonly Lock gate = new();

    public IReadOnlyList<StandInRequest> Requests => [.. requests];
    public IReadOnlyList<StandInEntry> Entries => [.. entries.Values.OrderBy(e => e.Index)];

    public HttpClient CreateClient() => new(this) { BaseAddress = new Uri($"http://{ScorpiusApps.AuditTrailId}") };

    /// <summary>Records an event as audit-trail would on delivery; a second time changes nothing.</summary>
    public StandInEntry Append(string source, string eventId, JsonNode? data)
    {
        lock (gate)
        {
            return entries.GetOrAdd((source, eventId), key => new StandInEntry(entries.Count, key.Source, key.EventId,
                Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{key.Source}/{key.EventId}"))), data?.DeepClone()));
        }
    }

    /// <summary>The proof hashes the stand-in answers for an entry (fixed per index, so a test can compare).</summary>
    public static IReadOnlyList<string> ProofOf(long index) =>
        [Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"sibling-{index}"))), Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"uncle-{index}")))];

    public static string CheckpointOf(long treeSize) => $"{CheckpointOrigin}\n{treeSize}\nroot-of-{treeSize}=\n\n— {CheckpointOrigin} sig\n";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        requests.Enqueue(new StandInRequest(request.Method.Method, uri.PathAndQuery, request.Headers.Authorization?.ToString()));
        var segments = uri.AbsolutePath.Trim('/').Split('/');
        if (request.Method == HttpMethod.Get && uri.AbsolutePath == "/dapr/subscribe")
        {
            return Json(subscribeToAudit
                ? new JsonArray(new JsonObject { ["pubsubname"] = DaprNames.PubSub, ["topic"] = DaprNames.Topics.Audit, ["route"] = "/audit" })
                : []);
        }
        if (request.Method == HttpMethod.Post && uri.AbsolutePath == "/audit")
        {
            var cloudEvent = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!;
            Append((string)cloudEvent["source"]!, (string)cloudEvent["id"]!, cloudEvent["data"]);
            return Json(new JsonObject { ["status"] = "SUCCESS" });
        }
        if (request.Method == HttpMethod.Get && segments is ["v1", "entries", "by-event", var eventId])
        {
            var source = System.Web.HttpUtility.ParseQueryString(uri.Query)["source"];
            var id = Uri.UnescapeDataString(eventId);
            var found = entries.Values.Where(e => e.EventId == id && (source is null || e.Source == source)).ToList();
            if (found.Count != 1) return new HttpResponseMessage(HttpStatusCode.NotFound) { Content = JsonContent.Create(new { title = "No such event", status = 404 }) };
            var entry = found[0];
            return Json(new JsonObject
            {
                ["index"] = entry.Index, ["kind"] = "event", ["source"] = entry.Source, ["eventId"] = entry.EventId,
                ["recordedAt"] = DateTimeOffset.UtcNow.ToString("O"), ["leafHash"] = entry.LeafHash, ["entry"] = "{}",
                ["payload"] = entry.Data?.ToJsonString(), ["salt"] = "c2FsdA==", ["redacted"] = false,
            });
        }
        if (request.Method == HttpMethod.Get && segments is ["v1", "entries", var indexText, "inclusion-proof"] && long.TryParse(indexText, out var index))
        {
            var entry = entries.Values.FirstOrDefault(e => e.Index == index);
            if (entry is null) return new HttpResponseMessage(HttpStatusCode.NotFound);
            var treeSize = (long)entries.Count;
            return Json(new JsonObject
            {
                ["index"] = index, ["treeSize"] = treeSize, ["leafHash"] = entry.LeafHash,
                ["proof"] = new JsonArray([.. ProofOf(index).Select(p => (JsonNode)p)]), ["checkpoint"] = CheckpointOf(treeSize),
            });
        }
        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private static HttpResponseMessage Json(JsonNode body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
}
