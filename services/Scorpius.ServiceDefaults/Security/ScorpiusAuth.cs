using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scorpius.Contracts;

namespace Scorpius.ServiceDefaults.Security;

/// <summary>
/// Enforcement shared by every app. Every endpoint needs an authenticated principal of some tenant (the fallback policy)
/// unless it says otherwise, and says which scope it needs with <see cref="RequireScope{TBuilder}"/>. The explicit
/// exceptions: <see cref="AllowPublic{TBuilder}"/> (probes, API documentation) and <see cref="RequireDaprCallback{TBuilder}"/>
/// (calls of the app's own sidecar: subscriptions, bindings, metrics, deep health).
/// </summary>
public static class ScorpiusAuth
{
    public const string CredentialScheme = "Scorpius";
    public const string DaprCallbackScheme = "DaprCallback";
    public const string DaprCallbackPolicy = "dapr-callback";
    public const string PlatformPolicy = "platform-tenant";
    public const string AppApiTokenSetting = "APP_API_TOKEN";
    public const string DaprApiTokenHeader = "dapr-api-token";
    public const string CredentialKindClaim = "scorpius_credential";
    public const string CallerAppIdClaim = "dapr_caller_app_id";

    public static string ScopePolicy(string scope) => "scope:" + scope;

    internal static void AddScorpiusAuth(this WebApplicationBuilder builder, ScorpiusApp app)
    {
        var services = builder.Services;
        services.AddOptions<AuthSettings>().Bind(builder.Configuration.GetSection(AuthSettings.Section)).PostConfigure(s => s.Audience ??= app.AppId);
        services.AddCredentialChecks();
        services.AddSingleton<ServiceTokens>();
        services.AddSingleton<ServiceInvoker>();
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();

        services.AddAuthentication(CredentialScheme)
            .AddScheme<AuthenticationSchemeOptions, CredentialAuthenticationHandler>(CredentialScheme, null)
            .AddScheme<AuthenticationSchemeOptions, DaprCallbackAuthenticationHandler>(DaprCallbackScheme, null);
        services.AddAuthorization(options =>
        {
            options.DefaultPolicy = Principal().Build();
            options.FallbackPolicy = options.DefaultPolicy;
            options.AddPolicy(DaprCallbackPolicy, new AuthorizationPolicyBuilder(DaprCallbackScheme).RequireAuthenticatedUser().Build());
            options.AddPolicy(PlatformPolicy, Principal().RequireClaim(ScorpiusClaims.TenantId, ScorpiusTenants.Platform).Build());
            foreach (var scope in Permissions.All) options.AddPolicy(ScopePolicy(scope), Principal().AddRequirements(new ScopeRequirement(scope)).Build());
        });
    }

    /// <summary>
    /// What checks a credential (auth-proxy's keys and status through Dapr, local validation, the caches, the resolver),
    /// given bound <see cref="AuthSettings"/>: part of the service defaults, and usable alone (tests, benchmarks).
    /// </summary>
    public static IServiceCollection AddCredentialChecks(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuthorityClient>();
        services.TryAddSingleton<SigningKeys>();
        services.TryAddSingleton<TokenValidator>();
        services.TryAddSingleton<ValidatedTokens>();
        services.TryAddSingleton<CredentialStatus>();
        services.TryAddSingleton<ICredentialResolver, DaprCredentialResolver>();
        return services;
    }

    private static AuthorizationPolicyBuilder Principal() =>
        new AuthorizationPolicyBuilder(CredentialScheme).RequireAuthenticatedUser().RequireClaim(ScorpiusClaims.TenantId);

    /// <summary>The endpoint needs a principal holding <paramref name="scope"/> (a <see cref="Permissions"/> value).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder
    {
        if (!Permissions.IsKnown(scope)) throw new ArgumentException($"'{scope}' is not a permission of the platform.", nameof(scope));
        return builder.RequireAuthorization(ScopePolicy(scope)).WithMetadata(new RequiredScopeMetadata(scope));
    }

    /// <summary>Any authenticated principal of a tenant may call the endpoint (it needs no particular scope), for the reason given.</summary>
    public static TBuilder RequirePrincipal<TBuilder>(this TBuilder builder, string reason) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization().WithMetadata(new AnyPrincipalMetadata(reason));

