using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;

namespace Scorpius.Testing.Workflows;

public static class WorkflowEngineServiceCollectionExtensions
{
    /// <summary>
    /// Points the Dapr.Workflow worker and <c>DaprWorkflowClient</c> of <paramref name="services"/> at
    /// <paramref name="engine"/> and installs <see cref="DaprToMicrosoftProtocolShim"/>. Both use the gRPC client that
    /// <c>AddDaprWorkflow</c> registers through <c>AddGrpcClient</c>, so this works before or after <c>AddDaprWorkflow</c>
    /// (in a WebApplicationFactory too) and leaves the <c>DaprClient</c>, which builds its own channel, alone. It applies
    /// to every client-factory gRPC client of <paramref name="services"/>; Scorpius apps have no other.
    /// </summary>
    public static IServiceCollection UseInProcessWorkflowEngine(this IServiceCollection services, InProcessWorkflowEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        // Post-configure, so it wins over Dapr's own configure step, which reads DAPR_GRPC_ENDPOINT.
        services.PostConfigureAll<GrpcClientFactoryOptions>(o => o.Address = new Uri(engine.Endpoint));
        services.ConfigureAll<GrpcClientFactoryOptions>(o => o.InterceptorRegistrations.Add(
            new InterceptorRegistration(InterceptorScope.Client, _ => new DaprToMicrosoftProtocolShim())));
        return services;
    }
}
