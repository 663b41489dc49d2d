using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Scorpius.AuthProxy.Users;

namespace Scorpius.AuthProxy.Tests;

/// <summary>Users, logins and the dashboard's authorization code flow, as a test drives them over HTTP.</summary>
public static class IdentityClient
{
    public const string Password = "correct horse battery staple";
    public const string Dashboard = DashboardOptions.DefaultClientId;
    public const string RedirectUri = "http://localhost:3000/callback";

    public static async Task<UserView> CreateUserAsync(AuthProxyHost host, string email, string[] roles, string? phone = null, string admin = AuthProxyHost.AdminA)
    {
        using var client = host.Authorized(await host.TokenAsync(admin));
        var response = await client.PostAsJsonAsync("/v1/users", new CreateUserRequest(email, "User " + email, Password, roles, "treasury", "internal", phone, "test setup"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<UserView>())!;
    }

    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password = Password, string tenant = AuthProxyHost.TenantA) =>
        await client.PostAsJsonAsync("/v1/login", new { tenant, email, password });

    public static async Task<JsonObject> LoginAsync(HttpClient client, string email, string password = Password, string tenant = AuthProxyHost.TenantA)
    {
        var response = await PostLoginAsync(client, email, password, tenant);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static async Task<HttpResponseMessage> MfaAsync(HttpClient client, string challenge, string method, string? code = null, JsonNode? assertion = null) =>
        await client.PostAsJsonAsync("/v1/login/mfa", new JsonObject { ["challenge"] = challenge, ["method"] = method, ["code"] = code, ["assertion"] = assertion });

    /// <summary>Runs /connect/authorize with PKCE (S256) on a logged-in browser and redeems the code: the token response.</summary>
    public static async Task<JsonObject> CodeFlowAsync(AuthProxyHost host, HttpClient browser, string scope)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var url = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = Dashboard, ["response_type"] = "code", ["redirect_uri"] = RedirectUri, ["scope"] = scope,
            ["code_challenge"] = challenge, ["code_challenge_method"] = "S256", ["state"] = "state-1",
        });
        var authorize = await browser.GetAsync(url);
        Assert.True(authorize.StatusCode == HttpStatusCode.Redirect, $"{authorize.StatusCode}: {await authorize.Content.ReadAsStringAsync()}");
        var location = authorize.Headers.Location!;
        Assert.StartsWith(RedirectUri, location.AbsoluteUri, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("state-1", query["state"].ToString());

        var token = await host.Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = query["code"].ToString(), ["redirect_uri"] = RedirectUri,
            ["client_id"] = Dashboard, ["code_verifier"] = verifier,
        }));
        var body = (await token.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(token.IsSuccessStatusCode, body.ToJsonString());
        return body;
    }

    public static async Task<HttpResponseMessage> RefreshAsync(AuthProxyHost host, string refreshToken) =>
        await host.Client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["client_id"] = Dashboard,
        }));

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromBase64Url(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
