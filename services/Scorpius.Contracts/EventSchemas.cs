using System.Reflection;

namespace Scorpius.Contracts;

/// <summary>The JSON Schema (draft-07) of every event's CloudEvents <c>data</c>, shipped inside this assembly.</summary>
public static class EventSchemas
{
    private static readonly Assembly Assembly = typeof(EventSchemas).Assembly;

    /// <summary>Every event record of the contracts, found by reflection so that a new one cannot be forgotten.</summary>
    public static IReadOnlyList<Type> EventTypes { get; } = Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IScorpiusEvent).IsAssignableFrom(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToArray();

    public static string SchemaNameOf(Type eventType) =>
        (string)eventType.GetProperty(nameof(IScorpiusEvent.SchemaName), BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    /// <summary>The schema text for <paramref name="schemaName"/>, e.g. <c>alert-raised.v1</c>.</summary>
    public static string Read(string schemaName)
    {
        var resource = $"Scorpius.Contracts.Schemas.{schemaName}.schema.json";
        using var stream = Assembly.GetManifestResourceStream(resource)
            ?? throw new KeyNotFoundException($"No JSON Schema '{schemaName}' is embedded (looked for {resource}).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
