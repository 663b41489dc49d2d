using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using Scorpius.AuthProxy;
using Scorpius.AuthProxy.ApiKeys;
using Scorpius.AuthProxy.Bootstrap;
using Scorpius.AuthProxy.Identity;
using Scorpius.AuthProxy.Keys;
using Scorpius.AuthProxy.Mfa;
using Scorpius.AuthProxy.Policy;
using Scorpius.AuthProxy.Tokens;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ScorpiusApps.AuthProxy);

var section = builder.Configuration.GetSection(AuthProxyOptions.Section);
builder.Services.Configure<AuthProxyOptions>(section);
var settings = section.Get<AuthProxyOptions>() ?? new AuthProxyOptions();

builder.Services.TryAddSingleton(TimeProvider.System);
builder.Services.AddSingleton<IdentityDatabase>();
builder.Services.AddDbContext<AuthDbContext>((sp, db) => sp.GetRequiredService<IdentityDatabase>().Configure(db));

builder.Services.AddSingleton<SigningKeyRing>();
builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, KeyRingServerOptionsSetup>();
builder.Services.AddSingleton<AuthBootstrap>();
builder.Services.AddSingleton<AuditPublisher>();
builder.Services.AddSingleton<PolicyDecisionPoint>();
builder.Services.AddScoped<ApiKeyService>();
builder.Services.AddScoped<RecoveryCodeService>();

builder.Services.AddOpenIddict()
    .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<AuthDbContext>())
    .AddServer(o =>
    {
        o.SetTokenEndpointUris(TokenEndpoints.Token)
         .SetIntrospectionEndpointUris(TokenEndpoints.Introspection)
         .SetRevocationEndpointUris(TokenEndpoints.Revocation)
         .SetConfigurationEndpointUris(".well-known/openid-configuration")
         .SetJsonWebKeySetEndpointUris(".well-known/jwks");
        o.AllowClientCredentialsFlow();
        o.RegisterScopes([.. Permissions.All]);
        o.SetAccessTokenLifetime(settings.AccessTokenLifetime);
        if (settings.Issuer is not null) o.SetIssuer(settings.Issuer);
        var aspNetCore = o.UseAspNetCore().EnableTokenEndpointPassthrough();
        // HTTPS is required in Production; elsewhere (local runs, tests) plain HTTP is accepted.
        if (!builder.Environment.IsProduction()) aspNetCore.DisableTransportSecurityRequirement();
    })
    .AddValidation(o =>
    {
        o.UseLocalServer();
        // Checks the token's entry on every request, so a revoked token is refused by this app's own API too.
        o.EnableTokenEntryValidation();
        o.UseAspNetCore();
    });
builder.Services.AddAuthorization(AuthPolicies.Add);

var app = builder.Build();
app.MapDefaultEndpoints();

// Only identity routes touch OpenIddict: they wait for keys, schema and clients, and run authentication there alone,
// so health, metrics and OpenAPI answer while the secret store or database is down. The flags stop WebApplication
// from adding its own authentication and authorization middleware in front of every route.
((IApplicationBuilder)app).Properties["__AuthenticationMiddlewareSet"] = true;
((IApplicationBuilder)app).Properties["__AuthorizationMiddlewareSet"] = true;
app.UseWhen(ctx => IdentityRoutes.Matches(ctx.Request.Path), identity =>
{
    identity.UseMiddleware<AuthBootstrapMiddleware>();
    identity.UseAuthentication();
    identity.UseAuthorization();
});

app.MapTokenEndpoints();
app.MapApiKeyEndpoints();
app.MapAuthorizeEndpoints();
app.Run();

public partial class Program;
