using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using Scorpius.AuthProxy;
using Scorpius.AuthProxy.ApiKeys;
using Scorpius.AuthProxy.Bootstrap;
using Scorpius.AuthProxy.Identity;
using Scorpius.AuthProxy.Keys;
using Scorpius.AuthProxy.Login;
using Scorpius.AuthProxy.Me;
using Scorpius.AuthProxy.Mfa;
using Scorpius.AuthProxy.Policy;
using Scorpius.AuthProxy.RateLimiting;
using Scorpius.AuthProxy.Tokens;
using Scorpius.AuthProxy.Users;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults;
using Scorpius.ServiceDefaults.Security;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ScorpiusApps.AuthProxy);

var section = builder.Configuration.GetSection(AuthProxyOptions.Section);
builder.Services.Configure<AuthProxyOptions>(section);
var settings = section.Get<AuthProxyOptions>() ?? new AuthProxyOptions();
// Cookies are Secure everywhere but local runs and tests, which speak plain HTTP.
var plainHttpAllowed = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing");

builder.Services.TryAddSingleton(TimeProvider.System);
builder.Services.AddSingleton<IdentityDatabase>();
builder.Services.AddDbContext<AuthDbContext>((sp, db) => sp.GetRequiredService<IdentityDatabase>().Configure(db));

builder.Services.AddSingleton<SigningKeyRing>();
builder.Services.AddSingleton<SecretBox>();
builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, KeyRingServerOptionsSetup>();
builder.Services.AddSingleton<AuthBootstrap>();
builder.Services.AddSingleton<AuditPublisher>();
builder.Services.AddSingleton<PolicyDecisionPoint>();
builder.Services.AddScoped<PolicySettingsStore>();
builder.Services.AddHostedService<PolicySync>();
builder.Services.AddScoped<ApiKeyService>();
builder.Services.AddScoped<RecoveryCodeService>();
builder.Services.AddScoped<LoginService>();
builder.Services.AddScoped<SmsCodes>();
builder.Services.AddScoped<WebAuthnService>();
builder.Services.AddScoped<SecondFactorVerifier>();
// ServiceDefaults' shared credential scheme asks auth-proxy through Dapr; auth-proxy itself answers locally.
builder.Services.AddSingleton<ICredentialResolver, LocalCredentialResolver>();

builder.Services.AddOpenIddict()
    .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<AuthDbContext>())
    .AddServer(o =>
    {
        o.SetTokenEndpointUris(TokenEndpoints.Token)
         .SetAuthorizationEndpointUris(TokenEndpoints.Authorization)
         .SetIntrospectionEndpointUris(TokenEndpoints.Introspection)
         .SetRevocationEndpointUris(TokenEndpoints.Revocation)
         .SetConfigurationEndpointUris(".well-known/openid-configuration")
         .SetJsonWebKeySetEndpointUris(".well-known/jwks");
        o.AllowClientCredentialsFlow();
        o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
        // PKCE with S256 only: the "plain" method would let an intercepted authorization request redeem the code.
        o.Configure(options => options.CodeChallengeMethods.Remove(OpenIddict.Abstractions.OpenIddictConstants.CodeChallengeMethods.Plain));
        o.AllowRefreshTokenFlow();
        o.RegisterScopes([.. Permissions.All, .. TokenClaims.StandardScopes]);
        o.SetAccessTokenLifetime(settings.AccessTokenLifetime);
        o.SetRefreshTokenLifetime(settings.RefreshTokenLifetime);
        // Rolling refresh tokens: a redeemed one presented again (after this leeway, 0 by default) revokes its whole family.
        o.SetRefreshTokenReuseLeeway(settings.RefreshTokenReuseLeeway);
        o.SetIssuer(settings.Issuer);
        // Signed (RS256) but not encrypted, so every app validates access tokens offline against the JWKS.
        o.DisableAccessTokenEncryption();
        var aspNetCore = o.UseAspNetCore().EnableTokenEndpointPassthrough().EnableAuthorizationEndpointPassthrough();
        // HTTPS is required in Production; elsewhere (local runs, tests) plain HTTP is accepted.
        if (!builder.Environment.IsProduction()) aspNetCore.DisableTransportSecurityRequirement();
    })
    .AddValidation(o =>
    {
        o.UseLocalServer();
        o.AddAudiences(ScorpiusApps.AuthProxy.AppId);
        // Checks the token's entry (and its authorization) on every request, so a revoked token or family is refused here too.
        o.EnableTokenEntryValidation();
        o.EnableAuthorizationEntryValidation();
        o.UseAspNetCore();
    });

builder.Services.AddAuthentication()
    .AddCookie(AuthSchemes.Session, o =>
    {
        o.Cookie.Name = "scorpius.session";
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Lax;
        o.Cookie.SecurePolicy = plainHttpAllowed ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        o.ExpireTimeSpan = settings.SessionLifetime;
        o.SlidingExpiration = false;
        o.Events.OnRedirectToLogin = ctx => { ctx.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
        o.Events.OnRedirectToAccessDenied = ctx => { ctx.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
    })
    .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, null)
    .AddPolicyScheme(AuthSchemes.Api, "Access token or API key", o => o.ForwardDefaultSelector = ctx =>
        AuthSchemes.PresentedApiKey(ctx.Request) is not null ? AuthSchemes.ApiKey : OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
builder.Services.AddAuthProxyRateLimits(settings.RateLimits);

// Only identity routes touch OpenIddict: they wait for keys, schema and clients, and run authentication there alone,
// so health, metrics and OpenAPI answer while the secret store or database is down.
builder.Services.AddSingleton(new CustomAuthenticationPipeline(ctx => IdentityRoutes.Matches(ctx.Request.Path), identity =>
{
    identity.UseMiddleware<AuthBootstrapMiddleware>();
    // Rate limits run before authentication, so a refused request costs no client-secret or password check.
    identity.Use(RateLimits.PrepareKeyAsync);
    identity.UseRateLimiter();
    identity.UseAuthentication();
    identity.UseAuthorization();
}));

var app = builder.Build();
app.MapDefaultEndpoints();


app.MapTokenEndpoints();
app.MapMeEndpoints();
app.MapLoginEndpoints();
app.MapMfaEndpoints();
app.MapUserEndpoints();
app.MapApiKeyEndpoints();
app.MapAuthorizeEndpoints();
app.Run();

public partial class Program;
