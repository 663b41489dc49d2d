using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Scorpius.Contracts;
using Scorpius.Platform.Tests.Smoke;
using Scorpius.ServiceDefaults.Security;
using Scorpius.Testing.Identity;
using Scorpius.Testing.Sidecar;
using Xunit.Abstractions;

namespace Scorpius.Platform.Tests.Auth;

/// <summary>
/// The auth matrix. Every app runs in process behind one fake sidecar, with the real auth-proxy as the token server.
/// Every endpoint is found twice: from the app's routing table (each must declare how it is protected) and from its
/// OpenAPI document (each operation is called with a table of wrong credentials and must answer 401 or 403; the right
/// principal must get past authorization). A new endpoint without a declaration fails <see cref="Every_endpoint_of_every_app_declares_its_protection"/>.
/// </summary>
public sealed class AuthMatrixTests(MatrixPlatform platform, ITestOutputHelper output) : IClassFixture<MatrixPlatform>
{
    /// <summary>
    /// Endpoints open to anyone ("{app or *} {methods} {route}"): the short explicit list. Adding one means adding it here,
    /// on purpose. Probes, the API description and its page are public in every app; auth-proxy's sign-in endpoints
    /// authenticate what they are given themselves (client secrets, passwords, codes, cookies, challenges).
    /// </summary>
    private static readonly IReadOnlySet<string> PublicEndpoints = new HashSet<string>(StringComparer.Ordinal)
    {
        "* * /health/live", "* * /health/ready", "* GET /openapi/{documentName}.json", "* GET /scalar/{documentName?}",
        "* GET /scalar/scalar.js", "* GET /scalar/scalar.aspnetcore.js", "* GET /scalar/favicon.svg",
        "wallet-guard * /healthz",
        "auth-proxy POST /connect/token", "auth-proxy GET,POST /connect/authorize", "auth-proxy GET /v1/me", "auth-proxy POST /v1/logout",
        "auth-proxy POST /v1/login/", "auth-proxy POST /v1/login/mfa", "auth-proxy POST /v1/login/mfa/sms", "auth-proxy POST /v1/login/mfa/webauthn/options",
        "auth-proxy POST /v1/mfa/totp", "auth-proxy POST /v1/mfa/totp/confirm", "auth-proxy POST /v1/mfa/recovery-codes",
        "auth-proxy POST /v1/mfa/webauthn/register/options", "auth-proxy POST /v1/mfa/webauthn/register",
    };

    /// <summary>Public endpoints that authenticate a credential of their own: without one, or with a forged token, they answer 401.</summary>
    public static IEnumerable<object[]> SelfAuthenticating => new[]
    {
        ("GET", "/v1/me"), ("GET", "/connect/authorize?client_id=scorpius-dashboard&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&scope=wallets%3Aread"),
        ("POST", "/v1/mfa/totp"), ("POST", "/v1/mfa/totp/confirm"), ("POST", "/v1/mfa/recovery-codes"),
        ("POST", "/v1/mfa/webauthn/register/options"), ("POST", "/v1/mfa/webauthn/register"),
    }.Select(e => new object[] { e.Item1, e.Item2 });

