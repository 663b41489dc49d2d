using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Scorpius.AuthProxy.Identity;

namespace Scorpius.AuthProxy.Tests;

/// <summary>The OpenIddict token server over real HTTP: discovery, JWKS, client credentials, introspection, revocation.</summary>
public sealed class TokenServerTests
{
    [Fact]
    public async Task Discovery_and_jwks_describe_the_client_credentials_server()
    {
        await using var host = await AuthProxyHost.StartAsync();

        var discovery = await host.Client.GetFromJsonAsync<JsonObject>("/.well-known/openid-configuration");
        Assert.EndsWith("/connect/token", discovery!["token_endpoint"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith("/connect/introspect", discovery["introspection_endpoint"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith("/connect/revoke", discovery["revocation_endpoint"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["authorization_code", "client_credentials", "refresh_token"],
            discovery["grant_types_supported"]!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal(AuthDefaults.Issuer.AbsoluteUri, discovery["issuer"]!.GetValue<string>());
        Assert.EndsWith("/connect/authorize", discovery["authorization_endpoint"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["S256"], discovery["code_challenge_methods_supported"]!.AsArray().Select(n => n!.GetValue<string>()));
        var scopes = discovery["scopes_supported"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        Assert.All(Permissions.All, p => Assert.Contains(p, scopes));

        var jwks = await host.Client.GetFromJsonAsync<JsonObject>(new Uri(discovery["jwks_uri"]!.GetValue<string>()).PathAndQuery);
        var key = Assert.Single(jwks!["keys"]!.AsArray())!;
        Assert.Equal("RSA", key["kty"]!.GetValue<string>());
        Assert.Equal("sig", key["use"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(key["kid"]?.GetValue<string>()));
        Assert.Null(key["d"]);
    }

    [Fact]
    public async Task A_client_credentials_token_is_issued_and_introspection_accepts_it_with_tenant_and_scopes()
    {
        await using var host = await AuthProxyHost.StartAsync();

        var response = await host.RequestTokenAsync(AuthProxyHost.ReaderA, scope: Permissions.WalletsRead);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Bearer", body!["token_type"]!.GetValue<string>());
        Assert.InRange(body["expires_in"]!.GetValue<int>(), 1, 900);

        // The platform's resource server introspects it, as a service receiving the token would.
        var introspection = await host.IntrospectAsync(body["access_token"]!.GetValue<string>());
        Assert.True(introspection["active"]!.GetValue<bool>());
        Assert.Equal(AuthProxyHost.ReaderA, introspection["sub"]!.GetValue<string>());
        Assert.Equal(AuthProxyHost.TenantA, introspection["tenant_id"]!.GetValue<string>());
        Assert.Equal(Permissions.WalletsRead, introspection["scope"]!.GetValue<string>());
        Assert.Equal(AuthProxyHost.ReaderA, introspection["client_id"]!.GetValue<string>());
        // Every platform app is an audience, so each can introspect (or validate offline) any token.
        Assert.Equal(AuthDefaults.Audiences.Order(StringComparer.Ordinal), introspection["aud"]!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal));

        // A platform app is also a service client (appsettings.json ServiceClients): its token belongs to the platform tenant.
        var platform = await host.RequestTokenAsync(AuthProxyHost.Platform);
        Assert.Equal(HttpStatusCode.OK, platform.StatusCode);
        var service = await host.IntrospectAsync((await platform.Content.ReadFromJsonAsync<JsonObject>())!["access_token"]!.GetValue<string>());
        Assert.Equal(ScorpiusTenants.Platform, service["tenant_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_a_scope_parameter_the_token_carries_every_scope_the_client_is_allowed()
    {
        await using var host = await AuthProxyHost.StartAsync();
        var introspection = await host.IntrospectAsync(await host.TokenAsync(AuthProxyHost.ReaderA));
        Assert.Equal([Permissions.LedgerRead, Permissions.WalletsRead],
            introspection["scope"]!.GetValue<string>().Split(' ').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_wrong_secret_an_unknown_client_and_a_scope_not_granted_are_refused()
    {
        await using var host = await AuthProxyHost.StartAsync();

        var wrongSecret = await host.RequestTokenAsync(AuthProxyHost.ReaderA, secret: "not-the-secret");
        Assert.Equal("invalid_client", (await wrongSecret.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        var unknown = await host.RequestTokenAsync("nobody", secret: "x");
        Assert.Equal("invalid_client", (await unknown.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        var notGranted = await host.RequestTokenAsync(AuthProxyHost.ReaderA, scope: Permissions.WalletsWrite);
        Assert.Equal(HttpStatusCode.BadRequest, notGranted.StatusCode);
        var notGrantedBody = (await notGranted.Content.ReadFromJsonAsync<JsonObject>())!;
        // OpenIddict answers a known scope the client may not use with invalid_request (ID2051), an unknown one with invalid_scope.
        Assert.Equal("ID2051", notGrantedBody["error_uri"]!.GetValue<string>().Split('/')[^1]);
        var unknownScope = await host.RequestTokenAsync(AuthProxyHost.ReaderA, scope: "wallets:delete");
        Assert.Equal("invalid_scope", (await unknownScope.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        var password = await host.Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password", ["username"] = "u", ["password"] = "p",
            ["client_id"] = AuthProxyHost.ReaderA, ["client_secret"] = AuthProxyHost.SecretOf(AuthProxyHost.ReaderA),
        }));
        Assert.Equal("unsupported_grant_type", (await password.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_revoked_token_is_inactive_at_introspection_and_refused_by_the_api()
    {
        await using var host = await AuthProxyHost.StartAsync();
        var token = await host.TokenAsync(AuthProxyHost.AdminA);
        using var api = host.Authorized(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/v1/api-keys")).StatusCode);

        var revoke = await host.Client.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token, ["client_id"] = AuthProxyHost.AdminA, ["client_secret"] = AuthProxyHost.SecretOf(AuthProxyHost.AdminA),
        }));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);

        Assert.False((await host.IntrospectAsync(token))["active"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/v1/api-keys")).StatusCode);
    }

    [Fact]
    public async Task Another_clients_token_is_not_introspected_for_it()
    {
        await using var host = await AuthProxyHost.StartAsync();
        var token = await host.TokenAsync(AuthProxyHost.AdminA);
        Assert.True((await host.IntrospectAsync(token))["active"]!.GetValue<bool>());
        Assert.False((await host.IntrospectAsync(token, AuthProxyHost.AdminB))["active"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Malformed_and_missing_tokens_are_refused_by_the_api()
    {
        await using var host = await AuthProxyHost.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Client.GetAsync("/v1/api-keys")).StatusCode);
        using var garbage = host.Authorized("not.a.token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await garbage.GetAsync("/v1/api-keys")).StatusCode);
    }

    [Fact]
    public async Task A_previous_signing_key_in_the_secret_store_is_published_beside_the_current_one()
    {
        await using var host = await AuthProxyHost.StartAsync();
        // Keys are read on the first identity request, so the secret can still be changed here.
        using var previous = System.Security.Cryptography.RSA.Create(2048);
        var secret = new Dictionary<string, string>(await host.Sidecar.CreateClient().GetSecretAsync(Scorpius.Contracts.DaprNames.SecretStore, Keys.SigningKeyRing.SecretName))
        {
            [Keys.SigningKeyRing.PreviousSigningKey] = previous.ExportPkcs8PrivateKeyPem(),
        };
        host.Sidecar.SetSecret(Scorpius.Contracts.DaprNames.SecretStore, Keys.SigningKeyRing.SecretName, secret);

        var jwks = await host.Client.GetFromJsonAsync<JsonObject>("/.well-known/jwks");
        var kids = jwks!["keys"]!.AsArray().Select(k => k!["kid"]!.GetValue<string>()).ToArray();
        Assert.Equal(2, kids.Distinct().Count());
        Assert.True((await host.IntrospectAsync(await host.TokenAsync(AuthProxyHost.ReaderA)))["active"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Without_keys_in_the_secret_store_token_routes_answer_503_and_health_stays_ready()
    {
        await using var host = await AuthProxyHost.StartAsync(withKeys: false);

        var token = await host.RequestTokenAsync(AuthProxyHost.AdminA);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, token.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Client.GetAsync("/.well-known/jwks")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/health/ready")).StatusCode);
        Assert.Contains(host.Sidecar.Calls, c => c.Method == "GetSecret");
    }
}
