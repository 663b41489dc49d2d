extern alias workflows;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;
using Scorpius.Testing.Identity;
using Scorpius.Testing.Sidecar;

namespace Scorpius.Platform.Tests.Auth;

/// <summary>
/// The credential check every app runs (ServiceDefaults), through the real Dapr invocation path to a stand-in auth-proxy:
/// how long a revocation may take to bite, what is remembered, and that nobody is let in when auth-proxy cannot answer.
/// </summary>
public sealed class CredentialCheckTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private FakeDaprSidecar sidecar = null!;
    private TestIdentity identity = null!;
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        sidecar = await FakeDaprSidecar.StartAsync();
        identity = TestIdentity.On(sidecar);
        services = Services(sidecar.HttpEndpoint, sidecar.ApiToken, clock);
    }

    private static ServiceProvider Services(string sidecarHttp, string apiToken, TimeProvider clock)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DAPR_HTTP_ENDPOINT"] = sidecarHttp,
            ["DAPR_API_TOKEN"] = apiToken,
            ["Auth:Audience"] = ScorpiusApps.WalletGuardId,
            ["Auth:CredentialCheckInterval"] = Interval.ToString(),
            ["Auth:NegativeCacheLifetime"] = "00:00:10",
        }).Build();
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddLogging();
        collection.AddSingleton(clock);
        collection.AddOptions<AuthSettings>().Bind(configuration.GetSection(AuthSettings.Section));
        collection.AddCredentialChecks();
        return collection.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        identity.Dispose();
        await sidecar.DisposeAsync();
    }

    private Task<CredentialResult> ResolveAsync(string credential, ServiceProvider? provider = null) =>
        (provider ?? services).GetRequiredService<ICredentialResolver>().ResolveAsync(new DefaultHttpContext(),
            new Credential(credential.StartsWith("scp_", StringComparison.Ordinal) ? CredentialKind.ApiKey : CredentialKind.AccessToken, credential), default);

    [Fact]
    public async Task A_revoked_token_is_refused_at_the_latest_one_check_interval_after_its_revocation()
    {
        var token = identity.Token("tenant-a", Permissions.WalletsRead);

        var first = await ResolveAsync(token);
        Assert.NotNull(first.Principal);
        Assert.Equal("tenant-a", first.Principal!.TenantId());
        Assert.True(first.Principal.HasScope(Permissions.WalletsRead));
        Assert.Equal(1, identity.MeCalls);
        Assert.NotNull((await ResolveAsync(token)).Principal);
        Assert.Equal(1, identity.MeCalls); // the answer is reused, not asked again

        identity.Revoke(token);
        clock.Advance(Interval - TimeSpan.FromSeconds(1));
        Assert.NotNull((await ResolveAsync(token)).Principal); // still within the interval: the documented staleness
        clock.Advance(TimeSpan.FromSeconds(2));
        var refused = await ResolveAsync(token);
        Assert.Null(refused.Principal);
        Assert.Contains("revoked", refused.Failure, StringComparison.Ordinal);
        Assert.Equal(2, identity.MeCalls);
    }

    [Fact]
    public void A_validated_token_is_remembered_until_the_earlier_of_its_expiry_and_the_check_interval()
    {
        using var remembered = new ValidatedTokens(Microsoft.Extensions.Options.Options.Create(new AuthSettings { CredentialCheckInterval = Interval }), clock);
        Claim[] claims = [new(ScorpiusClaims.Subject, "s")];
        remembered.Remember("short-lived", claims, clock.GetUtcNow().UtcDateTime.AddSeconds(10));
        remembered.Remember("long-lived", claims, clock.GetUtcNow().UtcDateTime.AddHours(1));
        remembered.Remember("expired", claims, clock.GetUtcNow().UtcDateTime.AddSeconds(-1));

        Assert.NotNull(remembered.Find("short-lived"));
        Assert.Null(remembered.Find("expired"));
        Assert.Null(remembered.Find("never-seen"));
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Null(remembered.Find("short-lived")); // past its expiry: validated again (and refused)
        Assert.NotNull(remembered.Find("long-lived"));
        clock.Advance(Interval);
        Assert.Null(remembered.Find("long-lived")); // past the interval: verified again
    }

    [Fact]
    public async Task A_token_revoked_before_it_was_ever_seen_is_refused_at_once()
    {
        var token = identity.Token("tenant-a", Permissions.WalletsRead);
        identity.Revoke(token);

        Assert.Null((await ResolveAsync(token)).Principal);
    }

    [Fact]
    public async Task An_API_key_is_described_by_auth_proxy_and_a_bad_one_is_remembered_briefly()
    {
        var key = identity.ApiKey("tenant-b", Permissions.LedgerRead);
        var principal = (await ResolveAsync(key)).Principal!;
        Assert.Equal("tenant-b", principal!.TenantId());
        Assert.True(principal!.HasScope(Permissions.LedgerRead));
        Assert.False(principal.HasScope(Permissions.WalletsRead));

        var unknown = $"scp_live_{new string('x', 16)}_{new string('0', 64)}";
        var calls = identity.MeCalls;
        Assert.Null((await ResolveAsync(unknown)).Principal);
        Assert.Null((await ResolveAsync(unknown)).Principal);
        Assert.Equal(calls + 1, identity.MeCalls);
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Null((await ResolveAsync(unknown)).Principal);
        Assert.Equal(calls + 2, identity.MeCalls);

        // A malformed key never reaches auth-proxy.
        Assert.Null((await ResolveAsync("scp_live_nope")).Principal);
        Assert.Equal(calls + 2, identity.MeCalls);
    }

    [Fact]
    public async Task Forged_expired_or_misaddressed_tokens_are_refused_without_asking_auth_proxy()
    {
        var spec = new TokenSpec("tenant-a", [Permissions.WalletsRead]);
        string[] bad =
        [
            identity.Token(spec, signWith: TestIdentity.NewKey()),
            identity.Token(spec, unsigned: true),
            identity.Token(spec with { ExpiresIn = TimeSpan.FromMinutes(-1) }),
            identity.Token(spec with { NotBeforeIn = TimeSpan.FromMinutes(5), ExpiresIn = TimeSpan.FromMinutes(10) }),
            identity.Token(spec with { Issuer = "https://other.example/" }),
            identity.Token(spec with { Audiences = [ScorpiusApps.NotificationsId] }),
            identity.Token(spec with { TokenType = "JWT" }),
            "eyJhbGciOiJub25lIn0.e30.",
        ];
        foreach (var token in bad) Assert.Null((await ResolveAsync(token)).Principal);
        Assert.Equal(0, identity.MeCalls);
    }

    [Fact]
    public async Task When_auth_proxy_cannot_be_reached_nobody_gets_in()
    {
        await using var lonely = await FakeDaprSidecar.StartAsync(); // no auth-proxy app behind this sidecar
        await using var provider = Services(lonely.HttpEndpoint, lonely.ApiToken, TimeProvider.System);

        var key = identity.ApiKey("tenant-a", Permissions.WalletsRead);
        await Assert.ThrowsAsync<CredentialStatusUnavailableException>(() => ResolveAsync(key, provider));
        Assert.Null((await ResolveAsync(identity.Token("tenant-a", Permissions.WalletsRead), provider)).Principal); // no keys: nothing validates
    }

    [Theory]
    [InlineData("Bearer abc", null, true, null)]
    [InlineData(null, "scp_live_x", true, null)]
    [InlineData("Basic dXNlcjpwdw==", null, false, "Only the Bearer authorization scheme is accepted.")]
    [InlineData("Bearer abc", "scp_live_x", false, "Present one credential: either an Authorization header or an X-Api-Key header.")]
    [InlineData(null, "not-a-key", false, "X-Api-Key must carry an scp_ API key.")]
    [InlineData("Bearer ", null, false, "The credential is empty or too long.")]
    [InlineData(null, null, false, null)]
    public void Credentials_are_read_from_one_header(string? authorization, string? apiKey, bool read, string? error)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null) context.Request.Headers.Authorization = authorization;
        if (apiKey is not null) context.Request.Headers[Credential.ApiKeyHeader] = apiKey;

        Assert.Equal(read, Credential.TryRead(context.Request, out var credential, out var problem));
        Assert.Equal(error, problem);
        Assert.Equal(read, credential is not null);
    }

    [Fact]
    public void Scopes_count_whether_they_come_space_separated_or_one_claim_each()
    {
        var joined = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ScorpiusClaims.Scope, "ledger:read wallets:read")]));
        var separate = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ScorpiusClaims.Scope, "ledger:read"), new Claim(ScorpiusClaims.Scope, "wallets:read")]));

        Assert.All(new[] { joined, separate }, p => Assert.True(p.HasScope("wallets:read") && p.HasScope("ledger:read")));
        Assert.All(new[] { joined, separate }, p => Assert.False(p.HasScope("wallets") || p.HasScope("read") || p.HasScope("wallets:write")));
    }
}

