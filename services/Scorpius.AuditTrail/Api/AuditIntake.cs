using System.Security.Cryptography;
using System.Text.Json;
using NJsonSchema;
using Scorpius.Contracts;
using Scorpius.Ledger.Canonical;
using Scorpius.Ledger.Entries;

namespace Scorpius.AuditTrail.Api;

/// <summary>What became of a delivered message: the entry to append, and whether it was an acceptable audit event.</summary>
public sealed record IntakeResult(PendingEntry Entry, bool Accepted);

/// <summary>
/// Turns a delivered CloudEvent (the whole structured envelope, as received) into a ledger entry. An envelope with a
/// <c>source</c>, an <c>id</c> and a <c>data</c> that validates against the <c>audit.v1</c> JSON Schema becomes an
/// event entry whose payload is the RFC 8785 form of <c>data</c>. Anything else is poison: it becomes a rejected-input
/// entry holding the bytes exactly as received and the reason, identified by its source and id when it has them, or
/// by the SHA-256 of its bytes when it does not.
/// </summary>
public sealed class AuditIntake(int maxMessageBytes)
{
    private static readonly Lazy<JsonSchema> AuditSchema = new(() => JsonSchema.FromJsonAsync(EventSchemas.Read(AuditEvent.SchemaName)).GetAwaiter().GetResult());

    public IntakeResult Read(byte[] body)
    {
        if (body.Length > maxMessageBytes)
            return Reject(body, "", null, $"the message has {body.Length} bytes, more than the {maxMessageBytes} accepted; its first {maxMessageBytes} bytes are kept");

        JsonDocument document;
        try { document = JsonDocument.Parse(body); }
        catch (JsonException ex) { return Reject(body, "", null, $"the message is not JSON: {ex.Message}"); }
        using (document)
        {
            var envelope = document.RootElement;
            if (envelope.ValueKind != JsonValueKind.Object) return Reject(body, "", null, "the message is not a CloudEvent: it is not a JSON object");
            var source = Text(envelope, "source");
            var id = Text(envelope, "id");
            if (string.IsNullOrEmpty(source) || string.IsNullOrEmpty(id))
                return Reject(body, source ?? "", id, "the message is not a CloudEvent: it has no source or no id");
            var type = Text(envelope, "type");
            var time = Text(envelope, "time");
            if (!envelope.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                return Reject(body, source, id, "the CloudEvent has no JSON object as data", type, time);

            var errors = AuditSchema.Value.Validate(data.GetRawText());
            if (errors.Count > 0)
            {
                var reasons = string.Join("; ", errors.Take(5).Select(e => $"{e.Path}: {e.Kind}"));
                return Reject(body, source, id, $"data does not match the {AuditEvent.SchemaName} schema: {reasons}", type, time);
            }
            byte[] payload;
            try { payload = JsonCanonicalizer.Canonicalize(data); }
            catch (CanonicalJsonException ex) { return Reject(body, source, id, $"data cannot be canonicalized (RFC 8785): {ex.Message}", type, time); }
            var tenant = data.TryGetProperty("tenantId", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            return new IntakeResult(new PendingEntry(EntryKinds.Event, source, id, type, time, payload, PayloadFormats.Rfc8785, Tenant: tenant), true);
        }
    }

    private IntakeResult Reject(byte[] body, string source, string? id, string error, string? type = null, string? time = null)
    {
        var kept = body.Length > maxMessageBytes ? body[..maxMessageBytes] : body;
        var eventId = string.IsNullOrEmpty(id) ? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body)) : id;
        return new IntakeResult(new PendingEntry(EntryKinds.Rejected, source, eventId, type, time, kept, PayloadFormats.Raw, Error: error), false);
    }

    private static string? Text(JsonElement envelope, string name)
    {
        if (!envelope.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String) return null;
        try { return value.GetString(); }
        catch (InvalidOperationException) { return null; } // not valid Unicode (a lone surrogate escape)
    }
}
