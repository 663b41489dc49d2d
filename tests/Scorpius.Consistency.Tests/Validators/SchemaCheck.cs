using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Scorpius.Consistency.Tests.Validators;

/// <summary>Runs NJsonSchema and turns its errors into "field.path: Kind" strings.</summary>
public static class SchemaCheck
{
    public static JsonSchema Load(string json) => JsonSchema.FromJsonAsync(json).GetAwaiter().GetResult();

    public static IEnumerable<string> Errors(JsonSchema schema, JToken document) =>
        Flatten(schema.Validate(document)).Distinct();

    /// <summary>Reports the innermost errors, which say what is wrong, rather than "an array item is invalid".</summary>
    private static IEnumerable<string> Flatten(IEnumerable<ValidationError> errors) => errors.SelectMany(error => error switch
    {
        ChildSchemaValidationError { Errors.Count: > 0 } child => Flatten(child.Errors.Values.SelectMany(e => e)),
        // A field typed e.g. ["array", "null"]: follow the branch of the value's own type, if the schema allows it.
        MultiTypeValidationError multi when multi.Errors.TryGetValue(TypeOf(error.Token), out var sameType) => Flatten(sameType),
        MultiTypeValidationError multi => [$"{PathOf(error)}: {error.Kind} (expected {string.Join(" or ", multi.Errors.Keys).ToLowerInvariant()}, is {error.Token?.Type})"],
        _ => [$"{PathOf(error)}: {error.Kind}"],
    });

    private static string PathOf(ValidationError error) => error.Path?.TrimStart('#', '/') is { Length: > 0 } path ? path : "(document)";

    private static JsonObjectType TypeOf(JToken? token) => token?.Type switch
    {
        JTokenType.Object => JsonObjectType.Object,
        JTokenType.Array => JsonObjectType.Array,
        JTokenType.Integer => JsonObjectType.Integer,
        JTokenType.Float => JsonObjectType.Number,
        JTokenType.String => JsonObjectType.String,
        JTokenType.Boolean => JsonObjectType.Boolean,
        JTokenType.Null => JsonObjectType.Null,
        _ => JsonObjectType.None,
    };
}
