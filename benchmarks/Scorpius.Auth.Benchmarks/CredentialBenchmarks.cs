using System.Net;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults.Security;

namespace Scorpius.Auth.Benchmarks;

/// <summary>
/// What every request of every app pays to authenticate. The floor is one RS256 signature check (<see cref="RsaVerifyFloor"/>),
/// which no JWT validation can beat; the rest is ours. auth-proxy is a loopback stand-in serving the sidecar's invoke routes
/// (JWKS and /v1/me), so the cold path includes a real HTTP round trip.
/// </summary>
[MemoryDiagnoser]
public class CredentialBenchmarks
{
    private WebApplication stub = null!;
    private ServiceProvider services = null!;
    private TokenValidator validator = null!;
    private ICredentialResolver resolver = null!;
    private CredentialStatus status = null!;
    private RSA rsa = null!;
    private string token = "";
    private string apiKey = "";
    private byte[] signingInput = [];
    private byte[] signature = [];
    private readonly JsonWebTokenHandler handler = new();
    private readonly DefaultHttpContext context = new();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        rsa = RSA.Create(2048);
        var key = new RsaSecurityKey(rsa) { KeyId = "bench" };
        var parameters = rsa.ExportParameters(false);
        var jwks = $$"""{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"bench","n":"{{Base64UrlEncoder.Encode(parameters.Modulus)}}","e":"{{Base64UrlEncoder.Encode(parameters.Exponent)}}"}]}""";
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var me = $$"""{"active":true,"kind":"access_token","sub":"bench","tenant_id":"tenant-a","scope":"assessments:write wallets:read","roles":[],"exp":{{exp}}}""";

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        stub = builder.Build();
        stub.MapGet("/v1.0/invoke/auth-proxy/method/.well-known/jwks", () => Results.Text(jwks, "application/json"));
        stub.MapGet("/v1.0/invoke/auth-proxy/method/v1/me", () => Results.Text(me, "application/json"));
        await stub.StartAsync();

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DAPR_HTTP_ENDPOINT"] = stub.Urls.Single(),
            ["DAPR_API_TOKEN"] = "",
            ["Auth:Audience"] = ScorpiusApps.WalletGuardId,
        }).Build();
        var collection = new ServiceCollection();
        collection.AddSingleton<IConfiguration>(configuration);
        collection.AddLogging();
        collection.AddSingleton(TimeProvider.System);
        collection.AddOptions<AuthSettings>().Bind(configuration.GetSection(AuthSettings.Section));
        collection.AddCredentialChecks();
        services = collection.BuildServiceProvider();
        validator = services.GetRequiredService<TokenValidator>();
        resolver = services.GetRequiredService<ICredentialResolver>();
        status = services.GetRequiredService<CredentialStatus>();

        token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthDefaults.Issuer.AbsoluteUri,
            TokenType = "at+jwt",
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "bench", ["tenant_id"] = "tenant-a", ["scope"] = "assessments:write wallets:read", ["aud"] = AuthDefaults.Audiences.ToArray(),
            },
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        var dot = token.LastIndexOf('.');
        signingInput = Encoding.ASCII.GetBytes(token[..dot]);
        signature = Base64UrlEncoder.DecodeBytes(token[(dot + 1)..]);
        apiKey = $"scp_live_{new string('a', 16)}_{new string('0', 64)}";

        // Warm: keys fetched, the token and the key known to be active.
        if (!(await validator.ValidateAsync(token, default)).IsValid) throw new InvalidOperationException("The benchmark token does not validate.");
        await WarmAccessTokenAsync();
        await WarmApiKeyAsync();
    }

    [Benchmark(Baseline = true, Description = "floor: one RS256 signature check")]
    public bool RsaVerifyFloor() => rsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    [Benchmark(Description = "parse the JWT only")]
    public JsonWebToken ParseOnly() => handler.ReadJsonWebToken(token);

    [Benchmark(Description = "validate the JWT locally (signature, iss, aud, lifetime, typ)")]
    public Task<TokenValidationResult> ValidateLocally() => validator.ValidateAsync(token, default);

    [Benchmark(Description = "access token per request (validated and status known: the common case)")]
    public Task<CredentialResult> WarmAccessTokenAsync() => resolver.ResolveAsync(context, new Credential(CredentialKind.AccessToken, token), default);

    [Benchmark(Description = "API key per request (status cache hit)")]
    public Task<CredentialResult> WarmApiKeyAsync() => resolver.ResolveAsync(context, new Credential(CredentialKind.ApiKey, apiKey), default);

    [Benchmark(Description = "access token whose status is due again (/v1/me over loopback HTTP)")]
    public Task<CredentialResult> ColdAccessTokenAsync()
    {
        status.Forget(token);
        return resolver.ResolveAsync(context, new Credential(CredentialKind.AccessToken, token), default);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await services.DisposeAsync();
        await stub.StopAsync();
        await stub.DisposeAsync();
        rsa.Dispose();
    }
}
