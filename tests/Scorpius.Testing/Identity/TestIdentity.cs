using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Scorpius.Contracts;
using Scorpius.Testing.Sidecar;

namespace Scorpius.Testing.Identity;

/// <summary>What to put in a test access token; every default is what auth-proxy issues.</summary>
public sealed record TokenSpec(string TenantId, IReadOnlyList<string> Scopes)
{
    public string Subject { get; init; } = "test-client";
    public IReadOnlyList<string> Roles { get; init; } = [];
    public string Issuer { get; init; } = AuthDefaults.Issuer.AbsoluteUri;
    public IReadOnlyList<string> Audiences { get; init; } = AuthDefaults.Audiences;
    public TimeSpan ExpiresIn { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan NotBeforeIn { get; init; } = TimeSpan.Zero;
    public string TokenType { get; init; } = "at+jwt";
}

/// <summary>
/// Stands in for auth-proxy behind a <see cref="FakeDaprSidecar"/>: serves a JWKS and <c>GET /v1/me</c> as the real token
/// server does, signs access tokens with its own RSA key, and knows API keys and revocations. Apps under test validate
/// these tokens exactly as they validate auth-proxy's (the platform tests also run the real auth-proxy).
/// </summary>
public sealed class TestIdentity : IDisposable
{
    private readonly RsaSecurityKey key;
    private readonly JsonWebTokenHandler handler = new() { SetDefaultTimesOnTokenCreation = false, MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, byte> revoked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string TenantId, IReadOnlyList<string> Scopes, bool Active)> apiKeys = new(StringComparer.Ordinal);
    private readonly HttpClient client;
    private int meCalls;
    private int tokenCalls;

    public TestIdentity(RsaSecurityKey? signingKey = null)
    {
        key = signingKey ?? NewKey();
        client = new HttpClient(new Handler(this)) { BaseAddress = new Uri("http://auth-proxy") };
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<FakeDaprSidecar, TestIdentity> Registered = new();

    /// <summary>The stand-in registered as app-id auth-proxy on <paramref name="sidecar"/> (registered on first use).</summary>
    public static TestIdentity On(FakeDaprSidecar sidecar) => Registered.GetValue(sidecar, s =>
    {
        var identity = new TestIdentity();
        s.AddApp(ScorpiusApps.AuthProxyId, identity.client);
        return identity;
    });

    /// <summary>A token of <paramref name="tenantId"/> holding every permission of the platform.</summary>
    public string AllScopes(string tenantId) => Token(tenantId, [.. Permissions.All]);

    /// <summary>Makes <paramref name="client"/> send <paramref name="token"/> as its bearer credential; returns the client.</summary>
    public static HttpClient Authorize(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>How many service tokens apps asked for at <c>/connect/token</c>.</summary>
    public int TokenCalls => tokenCalls;

    /// <summary>How many times apps asked <c>/v1/me</c>.</summary>
    public int MeCalls => meCalls;

    public static RsaSecurityKey NewKey()
    {
        var rsa = RSA.Create(2048);
        var k = new RsaSecurityKey(rsa);
        k.KeyId = Base64UrlEncoder.Encode(k.ComputeJwkThumbprint());
        return k;
    }

    public string Token(string tenantId, params string[] scopes) => Token(new TokenSpec(tenantId, scopes));

    /// <summary>An access token; <paramref name="signWith"/> signs it with another key (a forgery), <paramref name="unsigned"/> makes it <c>alg: none</c>.</summary>
    public string Token(TokenSpec spec, SecurityKey? signWith = null, bool unsigned = false)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            [ScorpiusClaims.Subject] = spec.Subject,
            [ScorpiusClaims.TenantId] = spec.TenantId,
            [ScorpiusClaims.Scope] = string.Join(' ', spec.Scopes),
            ["aud"] = spec.Audiences.ToArray(),
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (spec.Roles.Count > 0) claims[ScorpiusClaims.Role] = spec.Roles.ToArray();
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = spec.Issuer,
            Claims = claims,
            IssuedAt = (now + spec.NotBeforeIn - TimeSpan.FromSeconds(1)).UtcDateTime,
            NotBefore = (now + spec.NotBeforeIn).UtcDateTime,
            Expires = (now + spec.ExpiresIn).UtcDateTime,
            TokenType = spec.TokenType,
        };
        if (spec.ExpiresIn <= TimeSpan.Zero) descriptor.IssuedAt = descriptor.NotBefore = (now + spec.ExpiresIn - TimeSpan.FromHours(1)).UtcDateTime;
        if (!unsigned) descriptor.SigningCredentials = new SigningCredentials(signWith ?? key, SecurityAlgorithms.RsaSha256);
        return handler.CreateToken(descriptor);
    }