    [Theory]
    [MemberData(nameof(SelfAuthenticating))]
    public async Task Self_authenticating_public_endpoints_refuse_missing_and_forged_credentials(string method, string path)
    {
        var app = platform.Apps[ScorpiusApps.AuthProxyId];
        var forged = platform.Forger.Token(new TokenSpec(MatrixPlatform.TenantA, [.. Permissions.All]), signWith: TestIdentity.NewKey());
        foreach (var credential in new[] { null, forged, "not.a.jwt", platform.RevokedToken })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (credential is not null) request.Headers.Authorization = new("Bearer", credential);
            if (method == "POST") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            var status = (await app.Plain.SendAsync(request)).StatusCode;
            Assert.True(status == HttpStatusCode.Unauthorized, $"{method} {path} with {(credential is null ? "nothing" : credential[..Math.Min(12, credential.Length)])}: {(int)status}");
        }
    }

    [Fact]
    public void Every_endpoint_of_every_app_declares_its_protection()
    {
        var undeclared = new List<string>();
        var unexpectedPublic = new List<string>();
        var listedPublic = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (appId, app) in platform.Apps)
        {
            foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
            {
                var metadata = endpoint.Metadata;
                var name = $"{string.Join(',', metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["*"])} /{endpoint.RoutePattern.RawText?.TrimStart('/')}";
                if (metadata.GetMetadata<PublicEndpointMetadata>() is not null)
                {
                    if (!PublicEndpoints.Contains("* " + name) && !PublicEndpoints.Contains($"{appId} {name}")) unexpectedPublic.Add($"{appId} {name}");
                    listedPublic.Add(PublicEndpoints.Contains("* " + name) ? "* " + name : $"{appId} {name}");
                    continue;
                }
                var declared = metadata.GetMetadata<RequiredScopeMetadata>() is not null || metadata.GetMetadata<DaprCallbackMetadata>() is not null
                    || metadata.GetMetadata<AnyPrincipalMetadata>() is not null;
                if (!declared) undeclared.Add($"{appId} {name}");
            }
        }
        Assert.True(undeclared.Count == 0, "Endpoints that declare no scope, principal or Dapr-callback requirement:\n" + string.Join('\n', undeclared));
        Assert.True(unexpectedPublic.Count == 0, "Public endpoints not on the explicit list:\n" + string.Join('\n', unexpectedPublic));
        // The list holds nothing stale either.
        Assert.Empty(PublicEndpoints.Except(listedPublic));
    }

    public static IEnumerable<object[]> Apps => ScorpiusApps.All.Select(a => new object[] { a.AppId });

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Every_operation_refuses_every_wrong_credential_and_admits_the_right_principal(string appId)
    {
        var app = platform.Apps[appId];
        var operations = await platform.OperationsAsync(appId);
        var failures = new List<string>();
        var covered = 0;
        foreach (var operation in operations)
        {
            if (operation.IsPublic) continue;
            covered++;
            foreach (var (name, credential, expected) in platform.WrongCredentials(operation))
            {
                var status = await platform.CallAsync(app, operation, credential, operation.Path(MatrixPlatform.TenantA));
                if (!expected.Contains(status)) failures.Add($"{operation}: {name} → {(int)status}, expected {string.Join(" or ", expected.Select(e => (int)e))}");
            }
            if (operation.TenantScoped)
            {
                // Tenant B's principal, holding every scope, names tenant A's resource.
                var status = await platform.CallAsync(app, operation, platform.TenantBAll, operation.Path(MatrixPlatform.TenantA));
                if (status is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)) failures.Add($"{operation}: another tenant's resource → {(int)status}");
            }
            var right = await platform.CallAsync(app, operation, platform.RightPrincipal(operation), operation.Path(MatrixPlatform.TenantA));
            if (right is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) failures.Add($"{operation}: the right principal → {(int)right}");
        }
        output.WriteLine($"{appId}: {covered} protected operations, {operations.Count(o => o.IsPublic)} public");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public async Task Dapr_callbacks_answer_only_the_app_API_token(string appId)
    {
        var app = platform.Apps[appId];
        var callbacks = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<DaprCallbackMetadata>() is not null).ToList();
        Assert.NotEmpty(callbacks); // at least /dapr/subscribe, /metrics and /health/deep
        foreach (var endpoint in callbacks)
        {
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods[0] ?? "GET";
            var path = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            foreach (var (what, header, bearer) in new[]
            {
                ("no token", (string?)null, (string?)null),
                ("a wrong app token", "wrong-app-token", null),
                ("a bearer token of every scope", null, platform.PlatformAll),
            })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (header is not null) request.Headers.Add(ScorpiusAuth.DaprApiTokenHeader, header);
                if (bearer is not null) request.Headers.Authorization = new("Bearer", bearer);
                var response = await app.Plain.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{appId} {method} {path} with {what}: {(int)response.StatusCode}");
            }
            using var sidecarCall = new HttpRequestMessage(new HttpMethod(method), path);
            sidecarCall.Headers.Add(ScorpiusAuth.DaprApiTokenHeader, platform.Sidecar.Options.AppApiToken);
            if (method != "GET") sidecarCall.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            var answered = await app.Plain.SendAsync(sidecarCall);
            Assert.True(answered.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{appId} {method} {path} with the app token: {(int)answered.StatusCode}");
        }
    }
}

