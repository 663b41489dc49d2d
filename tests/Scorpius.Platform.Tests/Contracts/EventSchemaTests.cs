using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using Scorpius.Contracts;

namespace Scorpius.Platform.Tests.Contracts;

/// <summary>Every event record serialises to JSON that its published JSON Schema accepts, and the schemas are strict.</summary>
public sealed class EventSchemaTests
{
    // Dapr's DaprClient serialises with the web defaults (camelCase); so do we.
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly DateTimeOffset At = new(2026, 11, 26, 4, 47, 44, TimeSpan.Zero);

    /// <summary>A fully populated sample of every event. A new event record without a sample fails <see cref="Every_event_has_a_schema_and_a_sample"/>.</summary>
    public static readonly IReadOnlyDictionary<Type, object> Samples = new Dictionary<Type, object>
    {
        [typeof(AssessmentCompleted)] = new AssessmentCompleted("tenant-a", "asm-1", new WalletRef("ethereum", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 1),
            Verdict.Malicious, 92, [new FindingSummary("UNLIMITED_APPROVAL", Severity.High, "Unlimited approval to an unknown spender.")], At),
        [typeof(AlertRaised)] = new AlertRaised("alert-1", "tenant-a", Severity.Critical, "approval", "Unlimited approval to a flagged address",
            "tenant-a:0xf39f:UNLIMITED_APPROVAL", "asm-1", new WalletRef("bitcoin", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
            new Dictionary<string, string> { ["chain"] = "bitcoin" }, At),
        [typeof(AuditEvent)] = new AuditEvent("tenant-a", "user:alice", "policy.update", "policy/p1", "success", "quarterly review",
            new Dictionary<string, string> { ["rule"] = "r7" }, At),
        [typeof(UsageRecorded)] = new UsageRecorded("tenant-a", "assessments", 1.5m, "wallet-guard", "usage-123", At),
        [typeof(ProtectionRequested)] = new ProtectionRequested("tenant-a", "asm-1", "w-1", new WalletRef("ethereum", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", 31337),
            ProtectionRequested.FromMonitor, System.Text.Json.JsonDocument.Parse("""{"kind":"transaction","chain":"ethereum"}""").RootElement.Clone(),
            new ProtectionVerdict(Verdict.Warning, 55, [new FindingSummary("UNLIMITED_APPROVAL", Severity.High, "Unlimited approval to an unknown spender.")],
                PolicyAction.RequireApproval, "rule-7"), At),
    };

    public static IEnumerable<object[]> EventTypes => EventSchemas.EventTypes.Select(t => new object[] { t });

    [Fact]
    public void Every_event_has_a_schema_and_a_sample()
    {
        Assert.NotEmpty(EventSchemas.EventTypes);
        Assert.All(EventSchemas.EventTypes, t =>
        {
            Assert.True(Samples.ContainsKey(t), $"{t.Name} has no sample in {nameof(EventSchemaTests)}.");
            Assert.NotEmpty(EventSchemas.Read(EventSchemas.SchemaNameOf(t)));
        });
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public async Task A_serialised_event_is_accepted_by_its_schema(Type eventType)
    {
        var schema = await LoadSchema(eventType);
        var json = JsonSerializer.Serialize(Samples[eventType], eventType, Web);

        Assert.Empty(schema.Validate(json));
        // Round trip: what a consumer parses equals what was sent.
        Assert.Equal(json, JsonSerializer.Serialize(JsonSerializer.Deserialize(json, eventType, Web), eventType, Web));
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public async Task The_schema_rejects_a_missing_field_an_unknown_field_and_a_wrong_type(Type eventType)
    {
        var schema = await LoadSchema(eventType);
        var valid = JsonNode.Parse(JsonSerializer.Serialize(Samples[eventType], eventType, Web))!.AsObject();
        var first = valid.First().Key;

        var missing = valid.DeepClone().AsObject();
        missing.Remove(first);
        Assert.Contains(schema.Validate(missing.ToJsonString()), e => e.Kind == NJsonSchema.Validation.ValidationErrorKind.PropertyRequired);

        var extra = valid.DeepClone().AsObject();
        extra["unexpected"] = 1;
        Assert.Contains(schema.Validate(extra.ToJsonString()), e => e.Kind == NJsonSchema.Validation.ValidationErrorKind.NoAdditionalPropertiesAllowed);

        var wrongType = valid.DeepClone().AsObject();
        wrongType["occurredAt"] = 42;
        Assert.NotEmpty(schema.Validate(wrongType.ToJsonString()));
    }

    [Fact]
    public void Enums_travel_as_the_lower_case_words_of_the_contract()
    {
        var json = JsonSerializer.Serialize(Samples[typeof(AssessmentCompleted)], Web);
        Assert.Contains("\"verdict\":\"malicious\"", json, StringComparison.Ordinal);
        Assert.Contains("\"severity\":\"high\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Every_event_names_a_declared_topic_and_a_versioned_cloud_event_type(Type eventType)
    {
        var topic = (string)eventType.GetProperty(nameof(IScorpiusEvent.Topic))!.GetValue(null)!;
        var type = (string)eventType.GetProperty(nameof(IScorpiusEvent.CloudEventType))!.GetValue(null)!;
        Assert.Contains(topic, DaprNames.Topics.All);
        Assert.Matches(@"^io\.scorpius\.[a-z.]+\.v\d+$", type);
    }

    private static Task<JsonSchema> LoadSchema(Type eventType) => JsonSchema.FromJsonAsync(EventSchemas.Read(EventSchemas.SchemaNameOf(eventType)));
}
