using System.Collections.Concurrent;
using System.Net;
using Dapr.Client;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scorpius.Contracts;

namespace Scorpius.Testing.Sidecar;

/// <summary>
/// An in-process stand-in for daprd, for tests. It is a test double, not Dapr: it models what the real Dapr SDK
/// needs to exercise an app's wire format (state, pub/sub, bindings, secrets, service invocation, health) and
/// answers UNIMPLEMENTED for everything else. It never loads component YAML; component names are declared here.
/// </summary>
public sealed class FakeDaprSidecar : IAsyncDisposable
{
    private readonly WebApplication host;
    private readonly ConcurrentDictionary<string, FakeStateStore> stateStores = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Dictionary<string, Dictionary<string, string>>> secretStores = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<InvokeBindingRequest, InvokeBindingResponse>> bindings = new(StringComparer.Ordinal);
    private readonly HashSet<string> pubSubs = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SidecarCall> calls = new();
    private readonly ConcurrentQueue<BindingCall> bindingCalls = new();
    private readonly ConcurrentDictionary<string, HttpClient> apps = new(StringComparer.Ordinal);

    private int disposed;

    private FakeDaprSidecar(WebApplication host, FakeSidecarOptions options)
    {
        this.host = host;
        Options = options;
        PubSub = new FakePubSub(this);
        foreach (var name in options.StateStores) stateStores[name] = new FakeStateStore(name);
        foreach (var name in options.PubSubs) pubSubs.Add(name);
        foreach (var name in options.SecretStores) secretStores[name] = new(StringComparer.Ordinal);
    }

    public FakeSidecarOptions Options { get; }

    /// <summary>The API token a client must send as <c>dapr-api-token</c>; calls without it are rejected (401 / UNAUTHENTICATED).</summary>
    public string ApiToken => Options.ApiToken;

    public string GrpcEndpoint { get; private set; } = "";
    public string HttpEndpoint { get; private set; } = "";

    /// <summary>The subscriber side of daprd: published messages, subscriptions and every delivery attempt.</summary>
    public FakePubSub PubSub { get; }

    /// <summary>Every gRPC call the sidecar served, in order.</summary>
    public IReadOnlyList<SidecarCall> Calls => [.. calls];

    /// <summary>Every output binding invocation, in order.</summary>
    public IReadOnlyList<BindingCall> BindingCalls => [.. bindingCalls];

    internal IReadOnlyDictionary<string, HttpClient> Apps => apps;

    public static async Task<FakeDaprSidecar> StartAsync(FakeSidecarOptions? options = null)
    {
        options ??= new FakeSidecarOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // gRPC over cleartext must be HTTP/2 only; with Http1AndHttp2 the client fails with HTTP_1_1_REQUIRED.
            kestrel.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
            // Service invocation, health and the HTTP API are HTTP/1.1 on a second listener.
            kestrel.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddGrpc(o => o.Interceptors.Add<ApiTokenInterceptor>());
        builder.Services.AddSingleton<ApiTokenInterceptor>();

        FakeDaprSidecar? sidecar = null;
        builder.Services.AddSingleton(_ => sidecar!);
        var app = builder.Build();
        sidecar = new FakeDaprSidecar(app, options);

        app.MapGrpcService<FakeDaprService>();
        app.MapMethods("/v1.0/healthz", ["GET"], () => Results.NoContent());
        app.MapMethods("/v1.0/healthz/outbound", ["GET"], () => Results.NoContent());
        app.Map("/v1.0/invoke/{appId}/method/{**method}", sidecar.ForwardInvocationAsync);
        app.MapFallback((HttpContext ctx) => Results.Problem(
            $"The fake sidecar does not model {ctx.Request.Method} {ctx.Request.Path}.", statusCode: StatusCodes.Status501NotImplemented));

        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToArray();
        // Kestrel reports the listeners in the order they were declared.
        sidecar.GrpcEndpoint = addresses[0].Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        sidecar.HttpEndpoint = addresses[1].Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return sidecar;
    }

    /// <summary>Settings that point an app's Dapr client at this sidecar (as environment variables would).</summary>
    public IReadOnlyDictionary<string, string> AppSettings => new Dictionary<string, string>
    {
        ["DAPR_GRPC_ENDPOINT"] = GrpcEndpoint,
        ["DAPR_HTTP_ENDPOINT"] = HttpEndpoint,
        ["DAPR_API_TOKEN"] = ApiToken,
        ["APP_API_TOKEN"] = Options.AppApiToken ?? "",
    };

    /// <summary>A real <see cref="DaprClient"/> aimed at this sidecar, with the right token unless told otherwise.</summary>
    public DaprClient CreateClient(string? apiToken = null) => new DaprClientBuilder()
        .UseGrpcEndpoint(GrpcEndpoint)
        .UseHttpEndpoint(HttpEndpoint)
        .UseDaprApiToken(apiToken ?? ApiToken)
        .Build();

    /// <summary>Registers an app (e.g. a WebApplicationFactory client) as the target of invocation and pub/sub delivery.</summary>
    public void AddApp(string appId, HttpClient client)
    {
        if (!apps.TryAdd(appId, client)) throw new InvalidOperationException($"App '{appId}' is already registered with the fake sidecar.");
    }

    public FakeStateStore StateStore(string name) =>
        stateStores.TryGetValue(name, out var store) ? store
        : throw new RpcException(new Status(StatusCode.InvalidArgument, $"state store {name} is not found"));