/// <summary>One operation of an app's OpenAPI document.</summary>
public sealed record MatrixOperation(string AppId, string Method, string Template, string? Scope, bool IsPublic, bool PlatformOnly, bool TenantScoped)
{
    public string Path(string tenant) => Template
        .Replace("{tenantId}", tenant, StringComparison.Ordinal)
        .Replace("{index}", "0", StringComparison.Ordinal)
        .Replace("{eventId}", MatrixPlatform.SeededEventId, StringComparison.Ordinal)
        is var path && path.Contains('{') ? System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", "matrix-none") : path;

    public override string ToString() => $"{AppId} {Method} {Template}";
}

/// <summary>All apps behind one fake sidecar; auth-proxy real, its keys and clients in the sidecar's secret store.</summary>
public sealed class MatrixPlatform : IAsyncLifetime
{
    public const string TenantA = "tenant-a";
    public const string TenantB = "tenant-b";
    public const string SeededEventId = "matrix-evt-1";
    private const string AllA = "matrix-a-all", AllB = "matrix-b-all", PlatformClient = "matrix-platform", ViewerA = "matrix-a-viewer";

    private readonly Dictionary<string, (string Tenant, string[] Scopes)> clients = new()
    {
        [AllA] = (TenantA, [.. Permissions.All]),
        [AllB] = (TenantB, [.. Permissions.All]),
        [PlatformClient] = (ScorpiusTenants.Platform, [.. Permissions.All]),
        [ViewerA] = (TenantA, [.. Roles.Viewer]),
    };
    private readonly Dictionary<string, List<MatrixOperation>> operations = new();
    private RsaSecurityKey signingKey = null!;
    private string folder = "";

    public FakeDaprSidecar Sidecar { get; private set; } = null!;
    public Dictionary<string, MatrixApp> Apps { get; } = new(StringComparer.Ordinal);
    public TestIdentity Forger { get; private set; } = null!;
    public string TenantAAll { get; private set; } = "";
    public string TenantBAll { get; private set; } = "";
    public string PlatformAll { get; private set; } = "";
    public string ViewerToken { get; private set; } = "";
    public string RevokedToken { get; private set; } = "";
    public string RevokedApiKey { get; private set; } = "";

    /// <summary>The Viewer role's scopes: the "wrong role" principal of the matrix.</summary>
    public static class Roles
    {
        public static readonly string[] Viewer = [Permissions.WalletsRead];
    }

