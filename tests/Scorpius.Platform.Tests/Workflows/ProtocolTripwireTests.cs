using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using DaprProto = Dapr.DurableTask.Protobuf;
using MicrosoftProto = Microsoft.DurableTask.Protobuf;

namespace Scorpius.Platform.Tests.Workflows;

/// <summary>
/// The protocol tripwire. Dapr.Workflow 1.19 speaks gRPC <c>TaskHubSidecarService</c> generated from Dapr's fork of
/// the durabletask protobuf; the in-process engine is Microsoft's. Both share the service and method names (the
/// wire paths), so messages are paired by walking from the shared methods through fields of equal number, never by
/// name (Dapr renamed orchestrations to workflows). A clash is a field number both sides use for different things.
/// If either package moves, this fails loudly instead of a workflow test hanging.
/// </summary>
public sealed class ProtocolTripwireTests
{
    private static readonly FileDescriptor Dapr = DaprProto.OrchestratorServiceReflection.Descriptor;
    private static readonly FileDescriptor Microsoft = MicrosoftProto.OrchestratorServiceReflection.Descriptor;

    [Fact]
    public void Both_packages_are_the_versions_the_clash_list_was_taken_from()
    {
        Assert.StartsWith("1.19.0+", InformationalVersion(typeof(DaprProto.WorkflowResponse).Assembly), StringComparison.Ordinal);
        Assert.StartsWith("1.27.0+", InformationalVersion(typeof(MicrosoftProto.OrchestratorResponse).Assembly), StringComparison.Ordinal);
    }