/// <summary>A service's own calls to another app: through Dapr invocation, with its client-credentials token, fetched once.</summary>
public sealed class ServiceInvokerTests
{
    [Fact]
    public async Task Calls_to_another_app_carry_the_service_token_which_is_fetched_once()
    {
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        var identity = TestIdentity.On(sidecar);
        sidecar.SetSecret(DaprNames.SecretStore, ServiceTokens.SecretName, new Dictionary<string, string> { [ScorpiusApps.WorkflowsId] = "workflows-secret" });
        var seen = new List<string?>();
        sidecar.AddApp(ScorpiusApps.AuditTrailId, new HttpClient(new Echo(seen)) { BaseAddress = new Uri("http://audit-trail") });
        await using var app = new Scorpius.Testing.ScorpiusAppFactory<workflows::Program>(sidecar);
        var invoker = app.Services.GetRequiredService<ServiceInvoker>();

        var first = await invoker.For(ScorpiusApps.AuditTrailId).GetAsync("/v1/checkpoints/latest");
        var second = await invoker.For(ScorpiusApps.AuditTrailId).GetAsync("/v1/verifier-keys");

        Assert.Equal((System.Net.HttpStatusCode.OK, System.Net.HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(1, identity.TokenCalls);
        Assert.Equal(2, seen.Count);
        Assert.All(seen, h => Assert.StartsWith("Bearer ey", h, StringComparison.Ordinal));
        Assert.Equal(seen[0], seen[1]);
    }

    [Fact]
    public async Task Without_its_secret_a_service_cannot_call_other_apps()
    {
        await using var sidecar = await FakeDaprSidecar.StartAsync();
        TestIdentity.On(sidecar);
        sidecar.SetSecret(DaprNames.SecretStore, ServiceTokens.SecretName, new Dictionary<string, string> { ["someone-else"] = "x" });
        await using var app = new Scorpius.Testing.ScorpiusAppFactory<workflows::Program>(sidecar);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Services.GetRequiredService<ServiceInvoker>().For(ScorpiusApps.AuditTrailId).GetAsync("/v1/verifier-keys"));
        Assert.Contains("service-credentials", error.Message, StringComparison.Ordinal);
    }

    private sealed class Echo(List<string?> seen) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (seen) seen.Add(request.Headers.Authorization?.ToString());
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
