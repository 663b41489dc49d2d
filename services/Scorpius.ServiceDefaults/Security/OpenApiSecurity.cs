using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Scorpius.ServiceDefaults.Security;

/// <summary>Describes the enforcement in each app's OpenAPI document: the two credential schemes, and each operation's scope.</summary>
internal static class OpenApiSecurity
{
    public const string BearerScheme = "bearer";
    public const string ApiKeyScheme = "apiKey";
    /// <summary>Extension member naming the scope an operation requires (also in its security requirement).</summary>
    public const string ScopeExtension = "x-scorpius-scope";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
                Description = "An access token of auth-proxy (RFC 9068 at+jwt), or an scp_ API key as the bearer value.",
            };
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = Credential.ApiKeyHeader,
                Description = "An scp_live_/scp_test_ API key.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var scopes = metadata.OfType<RequiredScopeMetadata>().Select(m => m.Scope).ToList();
            if (metadata.OfType<PublicEndpointMetadata>().Any() || metadata.OfType<DaprCallbackMetadata>().Any()) return Task.CompletedTask;
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = scopes });
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = scopes });
            if (scopes.Count > 0)
            {
                operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                operation.Extensions[ScopeExtension] = new JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create(string.Join(' ', scopes)));
            }
            return Task.CompletedTask;
        });
    }
}
