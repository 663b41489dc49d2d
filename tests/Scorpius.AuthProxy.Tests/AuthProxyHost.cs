using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Scorpius.AuthProxy.Keys;
using Scorpius.Contracts;
using Scorpius.Testing;
using Scorpius.Testing.Sidecar;

namespace Scorpius.AuthProxy.Tests;

/// <summary>
/// auth-proxy in process against the fake sidecar, whose secret store holds freshly made development keys and the
/// secrets of three clients: an admin integration of tenant A, a read-only integration of tenant A, an admin of tenant B.
/// </summary>
public sealed class AuthProxyHost : IAsyncDisposable
{
    public const string AdminA = "integration-a-admin";
    public const string ReaderA = "integration-a-reader";
    public const string AdminB = "integration-b-admin";
    /// <summary>A resource server: an app of the platform (so an audience of every token) that introspects.</summary>
    public const string Platform = ScorpiusApps.WalletGuardId;
    /// <summary>A client of the platform tenant holding every scope: the operator of the platform.</summary>
    public const string Operator = "platform-operator";
    public const string TenantA = "tenant-a";
    public const string TenantB = "tenant-b";

    private AuthProxyHost(FakeDaprSidecar sidecar, ScorpiusAppFactory<Program> root, WebApplicationFactory<Program> factory)
    {
        Sidecar = sidecar;
        this.root = root;
        Factory = factory;
        Client = factory.CreateClient();
    }

    private readonly ScorpiusAppFactory<Program> root;

    public FakeDaprSidecar Sidecar { get; }
    public WebApplicationFactory<Program> Factory { get; }

    /// <summary>The base64 AES key put under <c>data-key</c> in the auth-proxy secret (unless left out).</summary>
    public static string DataKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    public HttpClient Client { get; }
    public IServiceProvider Services => Factory.Services;

    public static string SecretOf(string clientId) => "secret-of-" + clientId;

    public static async Task<AuthProxyHost> StartAsync(bool withKeys = true, IReadOnlyDictionary<string, string?>? extra = null,
        Action<IServiceCollection>? services = null, bool withDataKey = true)
    {
        var sidecar = await FakeDaprSidecar.StartAsync();
        if (withKeys)
        {
            using var signing = RSA.Create(2048);
            using var encryption = RSA.Create(2048);
            var secret = new Dictionary<string, string>
            {
                [SigningKeyRing.SigningKey] = signing.ExportPkcs8PrivateKeyPem(),
                [SigningKeyRing.EncryptionKey] = encryption.ExportPkcs8PrivateKeyPem(),
                [SigningKeyRing.ClientSecretPrefix + AdminA] = SecretOf(AdminA),
                [SigningKeyRing.ClientSecretPrefix + ReaderA] = SecretOf(ReaderA),
                [SigningKeyRing.ClientSecretPrefix + AdminB] = SecretOf(AdminB),
                [SigningKeyRing.ClientSecretPrefix + Platform] = SecretOf(Platform),
                [SigningKeyRing.ClientSecretPrefix + Operator] = SecretOf(Operator),
            };
            if (withDataKey) secret[Mfa.SecretBox.SecretEntry] = DataKey;
            sidecar.SetSecret(DaprNames.SecretStore, SigningKeyRing.SecretName, secret);
        }
        var settings = new Dictionary<string, string?>
        {
            ["AuthProxy:Clients:0:ClientId"] = AdminA,
            ["AuthProxy:Clients:0:TenantId"] = TenantA,
            ["AuthProxy:Clients:1:ClientId"] = ReaderA,
            ["AuthProxy:Clients:1:TenantId"] = TenantA,
            ["AuthProxy:Clients:2:ClientId"] = AdminB,
            ["AuthProxy:Clients:2:TenantId"] = TenantB,
            ["AuthProxy:Clients:3:ClientId"] = Platform,
            ["AuthProxy:Clients:3:ResourceServer"] = "true",
            ["AuthProxy:Clients:4:ClientId"] = Operator,
            ["AuthProxy:Clients:4:TenantId"] = ScorpiusTenants.Platform,
        };
        foreach (var (i, client) in new[] { (0, AdminA), (2, AdminB), (4, Operator) })
        for (var s = 0; s < Scorpius.Contracts.Permissions.All.Count; s++)
            settings[$"AuthProxy:Clients:{i}:Scopes:{s}"] = Scorpius.Contracts.Permissions.All[s];
        settings["AuthProxy:Clients:1:Scopes:0"] = Scorpius.Contracts.Permissions.WalletsRead;
        settings["AuthProxy:Clients:1:Scopes:1"] = Scorpius.Contracts.Permissions.LedgerRead;
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        var root = new ScorpiusAppFactory<Program>(sidecar, settings);
        WebApplicationFactory<Program> factory = services is null ? root : root.WithWebHostBuilder(b => b.ConfigureTestServices(services));
        return new AuthProxyHost(sidecar, root, factory);
    }

    public async Task<HttpResponseMessage> RequestTokenAsync(string clientId, string? secret = null, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret ?? SecretOf(clientId) };
        if (scope is not null) form["scope"] = scope;
        return await Client.PostAsync("/connect/token", new FormUrlEncodedContent(form));
    }

    public async Task<string> TokenAsync(string clientId, string? scope = null)
    {
        var response = await RequestTokenAsync(clientId, scope: scope);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.True(response.IsSuccessStatusCode, body?.ToJsonString());
        return body!["access_token"]!.GetValue<string>();
    }

    public async Task<JsonObject> IntrospectAsync(string token, string clientId = Platform)
    {
        var response = await Client.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["client_id"] = clientId, ["client_secret"] = SecretOf(clientId),
        }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>A client that keeps cookies (the login session) and does not follow redirects (the authorization response).</summary>
    public HttpClient Browser() => Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public HttpClient Authorized(string token)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        if (!ReferenceEquals(Factory, root)) await root.DisposeAsync();
        await Sidecar.DisposeAsync();
    }
}
