using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Scorpius.AuthProxy.Tests;

/// <summary>Access tokens are JWS that any app validates offline with the JWKS, issuer and its own app id as audience.</summary>
public sealed class AccessTokenTests
{
    public static async Task<TokenValidationResult> ValidateOfflineAsync(AuthProxyHost host, string token, string audience)
    {
        var jwks = new JsonWebKeySet(await host.Client.GetStringAsync("/.well-known/jwks"));
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = AuthDefaults.Issuer.AbsoluteUri,
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidateLifetime = true,
            ValidTypes = ["at+jwt"],
        });
    }

    [Fact]
    public async Task A_client_credentials_token_is_an_RS256_at_jwt_signed_not_encrypted_and_validates_against_the_jwks()
    {
        await using var host = await AuthProxyHost.StartAsync();
        var token = await host.TokenAsync(AuthProxyHost.ReaderA, Permissions.WalletsRead);

        var jwt = new JsonWebToken(token);
        Assert.Equal("at+jwt", jwt.Typ);
        Assert.Equal("RS256", jwt.Alg);
        Assert.False(jwt.IsEncrypted);

        foreach (var app in AuthDefaults.Audiences)
        {
            var result = await ValidateOfflineAsync(host, token, app);
            Assert.True(result.IsValid, result.Exception?.ToString());
        }
        var valid = await ValidateOfflineAsync(host, token, ScorpiusApps.AuditTrailId);
        Assert.Equal(AuthProxyHost.ReaderA, valid.Claims["sub"]);
        Assert.Equal(AuthProxyHost.TenantA, valid.Claims["tenant_id"]);
        Assert.Equal(Permissions.WalletsRead, valid.Claims["scope"]);

        Assert.False((await ValidateOfflineAsync(host, token, "some-other-api")).IsValid);
        var forged = token[..^4] + (token[^4] == 'A' ? "BBBB" : "AAAA");
        Assert.False((await ValidateOfflineAsync(host, forged, ScorpiusApps.AuditTrailId)).IsValid);
        var jwks = new JsonWebKeySet(await host.Client.GetStringAsync("/.well-known/jwks"));
        var wrongIssuer = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "https://elsewhere.example/", ValidAudience = ScorpiusApps.AuditTrailId, IssuerSigningKeys = jwks.GetSigningKeys(),
        });
        Assert.False(wrongIssuer.IsValid);
    }

    [Fact]
    public async Task The_issuer_is_configurable()
    {
        await using var host = await AuthProxyHost.StartAsync(extra: new Dictionary<string, string?> { ["AuthProxy:Issuer"] = "https://auth.scorpius.example/" });
        var discovery = await host.Client.GetFromJsonAsync<JsonObject>("/.well-known/openid-configuration");
        Assert.Equal("https://auth.scorpius.example/", discovery!["issuer"]!.GetValue<string>());
        Assert.Equal("https://auth.scorpius.example/", new JsonWebToken(await host.TokenAsync(AuthProxyHost.ReaderA)).Issuer);
    }
}
