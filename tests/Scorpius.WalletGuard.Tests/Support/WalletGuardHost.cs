using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Actors.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scorpius.Contracts;
using Scorpius.Testing;
using Scorpius.Testing.Identity;
using Scorpius.Testing.Sidecar;
using Scorpius.WalletGuard.Wallets;

namespace Scorpius.WalletGuard.Tests.Support;

/// <summary>
/// wallet-guard in process (WebApplicationFactory) on a fake sidecar (state, pub/sub), with tokens from
/// <see cref="TestIdentity"/>, a <see cref="FakeTimeProvider"/> as its clock, and its wallet actors hosted in process
/// (<see cref="InProcessActorProxyFactory"/>).
/// </summary>
public sealed class WalletGuardHost : IAsyncDisposable
{
    public const string Tenant = "tenant-a";
    public const string OtherTenant = "tenant-b";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private WalletGuardHost(FakeDaprSidecar sidecar, TestIdentity identity, FakeTimeProvider clock, InProcessActorProxyFactory actors, Factory app)
    {
        Sidecar = sidecar;
        Identity = identity;
        Clock = clock;
        Actors = actors;
        App = app;
        Client = ClientFor(Tenant);
    }

    public FakeDaprSidecar Sidecar { get; }
    public TestIdentity Identity { get; }
    public FakeTimeProvider Clock { get; }
    public InProcessActorProxyFactory Actors { get; }
    public ScorpiusAppFactory<Program> App { get; }

    /// <summary>A client of <see cref="Tenant"/> holding every permission.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<WalletGuardHost> StartAsync(FakeSidecarOptions? sidecarOptions = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var sidecar = await FakeDaprSidecar.StartAsync(sidecarOptions);
        var identity = TestIdentity.On(sidecar);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var actors = new InProcessActorProxyFactory(clock);
        var app = new Factory(sidecar, settings, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<IActorProxyFactory>(actors);
        });
        return new WalletGuardHost(sidecar, identity, clock, actors, app);
    }

    /// <summary>A client of <paramref name="tenant"/> with <paramref name="scopes"/> (default: all); tokens last two days so the clock can move.</summary>
    public HttpClient ClientFor(string tenant, params string[] scopes) => TestIdentity.Authorize(App.CreateClient(),
        Identity.Token(new TokenSpec(tenant, scopes.Length == 0 ? [.. Permissions.All] : scopes) { ExpiresIn = TimeSpan.FromDays(2) }));

    public async Task<Wallet> CreateWalletAsync(string chain, string address, long? chainId = null, HttpClient? client = null)
    {
        var response = await (client ?? Client).PostAsJsonAsync("/v1/wallets", new { chain, chainId, address, label = "test" }, Json);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<Wallet>(Json))!;
    }

    public IReadOnlyList<ProtectionRequested> Published() =>
        [.. Sidecar.PubSub.Published.Where(m => m.Topic == DaprNames.Topics.ProtectionRequested).Select(m => m.DataAs<ProtectionRequested>()!)];

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await Sidecar.DisposeAsync();
    }

    private sealed class Factory(FakeDaprSidecar sidecar, IReadOnlyDictionary<string, string?>? settings, Action<IServiceCollection> configure)
        : ScorpiusAppFactory<Program>(sidecar, settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(configure);
        }
    }
}
