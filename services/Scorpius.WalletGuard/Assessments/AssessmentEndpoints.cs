using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;

namespace Scorpius.WalletGuard.Assessments;

/// <summary><c>POST /v1/assessments</c>: synchronous pre-sign checks in the CLI's request and result contract.</summary>
public static class AssessmentEndpoints
{
    private static readonly JsonDocumentOptions Parsing = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Disallow };

    public static IEndpointRouteBuilder MapAssessmentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("v1/assessments", AssessAsync).WithName("Assess").WithTags("Assessments").RequireScope(Permissions.AssessmentsWrite)
            .Accepts<JsonElement>("application/json")
            .WithSummary("Assess transactions and signature requests before they are signed")
            .WithDescription(
                "The body is one request object or an array of them (at most 1000), each exactly a line of `scorpius assess`: " +
                "{id, chain, chainId?, kind, payload…, context?} plus an optional walletId naming a protected wallet. The answer is the " +
                "CLI's result for each (an object for an object, an array in the same order for an array): " +
                "{id, verdict, score, findings:[{code, severity, message, evidence}], error?, policy:{action: allow|warn|block|require-approval, ruleId}}. " +
                "A request that cannot be read is verdict error with the reason; the batch goes on. Every assessment is published as " +
                "protection.requested before the answer; when that fails the call is a 503.");
        return app;
    }

    public static async Task<Results<Ok<JsonNode>, ProblemHttpResult>> AssessAsync(
        HttpRequest request, ClaimsPrincipal user, AssessmentService assessments, IOptions<WalletGuardOptions> options, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (request.ContentLength > limits.MaxAssessmentBodyBytes) return TooLarge(limits);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limits.MaxAssessmentBodyBytes) return TooLarge(limits);
            buffer.Write(chunk, 0, read);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), Parsing);
        }
        catch (JsonException ex)
        {
            return BadRequest("The body is not JSON", $"Send one request object or an array of them ({ex.Message}).");
        }
        using (document)
        {
            var root = document.RootElement;
            IReadOnlyList<JsonElement> items;
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    items = [root];
                    break;
                case JsonValueKind.Array when root.GetArrayLength() > limits.MaxBatchSize:
                    return BadRequest("Too many requests in one batch", $"A batch holds at most {limits.MaxBatchSize} requests; this one has {root.GetArrayLength()}.");
                case JsonValueKind.Array:
                    items = [.. root.EnumerateArray()];
                    break;
                default:
                    return BadRequest("The body is not a request", "Send one request object or an array of them.");
            }

            try
            {
                var results = await assessments.AssessAsync(user.TenantId(), items, cancellationToken);
                return TypedResults.Ok(root.ValueKind == JsonValueKind.Object ? results[0] : new JsonArray(results));
            }
            catch (DependencyUnavailableException ex)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The assessment could not be recorded", detail: ex.Message);
            }
        }
    }

    private static ProblemHttpResult TooLarge(WalletGuardOptions limits) =>
        BadRequest("The body is too large", $"A request body holds at most {limits.MaxAssessmentBodyBytes} bytes; split the batch.");

    private static ProblemHttpResult BadRequest(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);
}
