using Scorpius.ServiceDefaults.Security;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using Scorpius.AuthProxy.ApiKeys;
using Scorpius.AuthProxy.Identity;
using Scorpius.AuthProxy.Login;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.Users;

public sealed record CreateUserRequest(string? Email, string? DisplayName, string? Password, IReadOnlyList<string>? Roles,
    string? Department = null, string? Clearance = null, string? PhoneNumber = null, string? Reason = null);

public sealed record UpdateRolesRequest(IReadOnlyList<string>? Roles, string? Reason = null);

public sealed record ReasonRequest(string? Reason = null);

public sealed record UserView(string Id, string TenantId, string Email, string DisplayName, IReadOnlyList<string> Roles, string? Department,
    string? Clearance, string? PhoneNumber, bool Disabled, bool MfaTotp, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static UserView Of(User u) => new(u.Id, u.TenantId, u.Email, u.DisplayName, u.RoleList, u.Department, u.Clearance, u.PhoneNumber,
        u.Disabled, u.TotpConfirmed, u.LockedUntil, u.CreatedAt, u.UpdatedAt);
}

/// <summary>
/// User administration (scope <c>users:manage</c>), always within the caller's tenant. A caller can grant only roles whose
/// scopes it holds itself. Every change is published on the audit topic with who, what and the given reason.
/// </summary>
public static class UserEndpoints
{
    public const int MinPasswordLength = 12;

    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/v1/users").WithTags("Users").RequireScope(Scorpius.Contracts.Permissions.UsersManage);
        users.MapPost("/", CreateAsync).Produces<UserView>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        users.MapGet("/", async (ClaimsPrincipal caller, AuthDbContext db, CancellationToken ct) =>
            (await db.Users.AsNoTracking().Where(u => u.TenantId == ApiKeyEndpoints.TenantOf(caller)).OrderBy(u => u.Email).ToListAsync(ct)).Select(UserView.Of));
        users.MapGet("/{id}", async (string id, ClaimsPrincipal caller, AuthDbContext db, CancellationToken ct) =>
            await FindAsync(db, caller, id, ct) is { } user ? Results.Ok(UserView.Of(user)) : Results.NotFound()).Produces<UserView>().ProducesProblem(StatusCodes.Status404NotFound);
        users.MapPut("/{id}/roles", UpdateRolesAsync).Produces<UserView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        users.MapPost("/{id}/disable", DisableAsync).Produces<UserView>().ProducesProblem(StatusCodes.Status404NotFound);
        users.MapDelete("/{id}", DeleteAsync).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<User?> FindAsync(AuthDbContext db, ClaimsPrincipal caller, string id, CancellationToken ct)
    {
        var tenant = ApiKeyEndpoints.TenantOf(caller);
        return await db.Users.FirstOrDefaultAsync(u => u.Id == id && u.TenantId == tenant, ct);
    }

    private static string Actor(ClaimsPrincipal caller) => caller.GetClaim(Claims.Subject)!;

    /// <summary>Null when every role is known to the tenant and grants only scopes the caller holds; else the problem.</summary>
    private static async Task<IResult?> CheckRolesAsync(AuthDbContext db, ClaimsPrincipal caller, IReadOnlyList<string>? roles, CancellationToken ct)
    {
        if (roles is null || roles.Count == 0) return Results.ValidationProblem(new Dictionary<string, string[]> { ["roles"] = ["At least one role."] });
        var catalog = await TenantRoles.CatalogAsync(db, ApiKeyEndpoints.TenantOf(caller), ct);
        IReadOnlySet<string> scopes;
        try { scopes = catalog.ScopesOf(roles); }
        catch (ArgumentException ex) { return Results.ValidationProblem(new Dictionary<string, string[]> { ["roles"] = [ex.Message] }); }
        if (scopes.FirstOrDefault(s => !OpenIddict.Abstractions.OpenIddictExtensions.HasScope(caller, s)) is { } notHeld)
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Scope not held", detail: $"The roles grant '{notHeld}', which the caller does not hold.");
        return null;
    }

