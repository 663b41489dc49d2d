using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;
using Scalar.AspNetCore;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Health;
using Scorpius.ServiceDefaults.Security;
using Serilog;
using Serilog.Formatting.Compact;

namespace Scorpius.ServiceDefaults;

/// <summary>What every Scorpius app shares. A service's Program.cs calls these two methods and maps its own endpoints.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Configuration key of the PostgreSQL connection string; an app that sets it gets a readiness check on it.</summary>
    public const string PostgresConnectionName = "Postgres";

    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, ScorpiusApp app)
    {
        builder.Services.AddSingleton(app);
        ListenOnAppPortUnlessConfigured(builder, app);
        AddLogging(builder, app);
        AddTelemetry(builder, app);

        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
            context.ProblemDetails.Extensions["app"] = app.AppId;
        });
        builder.Services.AddOpenApi(OpenApiSecurity.Configure);

        builder.Services.AddDaprClient((sp, dapr) => DaprEndpoints.Configure(dapr, sp.GetRequiredService<IConfiguration>()));

        var health = builder.Services.AddHealthChecks()
            .AddCheck<DaprSidecarHealthCheck>("dapr-sidecar", HealthStatus.Unhealthy, [HealthTags.Ready], TimeSpan.FromSeconds(3));
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(PostgresConnectionName)))
        {
            health.AddTypeActivatedCheck<PostgresHealthCheck>(
                "postgres", HealthStatus.Unhealthy, [HealthTags.Ready], TimeSpan.FromSeconds(3),
                builder.Configuration.GetConnectionString(PostgresConnectionName)!);
        }
        builder.Services.AddSingleton<ProcessSampler>();
        builder.AddScorpiusAuth(app);
        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSerilogRequestLogging(o => o.GetLevel = (ctx, _, ex) =>
            ex is not null || ctx.Response.StatusCode >= 500 ? Serilog.Events.LogEventLevel.Error
            : IsInfrastructure(ctx.Request.Path) ? Serilog.Events.LogEventLevel.Verbose
            : Serilog.Events.LogEventLevel.Information);
        app.UseHttpMetrics();
        UseScorpiusAuth(app);
        // After authorization: an anonymous caller never gets a subscriber's answer. A delivery whose envelope is not JSON
        // can never be processed: DROP it (dead letter) instead of the CloudEvents middleware's 500, which daprd retries.
        app.Use(DropUnreadableCloudEventsAsync);
        app.UseCloudEvents();

        // Liveness: the process answers. No dependency is consulted, so a sidecar outage never restarts the pod.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
            .AllowPublic("Kubernetes liveness probe; answers only Healthy, nothing about the system.");
        // Readiness: 503 until every dependency tagged "ready" answers (the Dapr sidecar, the database where there is one).
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Ready) })
            .AllowPublic("Kubernetes readiness probe; answers only Healthy or Unhealthy.");
        // Deep: every dependency with status and latency, plus this process's CPU, memory and disk.
        app.MapHealthChecks("/health/deep", new HealthCheckOptions { ResponseWriter = DeepHealthWriter.WriteAsync }).RequireDaprCallback();

        app.MapMetrics("/metrics").RequireDaprCallback();
        app.MapOpenApi().AllowPublic("The API description integrators generate clients from.");
        app.MapScalarApiReference().AllowPublic("The API reference page rendered from the OpenAPI document.");
        app.MapSubscribeHandler().RequireDaprCallback();
        return app;
    }

    /// <summary>
    /// Authentication then authorization for every route. An app with a <see cref="CustomAuthenticationPipeline"/> (the token
    /// server) runs its own authentication on the routes it names; every other route still goes through authorization, whose
    /// policies (Dapr callback, public) authenticate their own schemes.
    /// </summary>
    private static void UseScorpiusAuth(WebApplication app)
    {
        if (app.Services.GetService<CustomAuthenticationPipeline>() is not { } custom)
        {
            app.UseAuthentication();
            app.UseAuthorization();
            return;
        }
        // The branches below set these flags on copies of the properties: set them here, or WebApplication would add
        // authentication in front of every route itself.
        IApplicationBuilder root = app;
        root.Properties["__AuthenticationMiddlewareSet"] = true;
        root.Properties["__AuthorizationMiddlewareSet"] = true;
        app.UseWhen(custom.AppliesTo, custom.Configure);
        app.UseWhen(context => !custom.AppliesTo(context), branch => branch.UseAuthorization());
    }

    private static async Task DropUnreadableCloudEventsAsync(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<Dapr.ITopicMetadata>() is null
            || context.Request.ContentType?.StartsWith("application/cloudevents+json", StringComparison.OrdinalIgnoreCase) != true)
        {
            await next(context);
            return;
        }
        context.Request.EnableBuffering();
        try
        {
            using var envelope = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (System.Text.Json.JsonException)
        {
            await context.Response.WriteAsJsonAsync(new { status = "DROP" }, context.RequestAborted);
            return;
        }
        context.Request.Body.Position = 0;
        await next(context);
    }

    internal static bool IsInfrastructure(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/dapr");

    private static void ListenOnAppPortUnlessConfigured(WebApplicationBuilder builder, ScorpiusApp app)
    {
        // dapr.yaml, launchSettings.json and deploy/k8s all use the port from ScorpiusApps; ASPNETCORE_URLS still wins.
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey]) &&
            string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.HttpPortsKey]))
        {
            builder.WebHost.UseUrls($"http://localhost:{app.Port}");
        }
    }

    private static void AddLogging(WebApplicationBuilder builder, ScorpiusApp app) =>
        // Structured JSON on stdout; Serilog 4 records the current trace and span ids as @tr and @sp on every event.
        builder.Services.AddSerilog((_, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("app", app.AppId)
            .WriteTo.Console(new RenderedCompactJsonFormatter()));

    private static void AddTelemetry(WebApplicationBuilder builder, ScorpiusApp app)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(app.AppId, serviceNamespace: "scorpius"))
            .WithTracing(t => t
                .AddSource(ScorpiusTelemetry.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !IsInfrastructure(ctx.Request.Path))
                .AddHttpClientInstrumentation())
            .WithMetrics(m => m
                .AddMeter(ScorpiusTelemetry.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        // OTLP export (traces and metrics) when a collector is configured; Prometheus scrapes /metrics either way.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }
    }
}

public static class HealthTags
{
    public const string Ready = "ready";
}

/// <summary>The activity source and meter every Scorpius service writes its own spans and instruments to.</summary>
public static class ScorpiusTelemetry
{
    public const string SourceName = "Scorpius";
    public const string MeterName = "Scorpius";
    public static readonly ActivitySource Source = new(SourceName);
}