    public async Task InitializeAsync()
    {
        Sidecar = await FakeDaprSidecar.StartAsync();
        using var rsa = RSA.Create(2048);
        signingKey = new RsaSecurityKey(RSA.Create(rsa.ExportParameters(true)));
        signingKey.KeyId = Base64UrlEncoder.Encode(signingKey.ComputeJwkThumbprint());
        using var encryption = RSA.Create(2048);
        var secret = new Dictionary<string, string>
        {
            ["signing-key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["encryption-key"] = encryption.ExportPkcs8PrivateKeyPem(),
            ["data-key"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };
        foreach (var id in clients.Keys) secret["client-" + id] = "secret-" + id;
        Sidecar.SetSecret(DaprNames.SecretStore, "auth-proxy", secret);
        Sidecar.SetSecret(DaprNames.SecretStore, "notifications", new Dictionary<string, string> { ["webhookSecretsKey"] = "matrix-webhook-secrets-key" });
        Forger = new TestIdentity(signingKey);

        folder = Directory.CreateTempSubdirectory("scorpius-matrix-").FullName;
        var authSettings = new Dictionary<string, string?>();
        var i = 0;
        foreach (var (id, (tenant, scopes)) in clients)
        {
            authSettings[$"AuthProxy:Clients:{i}:ClientId"] = id;
            authSettings[$"AuthProxy:Clients:{i}:TenantId"] = tenant;
            for (var s = 0; s < scopes.Length; s++) authSettings[$"AuthProxy:Clients:{i}:Scopes:{s}"] = scopes[s];
            i++;
        }
        foreach (var app in ScorpiusApps.All)
        {
            var settings = app.AppId switch
            {
                ScorpiusApps.AuthProxyId => authSettings,
                ScorpiusApps.AuditTrailId => new Dictionary<string, string?> { ["AuditTrail:SqlitePath"] = Path.Combine(folder, "audit.db") },
                _ => new Dictionary<string, string?>(),
            };
            var started = AppUnderTest.Start(app.AppId, Sidecar, settings);
            started.Client.DefaultRequestHeaders.Remove(ScorpiusAuth.DaprApiTokenHeader);
            Apps[app.AppId] = new MatrixApp(started);
            Sidecar.AddApp(app.AppId, started.Client);
        }

        TenantAAll = await TokenAsync(AllA);
        TenantBAll = await TokenAsync(AllB);
        PlatformAll = await TokenAsync(PlatformClient);
        ViewerToken = await TokenAsync(ViewerA);
        RevokedToken = await TokenAsync(AllA);
        var revoke = await Apps[ScorpiusApps.AuthProxyId].Plain.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = RevokedToken, ["client_id"] = AllA, ["client_secret"] = "secret-" + AllA,
        }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        RevokedApiKey = await RevokedApiKeyAsync();
        // Real tokens of tenant A, each holding every scope but one (asked for with the scope parameter).
        foreach (var scope in Permissions.All) MissingScope[scope] = await TokenAsync(AllA, string.Join(' ', Permissions.All.Where(s => s != scope)));

        // Tenant A owns ledger entry 0 (and its event id), so "another tenant's resource" has something to point at.
        var audit = FakePubSub.CreateCloudEvent(DaprNames.PubSub, DaprNames.Topics.Audit, JsonSerializer.SerializeToNode(
            new AuditEvent(TenantA, "matrix", "policy.update", "policy/p1", "success", null, new Dictionary<string, string>(), DateTimeOffset.UtcNow),
            new JsonSerializerOptions(JsonSerializerDefaults.Web)), id: SeededEventId);
        var delivered = await Sidecar.PubSub.DeliverOnceAsync(ScorpiusApps.AuditTrailId, DaprNames.PubSub, DaprNames.Topics.Audit, audit);
        Assert.Equal(DeliveryStatus.Success, delivered.Status);
    }

    /// <summary>For each scope, a real token of tenant A holding every other scope.</summary>
    public Dictionary<string, string> MissingScope { get; } = new(StringComparer.Ordinal);

    private async Task<string> TokenAsync(string clientId, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = "secret-" + clientId };
        if (scope is not null) form["scope"] = scope;
        var response = await Apps[ScorpiusApps.AuthProxyId].Plain.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token for {clientId}: {body}");
        return JsonNode.Parse(body)!["access_token"]!.GetValue<string>();
    }

    private async Task<string> RevokedApiKeyAsync()
    {
        var auth = Apps[ScorpiusApps.AuthProxyId];
        using var create = new HttpRequestMessage(HttpMethod.Post, "/v1/api-keys")
        {
            Content = JsonContent.Create(new { name = "matrix", environment = "test", scopes = Permissions.All, expiresInDays = 1 }),
        };
        create.Headers.Authorization = new("Bearer", TenantAAll);
        var created = await auth.Plain.SendAsync(create);
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var key = JsonNode.Parse(body)!;
        using var revoke = new HttpRequestMessage(HttpMethod.Delete, $"/v1/api-keys/{key["apiKey"]!["id"]!.GetValue<string>()}");
        revoke.Headers.Authorization = new("Bearer", TenantAAll);
        Assert.Equal(HttpStatusCode.NoContent, (await auth.Plain.SendAsync(revoke)).StatusCode);
        return key["key"]!.GetValue<string>();
    }

    public string RightPrincipal(MatrixOperation operation) => operation.PlatformOnly ? PlatformAll : TenantAAll;