    /// <summary>The endpoint acts on the whole platform: only principals of the <see cref="ScorpiusTenants.Platform"/> tenant.</summary>
    public static TBuilder RequirePlatformTenant<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(PlatformPolicy).WithMetadata(new PlatformTenantMetadata());

    /// <summary>Only this app's Dapr sidecar may call the endpoint (subscriptions, input bindings, scrapes by the platform).</summary>
    public static TBuilder RequireDaprCallback<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(DaprCallbackPolicy).WithMetadata(new DaprCallbackMetadata());

    /// <summary>The endpoint answers anyone; the reason is recorded and the auth matrix lists every such endpoint.</summary>
    public static TBuilder AllowPublic<TBuilder>(this TBuilder builder, string reason) where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous().WithMetadata(new PublicEndpointMetadata(reason));

    /// <summary>The group's routes carry <c>{tenantId}</c>; a principal may only name its own tenant (403 otherwise), the platform any.</summary>
    public static RouteGroupBuilder RequireRouteTenant(this RouteGroupBuilder group, string parameter = "tenantId")
    {
        group.WithMetadata(new TenantRouteMetadata(parameter));
        group.AddEndpointFilter(async (context, next) =>
        {
            var named = context.HttpContext.GetRouteValue(parameter) as string;
            // The platform operator (and the platform's own services) may act for any tenant.
            return named is not null && (string.Equals(named, context.HttpContext.User.TenantId(), StringComparison.Ordinal) || context.HttpContext.User.IsPlatform())
                ? await next(context)
                : Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Another tenant's resource",
                    detail: "A principal can only reach the resources of its own tenant.");
        });
        return group;
    }

    /// <summary>The tenant of an authenticated principal.</summary>
    public static string TenantId(this ClaimsPrincipal user) =>
        user.FindFirst(ScorpiusClaims.TenantId)?.Value ?? throw new InvalidOperationException("The principal carries no tenant.");

    /// <summary>The subject (user id, client id or api-key:id) of a principal.</summary>
    public static string SubjectId(this ClaimsPrincipal user) => user.FindFirst(ScorpiusClaims.Subject)?.Value ?? "unknown";

    public static bool IsPlatform(this ClaimsPrincipal user) => user.FindFirst(ScorpiusClaims.TenantId)?.Value == ScorpiusTenants.Platform;

    /// <summary>True if the principal holds <paramref name="scope"/>, whether scopes come as one space-separated claim or one claim each.</summary>
    public static bool HasScope(this ClaimsPrincipal user, string scope)
    {
        foreach (var claim in user.FindAll(ScorpiusClaims.Scope))
        {
            foreach (var range in claim.Value.AsSpan().Split(' '))
            {
                if (claim.Value.AsSpan()[range].SequenceEqual(scope)) return true;
            }
        }
        return false;
    }
}

/// <summary>
/// Registered by an app that authenticates some routes its own way (the token server: its routes need keys and a database
/// first). <see cref="Configure"/> must end with authentication and authorization; the app's other routes get authorization only.
/// </summary>
public sealed record CustomAuthenticationPipeline(Func<HttpContext, bool> AppliesTo, Action<IApplicationBuilder> Configure);

public sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

internal sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasScope(requirement.Scope)) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>Endpoint metadata: the scope the endpoint requires.</summary>
public sealed record RequiredScopeMetadata(string Scope);

/// <summary>Endpoint metadata: any authenticated principal, and why no scope is needed.</summary>
public sealed record AnyPrincipalMetadata(string Reason);

/// <summary>Endpoint metadata: only the platform tenant.</summary>
public sealed record PlatformTenantMetadata;

/// <summary>Endpoint metadata: only the app's sidecar.</summary>
public sealed record DaprCallbackMetadata;

/// <summary>Endpoint metadata: open to anyone, and why.</summary>
public sealed record PublicEndpointMetadata(string Reason);

/// <summary>Endpoint metadata: the route parameter naming the tenant, checked against the principal's.</summary>
public sealed record TenantRouteMetadata(string Parameter);