    private static async Task<IResult> CreateAsync(CreateUserRequest request, ClaimsPrincipal caller, AuthDbContext db, AuditPublisher audit, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var email = LoginService.NormalizeEmail(request.Email ?? "");
        if (email.Length is 0 or > 320 || !email.Contains('@', StringComparison.Ordinal)) errors["email"] = ["A valid e-mail address is required."];
        if (request.Password is null || request.Password.Length < MinPasswordLength || request.Password.Length > 1024)
            errors["password"] = [$"Between {MinPasswordLength} and 1024 characters."];
        if (request.PhoneNumber is { Length: > 0 } phone && !System.Text.RegularExpressions.Regex.IsMatch(phone, @"^\+[1-9][0-9]{6,14}$"))
            errors["phoneNumber"] = ["E.164 format, e.g. +14155550100."];
        if (errors.Count > 0) return Results.ValidationProblem(errors);
        if (await CheckRolesAsync(db, caller, request.Roles, ct) is { } problem) return problem;

        var tenant = ApiKeyEndpoints.TenantOf(caller);
        if (await db.Users.AnyAsync(u => u.TenantId == tenant && u.Email == email, ct))
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "E-mail in use", detail: "The tenant already has a user with this e-mail address.");
        var now = clock.GetUtcNow();
        var user = new User
        {
            Id = "usr_" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 24), TenantId = tenant, Email = email,
            DisplayName = request.DisplayName?.Trim() ?? "", PasswordHash = PasswordHasher.Hash(request.Password!),
            Roles = string.Join(' ', request.Roles!.Distinct(StringComparer.Ordinal)), Department = request.Department, Clearance = request.Clearance,
            PhoneNumber = string.IsNullOrEmpty(request.PhoneNumber) ? null : request.PhoneNumber, CreatedAt = now, UpdatedAt = now,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync(ct);
        await audit.PublishAsync(tenant, Actor(caller), "user.create", $"user/{user.Id}", "success", request.Reason,
            new Dictionary<string, string> { ["roles"] = user.Roles }, ct);
        return Results.Created($"/v1/users/{user.Id}", UserView.Of(user));
    }

    private static async Task<IResult> UpdateRolesAsync(string id, UpdateRolesRequest request, ClaimsPrincipal caller, AuthDbContext db, AuditPublisher audit,
        TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(db, caller, id, ct) is not { } user) return Results.NotFound();
        if (await CheckRolesAsync(db, caller, request.Roles, ct) is { } problem) return problem;
        var before = user.Roles;
        user.Roles = string.Join(' ', request.Roles!.Distinct(StringComparer.Ordinal));
        user.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await audit.PublishAsync(user.TenantId, Actor(caller), "user.roles.update", $"user/{user.Id}", "success", request.Reason,
            new Dictionary<string, string> { ["before"] = before, ["after"] = user.Roles }, ct);
        return Results.Ok(UserView.Of(user));
    }

    private static async Task<IResult> DisableAsync(string id, ReasonRequest? request, ClaimsPrincipal caller, AuthDbContext db, AuditPublisher audit,
        IOpenIddictTokenManager tokens, TimeProvider clock, CancellationToken ct)
    {
        if (await FindAsync(db, caller, id, ct) is not { } user) return Results.NotFound();
        user.Disabled = true;
        user.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await RevokeTokensAsync(tokens, user.Id, ct);
        await audit.PublishAsync(user.TenantId, Actor(caller), "user.disable", $"user/{user.Id}", "success", request?.Reason, null, ct);
        return Results.Ok(UserView.Of(user));
    }

    private static async Task<IResult> DeleteAsync(string id, string? reason, ClaimsPrincipal caller, AuthDbContext db, AuditPublisher audit,
        IOpenIddictTokenManager tokens, CancellationToken ct)
    {
        if (await FindAsync(db, caller, id, ct) is not { } user) return Results.NotFound();
        await RevokeTokensAsync(tokens, user.Id, ct);
        await db.WebAuthnCredentials.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
        await db.RecoveryCodes.Where(c => c.SubjectId == user.Id).ExecuteDeleteAsync(ct);
        await db.LoginChallenges.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(ct);
        db.Users.Remove(user);
        await db.SaveChangesAsync(ct);
        await audit.PublishAsync(user.TenantId, Actor(caller), "user.delete", $"user/{user.Id}", "success", reason, null, ct);
        return Results.NoContent();
    }

    /// <summary>A disabled or deleted user's access and refresh tokens stop working at once (token entry validation).</summary>
    private static async Task RevokeTokensAsync(IOpenIddictTokenManager tokens, string subject, CancellationToken ct)
    {
        await foreach (var token in tokens.FindBySubjectAsync(subject, ct)) await tokens.TryRevokeAsync(token, ct);
    }
}
