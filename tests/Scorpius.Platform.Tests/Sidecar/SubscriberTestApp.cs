using System.Collections.Concurrent;
using Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Scorpius.Contracts;

namespace Scorpius.Platform.Tests.Sidecar;

public sealed record TestOrder(string Id, string Answer);

/// <summary>
/// A tiny Dapr app built the way Scorpius services are (UseCloudEvents, MapSubscribeHandler, WithTopic), used to
/// prove the fake sidecar's delivery and invocation paths. It answers deliveries as each order's <c>Answer</c> says.
/// </summary>
internal sealed class SubscriberTestApp : IAsyncDisposable
{
    public const string Topic = "orders", DeadLetterTopic = "orders-dead";
    private readonly WebApplication app;

    public ConcurrentQueue<TestOrder> Received { get; } = new();
    public ConcurrentQueue<TestOrder> DeadLettered { get; } = new();
    public ConcurrentQueue<string> InvocationHeaders { get; } = new();

    private SubscriberTestApp(WebApplication app) => this.app = app;

    public HttpClient Client => app.GetTestClient();

    public static async Task<SubscriberTestApp> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        var app = builder.Build();
        var result = new SubscriberTestApp(app);
        app.UseCloudEvents();
        app.MapSubscribeHandler();
        app.MapPost("/orders", (TestOrder order) =>
        {
            result.Received.Enqueue(order);
            return order.Answer switch
            {
                "retry" => Results.Ok(new { status = "RETRY" }),
                "drop" => Results.Ok(new { status = "DROP" }),
                "fail" => Results.StatusCode(500),
                _ => Results.Ok(new { status = "SUCCESS" }),
            };
        }).WithTopic(new TopicOptions { PubsubName = DaprNames.PubSub, Name = Topic, DeadLetterTopic = DeadLetterTopic });
        app.MapPost("/orders-dead", (TestOrder order) =>
        {
            result.DeadLettered.Enqueue(order);
            return Results.Ok();
        }).WithTopic(DaprNames.PubSub, DeadLetterTopic);
        app.MapGet("/hello/{name}", (string name, HttpRequest request) =>
        {
            result.InvocationHeaders.Enqueue(request.Headers["dapr-api-token"].ToString());
            return Results.Ok(new { greeting = $"hello {name}", query = request.Query["q"].ToString() });
        });
        app.MapPost("/echo", async (HttpRequest request) => Results.Text(await new StreamReader(request.Body).ReadToEndAsync(), "text/plain"));
        await app.StartAsync();
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
