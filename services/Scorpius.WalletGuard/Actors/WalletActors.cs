using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using Scorpius.ServiceDefaults.Security;

namespace Scorpius.WalletGuard.Actors;

/// <summary>Reaches the actor of a tenant's wallet through the sidecar (JSON serialization, the sidecar configured for the app).</summary>
public sealed class WalletActors(IActorProxyFactory proxies, IOptions<ActorRuntimeOptions> runtime)
{
    private readonly ActorProxyOptions options = new()
    {
        HttpEndpoint = runtime.Value.HttpEndpoint,
        DaprApiToken = runtime.Value.DaprApiToken,
        JsonSerializerOptions = runtime.Value.JsonSerializerOptions,
        UseJsonSerialization = true,
    };

    public static ActorId IdOf(string tenantId, string walletId) => new($"{tenantId}:{walletId}");

    public IWalletActor Get(string tenantId, string walletId) =>
        proxies.CreateActorProxy<IWalletActor>(IdOf(tenantId, walletId), nameof(WalletActor), options);
}

public static class WalletActorEndpoints
{
    /// <summary>The routes daprd calls to activate actors, invoke their methods and fire reminders: sidecar callbacks only.</summary>
    public static IEndpointRouteBuilder MapWalletActorEndpoints(this IEndpointRouteBuilder app)
    {
        // daprd calls these routes: actor registration (/dapr/config), method calls, timers and reminders need the app API
        // token; /healthz is daprd's actor health probe, which the actors SDK maps anonymous: it answers only Healthy.
        app.MapActorsHandlers().Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } raw } && raw.Trim('/') == "healthz")
            {
                endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute());
                endpoint.Metadata.Add(new PublicEndpointMetadata("daprd's actor health probe; answers only Healthy."));
                return;
            }
            endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute { Policy = ScorpiusAuth.DaprCallbackPolicy });
            endpoint.Metadata.Add(new DaprCallbackMetadata());
        });
        return app;
    }
}
