using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scorpius.Contracts;

namespace Scorpius.ServiceDefaults.Health;

/// <summary>Writes /health/deep: every dependency with its status and latency, and the process's resources.</summary>
public static class DeepHealthWriter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var app = context.RequestServices.GetRequiredService<ScorpiusApp>();
        var process = context.RequestServices.GetRequiredService<ProcessSampler>().Sample();
        var body = new DeepHealth(
            App: app.AppId,
            Status: report.Status.ToString(),
            TotalDurationMs: Math.Round(report.TotalDuration.TotalMilliseconds, 2),
            Dependencies: report.Entries.Select(e => new DependencyHealth(
                Name: e.Key,
                Status: e.Value.Status.ToString(),
                LatencyMs: Math.Round(e.Value.Duration.TotalMilliseconds, 2),
                Description: e.Value.Description,
                Error: e.Value.Exception?.Message,
                Tags: [.. e.Value.Tags])).ToArray(),
            Process: process,
            CheckedAt: DateTimeOffset.UtcNow);
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }
}

public sealed record DeepHealth(
    string App, string Status, double TotalDurationMs, IReadOnlyList<DependencyHealth> Dependencies, ProcessSample Process, DateTimeOffset CheckedAt);

public sealed record DependencyHealth(string Name, string Status, double LatencyMs, string? Description, string? Error, IReadOnlyList<string> Tags);
