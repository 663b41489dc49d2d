using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Scorpius.Contracts;
using Scorpius.Testing.Sidecar;

namespace Scorpius.Platform.Tests.Sidecar;

/// <summary>
/// The real Dapr SDK (DaprClient 1.19) against the in-process fake sidecar: wire format, token handling,
/// state semantics, pub/sub delivery and service invocation.
/// </summary>
public sealed class FakeSidecarTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private FakeDaprSidecar sidecar = null!;
    private DaprClient dapr = null!;

    public sealed record Wallet(string Address, int Risk);

    public async Task InitializeAsync()
    {
        sidecar = await FakeDaprSidecar.StartAsync();
        dapr = sidecar.CreateClient();
    }

    public async Task DisposeAsync()
    {
        dapr.Dispose();
        await sidecar.DisposeAsync();
    }

    [Fact]
    public async Task State_round_trips_json_and_a_missing_key_is_null()
    {
        await dapr.SaveStateAsync(DaprNames.StateStore, "w1", new Wallet("0xabc", 7));

        Assert.Equal(new Wallet("0xabc", 7), await dapr.GetStateAsync<Wallet>(DaprNames.StateStore, "w1"));
        Assert.Null(await dapr.GetStateAsync<Wallet>(DaprNames.StateStore, "missing"));
        Assert.Equal("{\"address\":\"0xabc\",\"risk\":7}", sidecar.StateStore(DaprNames.StateStore).GetString("w1"));
        Assert.Contains(sidecar.Calls, c => c.Method == "SaveState");
    }

    [Fact]
    public async Task A_stale_etag_is_refused_and_the_current_one_accepted()
    {
        await dapr.SaveStateAsync(DaprNames.StateStore, "w2", new Wallet("0x1", 1));
        var (_, etag) = await dapr.GetStateAndETagAsync<Wallet>(DaprNames.StateStore, "w2");
        await dapr.SaveStateAsync(DaprNames.StateStore, "w2", new Wallet("0x1", 2)); // someone else wrote

        Assert.False(await dapr.TrySaveStateAsync(DaprNames.StateStore, "w2", new Wallet("0x1", 3), etag));
        var (current, freshEtag) = await dapr.GetStateAndETagAsync<Wallet>(DaprNames.StateStore, "w2");
        Assert.Equal(2, current.Risk);
        Assert.NotEqual(etag, freshEtag);
        Assert.True(await dapr.TrySaveStateAsync(DaprNames.StateStore, "w2", new Wallet("0x1", 3), freshEtag));
        Assert.True(await dapr.TryDeleteStateAsync(DaprNames.StateStore, "w2", (await dapr.GetStateAndETagAsync<Wallet>(DaprNames.StateStore, "w2")).etag));
        Assert.Null(await dapr.GetStateAsync<Wallet>(DaprNames.StateStore, "w2"));
    }

    [Fact]
    public async Task First_write_wins_without_etag_only_creates_and_last_write_wins_overwrites()
    {
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        await dapr.SaveStateAsync(DaprNames.StateStore, "w3", new Wallet("0x3", 1), firstWrite);

        var ex = await Assert.ThrowsAsync<DaprException>(() => dapr.SaveStateAsync(DaprNames.StateStore, "w3", new Wallet("0x3", 2), firstWrite));
        Assert.Equal(StatusCode.Aborted, Assert.IsType<RpcException>(ex.InnerException).StatusCode);

        await dapr.SaveStateAsync(DaprNames.StateStore, "w3", new Wallet("0x3", 9), new StateOptions { Concurrency = ConcurrencyMode.LastWrite });
        Assert.Equal(9, (await dapr.GetStateAsync<Wallet>(DaprNames.StateStore, "w3")).Risk);
    }

    [Fact]
    public async Task A_transaction_with_one_stale_etag_changes_nothing()
    {
        await dapr.SaveStateAsync(DaprNames.StateStore, "a", new Wallet("0xa", 1));
        await dapr.SaveStateAsync(DaprNames.StateStore, "b", new Wallet("0xb", 1));
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Wallet("0x", 5), new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));

        await Assert.ThrowsAsync<DaprException>(() => dapr.ExecuteStateTransactionAsync(DaprNames.StateStore,
        [
            new StateTransactionRequest("a", json, StateOperationType.Upsert),
            new StateTransactionRequest("b", null, StateOperationType.Delete, etag: "stale"),
        ]));
        Assert.Equal(1, (await dapr.GetStateAsync<Wallet>(DaprNames.StateStore, "a")).Risk);
        Assert.NotNull(await dapr.GetStateAsync<Wallet>(DaprNames.StateStore, "b"));

        var (_, etagB) = await dapr.GetStateAndETagAsync<Wallet>(DaprNames.StateStore, "b");
        await dapr.ExecuteStateTransactionAsync(DaprNames.StateStore,
        [
            new StateTransactionRequest("a", json, StateOperationType.Upsert),
            new StateTransactionRequest("b", null, StateOperationType.Delete, etag: etagB),
        ]);
        Assert.Equal(5, (await dapr.GetStateAsync<Wallet>(DaprNames.StateStore, "a")).Risk);
        Assert.Null(await dapr.GetStateAsync<Wallet>(DaprNames.StateStore, "b"));
    }

    [Fact]
    public async Task Bulk_get_returns_found_and_missing_keys()
    {
        await dapr.SaveStateAsync(DaprNames.StateStore, "k1", new Wallet("0x1", 1));
        var items = await dapr.GetBulkStateAsync<Wallet>(DaprNames.StateStore, ["k1", "nope"], parallelism: 1);

        Assert.Equal(2, items.Count);
        Assert.Equal(1, items.Single(i => i.Key == "k1").Value.Risk);
        Assert.False(string.IsNullOrEmpty(items.Single(i => i.Key == "k1").ETag));
        Assert.Null(items.Single(i => i.Key == "nope").Value);
    }

    [Fact]
    public async Task An_unknown_component_is_an_error_not_a_silent_success()
    {
        var ex = await Assert.ThrowsAsync<DaprException>(() => dapr.SaveStateAsync("typo-store", "k", 1));
        Assert.Equal(StatusCode.InvalidArgument, Assert.IsType<RpcException>(ex.InnerException).StatusCode);
        await Assert.ThrowsAsync<DaprException>(() => dapr.PublishEventAsync("typo-pubsub", "t", new { a = 1 }));
        await Assert.ThrowsAsync<DaprException>(() => dapr.InvokeBindingAsync("typo-binding", "create", new { a = 1 }));
    }

    [Fact]
    public async Task What_the_fake_does_not_model_answers_unimplemented()
    {
        var ex = await Assert.ThrowsAsync<DaprException>(() => dapr.GetConfiguration("config", ["k"]));
        Assert.Equal(StatusCode.Unimplemented, Assert.IsType<RpcException>(ex.InnerException).StatusCode);
    }

    [Fact]
    public async Task A_client_without_the_api_token_is_rejected_on_grpc_and_http()
    {
        using var anonymous = sidecar.CreateClient(apiToken: "");
        var ex = await Assert.ThrowsAsync<DaprException>(() => anonymous.GetStateAsync<Wallet>(DaprNames.StateStore, "k"));
        Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(ex.InnerException).StatusCode);

        await using var target = await SubscriberTestApp.StartAsync();
        sidecar.AddApp("target", target.Client);
        using var http = new HttpClient { BaseAddress = new Uri(sidecar.HttpEndpoint) };
        var response = await http.GetAsync("/v1.0/invoke/target/method/hello/x");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(target.InvocationHeaders);
    }

    [Fact]
    public async Task Secrets_are_served_and_a_missing_secret_fails()
    {
        sidecar.SetSecret(DaprNames.SecretStore, "ledger-signing-key", "dev-value");

        var secret = await dapr.GetSecretAsync(DaprNames.SecretStore, "ledger-signing-key");
        Assert.Equal("dev-value", secret["ledger-signing-key"]);
        var bulk = await dapr.GetBulkSecretAsync(DaprNames.SecretStore);
        Assert.Equal("dev-value", bulk["ledger-signing-key"]["ledger-signing-key"]);
        await Assert.ThrowsAsync<DaprException>(() => dapr.GetSecretAsync(DaprNames.SecretStore, "absent"));
    }

    [Fact]
    public async Task Output_bindings_are_recorded_with_operation_data_and_metadata()
    {
        sidecar.AddBinding("smtp", request => new Dapr.Client.Autogen.Grpc.v1.InvokeBindingResponse
        {
            Data = Google.Protobuf.ByteString.CopyFromUtf8("{\"sent\":true}"),
        });

        var answer = await dapr.InvokeBindingAsync<object, JsonObject>("smtp", "create", new { subject = "Alert" },
            new Dictionary<string, string> { ["emailTo"] = "soc@example.org" });

        Assert.True(answer["sent"]!.GetValue<bool>());
        var call = Assert.Single(sidecar.BindingCalls);
        Assert.Equal(("smtp", "create", "soc@example.org"), (call.Name, call.Operation, call.Metadata["emailTo"]));
        Assert.Contains("\"subject\":\"Alert\"", call.Data, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_invocation_is_forwarded_to_the_target_app_with_path_query_and_body()
    {
        await using var target = await SubscriberTestApp.StartAsync();
        sidecar.AddApp("target", target.Client);
        var invoke = DaprClient.CreateInvokeHttpClient("target", sidecar.HttpEndpoint, sidecar.ApiToken);

        var greeting = await invoke.GetFromJsonAsync<JsonObject>("/hello/alice?q=1");
        Assert.Equal("hello alice", greeting!["greeting"]!.GetValue<string>());
        Assert.Equal("1", greeting["query"]!.GetValue<string>());

        var echo = await invoke.PostAsync("/echo", new StringContent("payload-bytes"));
        Assert.Equal("payload-bytes", await echo.Content.ReadAsStringAsync());

        var unknown = await invoke.GetAsync("/hello/x".Replace("hello", "nothing-here", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.True(await dapr.CheckHealthAsync());
        Assert.True(await dapr.CheckOutboundHealthAsync());
    }

    [Fact]
    public async Task Published_events_reach_the_subscriber_as_cloud_events_and_success_is_delivered_once()
    {
        await using var subscriber = await SubscriberTestApp.StartAsync();
        sidecar.AddApp("subscriber", subscriber.Client);

        await dapr.PublishEventAsync(DaprNames.PubSub, SubscriberTestApp.Topic, new TestOrder("o1", "ok"),
            new Dictionary<string, string> { ["cloudevent.type"] = "io.scorpius.test.v1" });
        await sidecar.PubSub.WaitForIdleAsync(Timeout);

        Assert.Equal(new TestOrder("o1", "ok"), Assert.Single(subscriber.Received));
        var attempt = Assert.Single(sidecar.PubSub.Attempts);
        Assert.Equal((DeliveryStatus.Success, "orders", 1), (attempt.Status, attempt.Route, attempt.Attempt));
        var published = Assert.Single(sidecar.PubSub.Published);
        Assert.Equal("io.scorpius.test.v1", published.Type);
        Assert.Equal("1.0", published.CloudEvent["specversion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Retry_is_redelivered_until_exhausted_then_dead_lettered()
    {
        await using var subscriber = await SubscriberTestApp.StartAsync();
        sidecar.AddApp("subscriber", subscriber.Client);

        await dapr.PublishEventAsync(DaprNames.PubSub, SubscriberTestApp.Topic, new TestOrder("o2", "retry"));
        await sidecar.PubSub.WaitForIdleAsync(Timeout);

        var attempts = sidecar.PubSub.Attempts.Where(a => a.Topic == SubscriberTestApp.Topic).ToArray();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        Assert.All(attempts, a => Assert.Equal(DeliveryStatus.Retry, a.Status));
        Assert.Equal("o2", Assert.Single(subscriber.DeadLettered).Id);
    }

    [Fact]
    public async Task Drop_is_not_redelivered_and_goes_to_the_dead_letter_topic()
    {
        await using var subscriber = await SubscriberTestApp.StartAsync();
        sidecar.AddApp("subscriber", subscriber.Client);

        await dapr.PublishEventAsync(DaprNames.PubSub, SubscriberTestApp.Topic, new TestOrder("o3", "drop"));
        await sidecar.PubSub.WaitForIdleAsync(Timeout);

        var attempt = Assert.Single(sidecar.PubSub.Attempts, a => a.Topic == SubscriberTestApp.Topic);
        Assert.Equal(DeliveryStatus.Drop, attempt.Status);
        Assert.Equal("o3", Assert.Single(subscriber.DeadLettered).Id);
    }

    [Fact]
    public async Task A_server_error_is_retried_as_daprd_does()
    {
        await using var subscriber = await SubscriberTestApp.StartAsync();
        sidecar.AddApp("subscriber", subscriber.Client);

        var attempt = await sidecar.PubSub.DeliverOnceAsync("subscriber", DaprNames.PubSub, SubscriberTestApp.Topic,
            FakePubSub.CreateCloudEvent(DaprNames.PubSub, SubscriberTestApp.Topic, JsonNode.Parse("""{"id":"o4","answer":"fail"}""")));

        Assert.Equal((DeliveryStatus.Retry, 500), (attempt.Status, attempt.HttpStatus));
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, "", DeliveryStatus.Success)]
    [InlineData(HttpStatusCode.OK, """{"status":"SUCCESS"}""", DeliveryStatus.Success)]
    [InlineData(HttpStatusCode.OK, """{"status":"RETRY"}""", DeliveryStatus.Retry)]
    [InlineData(HttpStatusCode.OK, """{"status":"DROP"}""", DeliveryStatus.Drop)]
    [InlineData(HttpStatusCode.OK, """{"status":"BOGUS"}""", DeliveryStatus.Retry)]
    [InlineData(HttpStatusCode.NoContent, "", DeliveryStatus.Success)]
    [InlineData(HttpStatusCode.NotFound, "", DeliveryStatus.Drop)]
    [InlineData(HttpStatusCode.BadRequest, "", DeliveryStatus.Retry)]
    [InlineData(HttpStatusCode.InternalServerError, """{"status":"DROP"}""", DeliveryStatus.Retry)]
    public void Answers_are_read_as_daprd_reads_them(HttpStatusCode code, string body, DeliveryStatus expected) =>
        Assert.Equal(expected, FakePubSub.Classify(code, body));
}
