using Dapr.Workflow;
using Scorpius.Notifications.Delivery;
using Scorpius.Notifications.Egress;
using Scorpius.Notifications.Endpoints;

namespace Scorpius.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>Everything the notifications service adds to the service defaults.</summary>
    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<NotificationsOptions>().Bind(builder.Configuration.GetSection(NotificationsOptions.Section))
            .Validate(o => o.RetrySchedule.All(d => d >= TimeSpan.Zero) && o.JitterFraction is >= 0 and < 1 && o.RequestTimeout > TimeSpan.Zero
                && o.HandlerTimeout > TimeSpan.Zero && o.DisableAfterExhaustedMessages >= 1,
                "Notifications: delays must not be negative, JitterFraction within [0, 1), timeouts positive, DisableAfterExhaustedMessages at least 1.")
            .PostConfigure(o => { if (o.RetrySchedule.Length == 0) o.RetrySchedule = [.. NotificationsOptions.DefaultRetrySchedule]; })
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IDnsResolver, SystemDnsResolver>();
        services.AddSingleton<SsrfGuard>();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<EndpointStore>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<RetryPolicy>();
        services.AddTransient<DeliveryAttempts>(); // transient, like the typed HttpClient it uses
        services.AddSingleton<DeliveryScheduler>();
        // The timeout of an attempt is RequestTimeout, enforced with the TimeProvider; redirects are never followed.
        services.AddHttpClient<DaprExternalInvoker>(DaprExternalInvoker.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });

        services.AddDaprWorkflow(RegisterWorkflows);
        // AddDaprWorkflow registers only the sealed DaprWorkflowClient; the scheduler depends on the interface.
        services.AddSingleton<IDaprWorkflowClient>(sp => sp.GetRequiredService<DaprWorkflowClient>());
        return builder;
    }

    /// <summary>Every workflow and activity of this app, by class; a test checks it against the assembly.</summary>
    public static void RegisterWorkflows(WorkflowRuntimeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.RegisterWorkflow<DeliveryWorkflow>();
        options.RegisterActivity<DeliverAttemptActivity>();
    }
}
