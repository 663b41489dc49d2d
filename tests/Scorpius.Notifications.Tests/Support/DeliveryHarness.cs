using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Scorpius.Contracts;
using Scorpius.Notifications.Delivery;
using Scorpius.Notifications.Egress;
using Scorpius.Notifications.Endpoints;

namespace Scorpius.Notifications.Tests.Support;

/// <summary>Resolves the names a test sets, and every other name with the system resolver.</summary>
public sealed class TestDns : IDnsResolver
{
    private readonly ConcurrentDictionary<string, IPAddress[]> names = new(StringComparer.OrdinalIgnoreCase);
    public void Set(string host, params string[] addresses) => names[host] = [.. addresses.Select(IPAddress.Parse)];

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        names.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>
/// The notifications app with a fake clock (no jitter unless configured) and a workflow driver: the real
/// <see cref="DeliveryWorkflow"/> runs on a strict <c>Mock&lt;WorkflowContext&gt;</c> whose activity calls run the real
/// <see cref="DeliverAttemptActivity"/> and whose durable timers advance the fake clock. So a retry timeline of days
/// runs in milliseconds against a real receiver, through the real signer, SSRF guard, egress and state store.
/// </summary>
public sealed class DeliveryHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    private DeliveryHarness(NotificationsHost host, FakeTimeProvider time, TestDns dns)
    {
        Host = host;
        Time = time;
        Dns = dns;
    }

    public NotificationsHost Host { get; }
    public FakeTimeProvider Time { get; }
    public TestDns Dns { get; }

    /// <summary>Every durable timer the workflow asked for, in order.</summary>
    public ConcurrentQueue<TimeSpan> Timers { get; } = new();

    public static async Task<DeliveryHarness> StartAsync(Action<NotificationsOptions>? options = null)
    {
        var time = new FakeTimeProvider(Start);
        var dns = new TestDns();
        var host = await NotificationsHost.StartAsync(services: s =>
        {
            s.AddSingleton<TimeProvider>(time);
            s.AddSingleton<IDnsResolver>(dns);
            s.Configure<NotificationsOptions>(o =>
            {
                o.JitterFraction = 0;
                options?.Invoke(o);
            });
        });
        return new DeliveryHarness(host, time, dns);
    }

    public DeliveryStore Store => Host.Services.GetRequiredService<DeliveryStore>();
    public EndpointStore Endpoints => Host.Services.GetRequiredService<EndpointStore>();

    /// <summary>Stores an alert as a message with one pending delivery to <paramref name="endpointId"/>; returns the delivery id.</summary>
    public async Task<string> SeedAsync(string endpointId, string alertId)
    {
        var alert = NotificationsHost.Alert(alertId);
        var data = JsonSerializer.SerializeToNode(alert, NotificationsHost.Json)!;
        var messageId = WebhookMessage.IdFor(alert.TenantId, DaprNames.Topics.AlertRaised, alertId);
        var deliveryId = MessageDelivery.IdFor(messageId, endpointId);
        var message = new WebhookMessage(messageId, alert.TenantId, DaprNames.Topics.AlertRaised, alertId,
            Payloads.Standard(DaprNames.Topics.AlertRaised, alert.OccurredAt, data), alert.OccurredAt, Time.GetUtcNow(), [deliveryId]);
        await Store.SaveNewAsync(message, [MessageDelivery.New(deliveryId, message, endpointId, Time.GetUtcNow())], CancellationToken.None);
        return deliveryId;
    }

    /// <summary>One attempt through the real activity.</summary>
    public Task<AttemptOutcome> AttemptAsync(string deliveryId, int attempt) =>
        new DeliverAttemptActivity(Host.Services.GetRequiredService<DeliveryAttempts>())
            .RunAsync(Mock.Of<WorkflowActivityContext>(), new AttemptRequest(deliveryId, attempt));

    /// <summary>Runs the real workflow for <paramref name="deliveryId"/> (start it, then drive the receiver and the clock).</summary>
    public Task<DeliveryStatus> RunWorkflowAsync(string deliveryId)
    {
        var context = new Mock<WorkflowContext>(MockBehavior.Strict);
        context.Setup(c => c.CallActivityAsync<AttemptOutcome>(nameof(DeliverAttemptActivity), It.IsAny<AttemptRequest>(), DeliveryWorkflow.ActivityRetry))
            .Returns((string _, object? input, WorkflowTaskOptions? _) => AttemptAsync(((AttemptRequest)input!).DeliveryId, ((AttemptRequest)input!).Attempt));
        context.Setup(c => c.CreateTimer(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .Callback((TimeSpan delay, CancellationToken _) =>
            {
                Timers.Enqueue(delay);
                Time.Advance(delay);
            })
            .Returns(Task.CompletedTask);
        return Task.Run(() => new DeliveryWorkflow().RunAsync(context.Object, new DeliveryRequest(deliveryId)));
    }

    public async Task<MessageDelivery> DeliveryAsync(string deliveryId) =>
        await Store.GetDeliveryAsync(deliveryId, CancellationToken.None) ?? throw new InvalidOperationException($"No delivery {deliveryId}.");

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