    /// <summary>auth-proxy answers <c>/v1/me</c> for this token with 401 from now on.</summary>
    public void Revoke(string credential) => revoked[credential] = 0;

    /// <summary>A well-formed API key of <paramref name="tenantId"/>, known to this stand-in.</summary>
    public string ApiKey(string tenantId, params string[] scopes)
    {
        var value = $"scp_test_{RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 16)}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))}";
        apiKeys[value] = (tenantId, scopes, true);
        return value;
    }

    public string Jwks()
    {
        var p = key.Rsa.ExportParameters(false);
        return System.Text.Json.JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = key.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } },
        });
    }

    private object? Describe(string credential)
    {
        if (revoked.ContainsKey(credential)) return null;
        if (apiKeys.TryGetValue(credential, out var apiKey))
            return new { active = true, kind = "api_key", sub = "api-key:test", tenant_id = apiKey.TenantId, scope = string.Join(' ', apiKey.Scopes), roles = Array.Empty<string>(), exp = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds() };
        var result = handler.ValidateTokenAsync(credential, new TokenValidationParameters
        {
            IssuerSigningKey = key, ValidateIssuer = false, ValidateAudience = false, ValidTypes = ["at+jwt"],
        }).GetAwaiter().GetResult();
        if (!result.IsValid) return null;
        var claims = result.ClaimsIdentity;
        return new
        {
            active = true, kind = "access_token", sub = claims.FindFirst(ScorpiusClaims.Subject)?.Value, tenant_id = claims.FindFirst(ScorpiusClaims.TenantId)?.Value,
            scope = claims.FindFirst(ScorpiusClaims.Scope)?.Value, roles = claims.FindAll(ScorpiusClaims.Role).Select(c => c.Value).ToArray(),
            exp = ((JsonWebToken)result.SecurityToken).ValidTo is var to ? new DateTimeOffset(to, TimeSpan.Zero).ToUnixTimeSeconds() : 0,
        };
    }

    public void Dispose()
    {
        client.Dispose();
        key.Rsa.Dispose();
    }

    private sealed class Handler(TestIdentity identity) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (request.Method == HttpMethod.Get && path == "/.well-known/jwks")
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(identity.Jwks(), System.Text.Encoding.UTF8, "application/json") });
            if (request.Method == HttpMethod.Get && path == "/v1/me")
            {
                Interlocked.Increment(ref identity.meCalls);
                var bearer = request.Headers.Authorization is { Scheme: "Bearer", Parameter: { } p } ? p : null;
                return Task.FromResult(bearer is not null && identity.Describe(bearer) is { } described
                    ? new HttpResponseMessage(HttpStatusCode.OK) { Content = JsonContent.Create(described) }
                    : new HttpResponseMessage(HttpStatusCode.Unauthorized));
            }
            if (request.Method == HttpMethod.Post && path == "/connect/token")
            {
                // Any client-credentials request: a platform service token holding every scope.
                Interlocked.Increment(ref identity.tokenCalls);
                var token = identity.Token(new TokenSpec(ScorpiusTenants.Platform, Permissions.All) { Subject = "service" });
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = JsonContent.Create(new { access_token = token, token_type = "Bearer", expires_in = 900 }),
                });
            }
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }
    }
}
