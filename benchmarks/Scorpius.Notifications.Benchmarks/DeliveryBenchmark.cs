using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Scorpius.Contracts;
using Scorpius.Notifications.Delivery;
using Scorpius.Notifications.Egress;
using Scorpius.Notifications.Endpoints;
using Scorpius.Notifications.Signing;
using Scorpius.Notifications.Tests.Support;
using Scorpius.ServiceDefaults;
using Scorpius.Testing.Sidecar;
using DeliveryStatus = Scorpius.Notifications.Delivery.DeliveryStatus;

namespace Scorpius.Notifications.Benchmarks;

/// <summary>
/// Deliveries per second to a receiver on loopback that verifies every signature.
/// <list type="bullet">
/// <item><b>delivery attempts</b>: <see cref="DeliveryAttempts.RunAsync"/> per pending delivery, as the workflow activity
/// runs it: reads delivery, endpoint and message from the state store, SSRF check, decrypts the key, signs, POSTs
/// through the sidecar, records the attempt. The workflow engine is not in the loop.</item>
/// <item><b>signed POSTs</b>: sign and <see cref="DaprExternalInvoker.PostAsync"/> only, no state.</item>
/// </list>
/// State, secrets and pub/sub are the in-process fake sidecar (the real DaprClient over gRPC); the sidecar's external
/// invocation is the tests' stand-in. Neither is daprd, so these are figures for our code, not for a deployment.
/// Usage: dotnet run -c Release --project benchmarks/Scorpius.Notifications.Benchmarks -- [count] [concurrency]
/// </summary>
public static class DeliveryBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;

        await using var sidecar = await FakeDaprSidecar.StartAsync();
        sidecar.SetSecret(DaprNames.SecretStore, SecretProtector.SecretName,
            new Dictionary<string, string> { [SecretProtector.SecretKey] = "benchmark-only-not-a-secret-webhook-secrets-key" });
        await using var dapr = await DaprInvocationStandIn.StartAsync(sidecar.ApiToken);
        await using var receiver = await WebhookReceiver.StartAsync();

        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DAPR_GRPC_ENDPOINT"] = sidecar.GrpcEndpoint,
            ["DAPR_HTTP_ENDPOINT"] = dapr.Endpoint,
            ["DAPR_API_TOKEN"] = sidecar.ApiToken,
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Notifications:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Notifications:AllowInsecureHttp"] = "true",
        });
        builder.AddServiceDefaults(ScorpiusApps.Notifications);
        builder.AddNotifications();
        await using var app = builder.Build();
        var services = app.Services;

        var endpoint = await CreateEndpointAsync(services, receiver);
        var ids = await SeedAsync(services, endpoint.Id, count + 200);
        var attempts = services.GetRequiredService<DeliveryAttempts>();

        // Warm-up: JIT, connection pools, the secret-store read.
        await RunAsync(ids[..200], concurrency, id => attempts.RunAsync(id, 1, CancellationToken.None));
        var measured = ids[200..];
        var elapsed = await RunAsync(measured, concurrency, async id =>
        {
            var outcome = await attempts.RunAsync(id, 1, CancellationToken.None);
            if (outcome.Status != DeliveryStatus.Delivered) throw new InvalidOperationException($"{id}: {outcome.Status}");
        });
        Report("delivery attempts", count, concurrency, elapsed, receiver, expected: count + 200);

        var egress = services.GetRequiredService<DaprExternalInvoker>();
        var url = new Uri(receiver.HookUrl);
        var secret = receiver.Keys.Single();
        var body = Encoding.UTF8.GetBytes(Payloads.Standard(DaprNames.Topics.AlertRaised, DateTimeOffset.UtcNow, System.Text.Json.Nodes.JsonNode.Parse("{\"n\":1}")!));
        var posts = Enumerable.Range(0, count).Select(i => $"msg_{i:D8}").ToArray();
        elapsed = await RunAsync(posts, concurrency, async id =>
        {
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var response = await egress.PostAsync(url, new Dictionary<string, string>
            {
                [WebhookVerifier.IdHeader] = id,
                [WebhookVerifier.TimestampHeader] = timestamp.ToString(CultureInfo.InvariantCulture),
                [WebhookVerifier.SignatureHeader] = WebhookSigner.Sign(id, timestamp, body, [secret]),
            }, body, CancellationToken.None);
            if (response.StatusCode != 200) throw new InvalidOperationException($"{id}: {response.StatusCode} {response.Error}");
        });
        Report("signed POSTs", count, concurrency, elapsed, receiver, expected: 2 * count + 200);
        return 0;
    }

    private static async Task<WebhookEndpoint> CreateEndpointAsync(IServiceProvider services, WebhookReceiver receiver)
    {
        var secret = WebhookSigner.NewSecret();
        receiver.Keys.Add(secret);
        var now = DateTimeOffset.UtcNow;
        var endpoint = new WebhookEndpoint(WebhookEndpoint.NewId(), "tenant-bench", receiver.HookUrl, PayloadFormat.Standard,
            [DaprNames.Topics.AlertRaised], true, null, [], 0, null, now, now);
        var key = new SigningKey("key_bench", SigningKeyKind.Hmac,
            await services.GetRequiredService<SecretProtector>().ProtectAsync(secret, endpoint.ProtectionContext("key_bench"), CancellationToken.None), null, now, null);
        endpoint = endpoint with { Keys = [key] };
        await services.GetRequiredService<EndpointStore>().UpdateAsync<bool>(endpoint.TenantId, _ => ([endpoint], true), CancellationToken.None);
        return endpoint;
    }

    private static async Task<string[]> SeedAsync(IServiceProvider services, string endpointId, int count)
    {
        var store = services.GetRequiredService<DeliveryStore>();
        var ids = new string[count];
        var data = System.Text.Json.Nodes.JsonNode.Parse("""{"alertId":"a","tenantId":"tenant-bench","severity":"high","title":"Benchmark alert"}""")!;
        for (var i = 0; i < count; i++)
        {
            var messageId = WebhookMessage.IdFor("tenant-bench", DaprNames.Topics.AlertRaised, $"alert-{i}");
            ids[i] = MessageDelivery.IdFor(messageId, endpointId);
            var message = new WebhookMessage(messageId, "tenant-bench", DaprNames.Topics.AlertRaised, $"alert-{i}",
                Payloads.Standard(DaprNames.Topics.AlertRaised, DateTimeOffset.UtcNow, data), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, [ids[i]]);
            await store.SaveNewAsync(message, [MessageDelivery.New(ids[i], message, endpointId, DateTimeOffset.UtcNow)], CancellationToken.None);
        }
        return ids;
    }

    private static async Task<TimeSpan> RunAsync(IReadOnlyList<string> ids, int concurrency, Func<string, Task> deliver)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (id, _) => await deliver(id));
        return clock.Elapsed;
    }

    private static void Report(string what, int count, int concurrency, TimeSpan elapsed, WebhookReceiver receiver, int expected)
    {
        var received = receiver.Received;
        var invalid = received.Count(r => r.Verification != WebhookVerification.Valid);
        if (received.Count != expected || invalid > 0)
            throw new InvalidOperationException($"The receiver got {received.Count} requests ({invalid} not verified), expected {expected}.");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {count} in {elapsed.TotalSeconds:0.00} s = {count / elapsed.TotalSeconds:0} per second (concurrency {concurrency}, every signature verified by the receiver)"));
    }
}