    [Fact]
    public void Field_clashes_between_Dapr_and_Microsoft_are_exactly_the_known_ones()
    {
        // Dapr message #number: Dapr field type | Microsoft field type. The first 11 are those of testing-dapr.md;
        // the last two are outside the worker's completion path (purge, and a history event the engine never sets).
        string[] known =
        [
            "ActivityRequest #7: taskExecutionId string | tags map<string,string>",
            "CreateChildWorkflowAction #5: router TaskRouter | parentTraceContext TraceContext",
            "CreateChildWorkflowAction #6: historyPropagationScope enum HistoryPropagationScope | tags map<string,string>",
            "HistoryEvent #30: router TaskRouter | executionRewound ExecutionRewoundEvent",
            "ScheduleTaskAction #4: router TaskRouter | tags map<string,string>",
            "ScheduleTaskAction #5: taskExecutionId string | parentTraceContext TraceContext",
            "TaskScheduledEvent #5: taskExecutionId string | tags map<string,string>",
            "WorkflowAction #9: router TaskRouter | rewindWorkflow RewindWorkflowAction",
            "WorkflowRequest #7: router TaskRouter | properties map<string,Value>",
            "WorkflowRequest #8: propagatedHistory PropagatedHistory | workflowTraceContext WorkflowTraceContext",
            "WorkflowResponse #6: version WorkflowVersion | workflowTraceContext WorkflowTraceContext",
            "ChildWorkflowInstanceCreatedEvent #6: rerunParentInstanceInfo RerunParentInstanceInfo | tags map<string,string>",
            "PurgeInstancesRequest #4: force bool | instanceBatch InstanceBatch",
        ];

        var clashes = FieldClashes().Select(c => c.ToString()).ToArray();

        Assert.Equal(known.Order(StringComparer.Ordinal), clashes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Only_two_clashes_differ_in_wire_type_the_rest_decode_into_the_wrong_field()
    {
        // A same-wire-type clash is worse than it looks: Microsoft's parser reads Dapr's taskExecutionId string as a
        // TraceContext message and fails, which is the crash the shim avoids.
        var differentWireType = FieldClashes().Where(c => c.DaprWire != c.MicrosoftWire).Select(c => $"{c.Message} #{c.Number}");

        Assert.Equal(["CreateChildWorkflowAction #6", "PurgeInstancesRequest #4"], differentWireType.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Enum_values_that_clash_are_exactly_the_worker_capabilities()
    {
        var clashes =
            from daprEnum in new[] { Dapr }.Concat(Dapr.Dependencies).SelectMany(f => f.EnumTypes)
            join msEnum in Microsoft.EnumTypes on daprEnum.Name equals msEnum.Name
            from value in daprEnum.Values
            let other = msEnum.FindValueByNumber(value.Number)
            where other is not null && other.Name != value.Name
            select $"{daprEnum.Name} {value.Number}: {value.Name} | {other.Name}";

        Assert.Equal(
        [
            "WorkerCapability 2: WORKER_CAPABILITY_STATEFUL_HISTORY | WORKER_CAPABILITY_SCHEDULED_TASKS",
            "WorkerCapability 3: WORKER_CAPABILITY_HEALTH_PING | WORKER_CAPABILITY_LARGE_PAYLOADS",
        ], clashes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Methods_the_Dapr_client_has_and_the_engine_lacks_are_known()
    {
        var daprOnly = Dapr.Services.Single().Methods.Select(m => m.Name)
            .Except(Microsoft.Services.Single().Methods.Select(m => m.Name), StringComparer.Ordinal);

        // GetInstanceHistory: used by the worker only for history streaming or a cache miss, which this engine never asks for.
        // ListInstanceIDs: Microsoft spells it ListInstanceIds, a different gRPC path.
        Assert.Equal(["CompleteWorkflowTask", "GetInstanceHistory", "ListInstanceIDs", "RerunWorkflowFromEvent"], daprOnly.Order(StringComparer.Ordinal));
        Assert.Equal(Dapr.Services.Single().FullName, Microsoft.Services.Single().FullName);
    }

    private sealed record Clash(string Message, int Number, string DaprField, string MicrosoftField, WireFormat.WireType DaprWire, WireFormat.WireType MicrosoftWire)
    {
        public override string ToString() => $"{Message} #{Number}: {DaprField} | {MicrosoftField}";
    }

    private static List<Clash> FieldClashes()
    {
        var daprService = Dapr.Services.Single();
        var msService = Microsoft.Services.Single();
        var pending = new Queue<(MessageDescriptor Dapr, MessageDescriptor Microsoft)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Pair(MessageDescriptor d, MessageDescriptor m)
        {
            if (seen.Add(d.FullName)) pending.Enqueue((d, m));
        }
        foreach (var method in daprService.Methods)
        {
            if (msService.FindMethodByName(method.Name) is not { } other) continue;
            Pair(method.InputType, other.InputType);
            Pair(method.OutputType, other.OutputType);
        }

        var clashes = new List<Clash>();
        while (pending.TryDequeue(out var pair))
        {
            foreach (var field in pair.Dapr.Fields.InFieldNumberOrder())
            {
                if (pair.Microsoft.FindFieldByNumber(field.FieldNumber) is not { } other) continue; // one side only: ignored as unknown
                var (daprField, msField) = (Describe(field), Describe(other));
                if (daprField != msField)
                {
                    clashes.Add(new Clash(pair.Dapr.Name, field.FieldNumber, daprField, msField, WireType(field), WireType(other)));
                }
                else if (field.FieldType == FieldType.Message && !field.IsMap)
                {
                    Pair(field.MessageType, other.MessageType);
                }
            }
        }
        return clashes;
    }

    /// <summary>Name and type of a field, with Microsoft's orchestration names mapped to Dapr's workflow names.</summary>
    private static string Describe(FieldDescriptor field) => Normalize($"{field.Name} {TypeName(field)}");

    private static string TypeName(FieldDescriptor field) => field switch
    {
        { IsMap: true } => $"map<{TypeName(field.MessageType.FindFieldByNumber(1))},{TypeName(field.MessageType.FindFieldByNumber(2))}>",
        { IsRepeated: true } => $"repeated {ElementTypeName(field)}",
        _ => ElementTypeName(field),
    };

    private static string ElementTypeName(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message => field.MessageType.Name,
        FieldType.Enum => $"enum {field.EnumType.Name}",
        var scalar => scalar.ToString().ToLowerInvariant(),
    };

    private static string Normalize(string text) => text
        .Replace("SubOrchestration", "ChildWorkflow", StringComparison.Ordinal)
        .Replace("subOrchestration", "childWorkflow", StringComparison.Ordinal)
        .Replace("Orchestrator", "Workflow", StringComparison.Ordinal)
        .Replace("orchestrator", "workflow", StringComparison.Ordinal)
        .Replace("Orchestration", "Workflow", StringComparison.Ordinal)
        .Replace("orchestration", "workflow", StringComparison.Ordinal);

    // IsPacked is also true for singular proto3 scalars, hence the IsRepeated check.
    private static WireFormat.WireType WireType(FieldDescriptor field) => field is { IsRepeated: true, IsPacked: true } ? WireFormat.WireType.LengthDelimited : field.FieldType switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => WireFormat.WireType.Fixed64,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => WireFormat.WireType.Fixed32,
        FieldType.String or FieldType.Bytes or FieldType.Message => WireFormat.WireType.LengthDelimited,
        FieldType.Group => WireFormat.WireType.StartGroup,
        _ => WireFormat.WireType.Varint,
    };

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
}