    /// <summary>The wrong credentials and what each must get: 401 for every broken, forged or dead credential, 403 for a principal lacking the scope.</summary>
    public IEnumerable<(string Name, string? Credential, HttpStatusCode[] Expected)> WrongCredentials(MatrixOperation operation)
    {
        HttpStatusCode[] unauthorized = [HttpStatusCode.Unauthorized];
        var spec = new TokenSpec(TenantA, [.. Permissions.All]) { Subject = AllA };
        yield return ("no credentials", null, unauthorized);
        yield return ("a malformed token", "not.a.jwt", unauthorized);
        yield return ("a token signed by another key", Forger.Token(spec, signWith: TestIdentity.NewKey()), unauthorized);
        yield return ("an alg:none token", Forger.Token(spec, unsigned: true), unauthorized);
        yield return ("an expired token", Forger.Token(spec with { ExpiresIn = TimeSpan.FromMinutes(-5) }), unauthorized);
        yield return ("a token not yet valid", Forger.Token(spec with { NotBeforeIn = TimeSpan.FromMinutes(10), ExpiresIn = TimeSpan.FromMinutes(20) }), unauthorized);
        yield return ("a token of another issuer", Forger.Token(spec with { Issuer = "https://evil.example/" }), unauthorized);
        yield return ("a token for another audience", Forger.Token(spec with { Audiences = ["some-other-api"] }), unauthorized);
        yield return ("a revoked token", RevokedToken, unauthorized);
        yield return ("a revoked API key", RevokedApiKey, unauthorized);
        yield return ("a malformed API key", "scp_live_short", unauthorized);
        yield return ("a token signed with auth-proxy's own key but never issued by it", Forger.Token(spec), unauthorized);
        if (operation.Scope is { } scope)
        {
            yield return ("a token missing the scope", MissingScope[scope], [HttpStatusCode.Forbidden]);
            if (!Roles.Viewer.Contains(scope)) yield return ("a principal of the wrong role (Viewer)", ViewerToken, [HttpStatusCode.Forbidden]);
        }
        if (operation.PlatformOnly) yield return ("a principal of a customer tenant", TenantAAll, [HttpStatusCode.Forbidden]);
    }

    public async Task<HttpStatusCode> CallAsync(MatrixApp app, MatrixOperation operation, string? credential, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(operation.Method), path);
        if (credential is not null) request.Headers.Authorization = new("Bearer", credential);
        if (operation.Method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await app.Plain.SendAsync(request);
        return response.StatusCode;
    }

    public async Task<IReadOnlyList<MatrixOperation>> OperationsAsync(string appId)
    {
        if (operations.TryGetValue(appId, out var known)) return known;
        var document = JsonNode.Parse(await Apps[appId].Plain.GetStringAsync("/openapi/v1.json"))!;
        var endpoints = Apps[appId].Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var list = new List<MatrixOperation>();
        foreach (var (template, item) in document["paths"]!.AsObject())
        foreach (var (method, _) in item!.AsObject())
        {
            var verb = method.ToUpperInvariant();
            if (verb is "PARAMETERS" or "SUMMARY" or "DESCRIPTION") continue;
            var endpoint = endpoints.Single(e => Matches(e, verb, template));
            var metadata = endpoint.Metadata;
            list.Add(new MatrixOperation(appId, verb, template,
                metadata.GetMetadata<RequiredScopeMetadata>()?.Scope,
                metadata.GetMetadata<PublicEndpointMetadata>() is not null,
                metadata.GetMetadata<PlatformTenantMetadata>() is not null,
                metadata.GetMetadata<TenantRouteMetadata>() is not null || template.Contains("{index}", StringComparison.Ordinal) || template.Contains("{eventId}", StringComparison.Ordinal)));
        }
        operations[appId] = list;
        return list;
    }

    private static bool Matches(RouteEndpoint endpoint, string verb, string template)
    {
        var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods;
        if (methods is not null && !methods.Contains(verb)) return false;
        var raw = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
        // OpenAPI drops route constraints ({index:long} → {index}) and a trailing slash of group roots.
        var normalized = System.Text.RegularExpressions.Regex.Replace(raw, @"\{([^}:?]+)(:[^}]+)?\??\}", "{$1}").TrimEnd('/');
        return string.Equals(normalized, template.TrimEnd('/'), StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        foreach (var app in Apps.Values) await app.DisposeAsync();
        await Sidecar.DisposeAsync();
        Forger.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>An app of the matrix: its services, and a client that sends no credential of its own.</summary>
public sealed class MatrixApp(AppUnderTest app) : IAsyncDisposable
{
    public HttpClient Plain { get; } = app.Client;
    public IServiceProvider Services => app.Services;
    public ValueTask DisposeAsync() => app.DisposeAsync();
}