    public void SetSecret(string storeName, string key, IReadOnlyDictionary<string, string> values)
    {
        var store = SecretStore(storeName);
        lock (store) store[key] = new Dictionary<string, string>(values);
    }

    public void SetSecret(string storeName, string key, string value) => SetSecret(storeName, key, new Dictionary<string, string> { [key] = value });

    /// <summary>Declares an output binding; <paramref name="handler"/> answers its invocations (default: an empty response).</summary>
    public void AddBinding(string name, Func<InvokeBindingRequest, InvokeBindingResponse>? handler = null) =>
        bindings[name] = handler ?? (_ => new InvokeBindingResponse());

    internal Dictionary<string, Dictionary<string, string>> SecretStore(string name) =>
        secretStores.TryGetValue(name, out var store) ? store
        : throw new RpcException(new Status(StatusCode.InvalidArgument, $"secret store {name} not found"));

    internal bool HasPubSub(string name) => pubSubs.Contains(name);

    internal FakeDaprSidecar Record(ServerCallContext context, IMessage request)
    {
        calls.Enqueue(new SidecarCall(context.Method[(context.Method.LastIndexOf('/') + 1)..], request));
        return this;
    }

    internal void Publish(PublishEventRequest request)
    {
        if (!HasPubSub(request.PubsubName))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"pubsub {request.PubsubName} is not found"));
        if (string.IsNullOrEmpty(request.Topic))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"topic is empty in pubsub {request.PubsubName}"));
        PubSub.Accept(request);
    }

    internal Task<InvokeBindingResponse> InvokeBindingAsync(InvokeBindingRequest request, CancellationToken cancellationToken)
    {
        if (!bindings.TryGetValue(request.Name, out var handler))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"output binding {request.Name} is not found"));
        bindingCalls.Enqueue(new BindingCall(request.Name, request.Operation, request.Data.ToStringUtf8(), new Dictionary<string, string>(request.Metadata)));
        return Task.FromResult(handler(request));
    }

    private async Task ForwardInvocationAsync(HttpContext context, string appId, string method)
    {
        if (!IsAuthorized(context.Request.Headers["dapr-api-token"]))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        if (!apps.TryGetValue(appId, out var target))
        {
            // daprd answers 500 ERR_DIRECT_INVOKE when the target app cannot be resolved.
            await Results.Problem($"fail to invoke, id: {appId}: app not found", statusCode: 500).ExecuteAsync(context);
            return;
        }

        using var forward = new HttpRequestMessage(new HttpMethod(context.Request.Method), "/" + method + context.Request.QueryString);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(context.Request.Body);
        }
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("dapr-api-token", StringComparison.OrdinalIgnoreCase)) continue;
            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values)) forward.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        forward.Headers.TryAddWithoutValidation("dapr-caller-app-id", context.Request.Headers["dapr-caller-app-id"].FirstOrDefault() ?? "unknown");
        AddAppToken(forward);

        using var response = await target.SendAsync(forward, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
            context.Response.Headers[name] = values.ToArray();
        }
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>daprd sends the app API token (APP_API_TOKEN) on every call it makes to the app, when one is set.</summary>
    internal void AddAppToken(HttpRequestMessage request)
    {
        if (Options.AppApiToken is { Length: > 0 } token) request.Headers.TryAddWithoutValidation("dapr-api-token", token);
    }

    internal bool IsAuthorized(string? token) => string.IsNullOrEmpty(ApiToken) || string.Equals(token, ApiToken, StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        // The host's container also disposes this singleton: only the first call does the work.
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        await PubSub.DisposeAsync();
        await host.StopAsync();
        await host.DisposeAsync();
    }

    private sealed class ApiTokenInterceptor(FakeDaprSidecar sidecar) : Interceptor
    {
        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
            TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
        {
            var token = context.RequestHeaders.GetValue("dapr-api-token");
            if (!sidecar.IsAuthorized(token))
                throw new RpcException(new Status(StatusCode.Unauthenticated, "authentication error: api token mismatch"));
            return continuation(request, context);
        }
    }
}

public sealed class FakeSidecarOptions
{
    public string ApiToken { get; init; } = "test-dapr-api-token-" + Guid.NewGuid().ToString("N");

    /// <summary>When set, sent to apps as <c>dapr-api-token</c> on invocation and delivery, as daprd does with APP_API_TOKEN.</summary>
    public string? AppApiToken { get; init; } = "test-app-api-token-" + Guid.NewGuid().ToString("N");

    public IReadOnlyList<string> StateStores { get; init; } = [DaprNames.StateStore];
    public IReadOnlyList<string> PubSubs { get; init; } = [DaprNames.PubSub];
    public IReadOnlyList<string> SecretStores { get; init; } = [DaprNames.SecretStore];

    /// <summary>How often a message answered RETRY (or failed) is delivered before it goes to the dead-letter topic.</summary>
    public int MaxDeliveryAttempts { get; init; } = 3;
}

/// <summary>One gRPC call the sidecar served: the method name and a copy of the request.</summary>
public sealed record SidecarCall(string Method, IMessage Request);

/// <summary>One output binding invocation.</summary>
public sealed record BindingCall(string Name, string Operation, string Data, IReadOnlyDictionary<string, string> Metadata);
