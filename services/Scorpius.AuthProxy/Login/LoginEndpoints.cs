using System.Text.Json.Serialization;
using Fido2NetLib;
using Microsoft.AspNetCore.Authentication;
using Scorpius.AuthProxy.Identity;
using Scorpius.AuthProxy.Mfa;
using Scorpius.AuthProxy.RateLimiting;
using Scorpius.ServiceDefaults.Security;

namespace Scorpius.AuthProxy.Login;

public sealed record LoginRequest(string? Tenant, string? Email, string? Password);

/// <summary><c>status</c> is <c>authenticated</c>, <c>mfa_required</c> or <c>mfa_enrollment_required</c>.</summary>
public sealed record LoginResponse(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Challenge = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Methods = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sub = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), JsonPropertyName("tenant_id")] string? TenantId = null)
{
    public const string Authenticated = "authenticated", MfaRequired = "mfa_required", MfaEnrollmentRequired = "mfa_enrollment_required";

    public static LoginResponse SignedIn(User user) => new(Authenticated, Sub: user.Id, TenantId: user.TenantId);
}

/// <summary>The second step: <c>code</c> for totp, sms and recovery; <c>assertion</c> (a WebAuthn PublicKeyCredential) for webauthn.</summary>
public sealed record MfaRequest(string? Challenge, string? Method, string? Code, AuthenticatorAssertionRawResponse? Assertion);

public sealed record ChallengeRequest(string? Challenge);

public sealed record SmsSent(int ExpiresIn);

public static class LoginEndpoints
{
    public static IEndpointRouteBuilder MapLoginEndpoints(this IEndpointRouteBuilder app)
    {
        var login = app.MapGroup("/v1/login").WithTags("Login")
            .AllowPublic("Login: checks the password and second factor itself, rate limited, with lockout.");
        login.MapPost("/", LoginAsync).RequireRateLimiting(RateLimits.Login)
            .Produces<LoginResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);
        login.MapPost("/mfa", MfaAsync).RequireRateLimiting(RateLimits.Mfa)
            .Produces<LoginResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);
        login.MapPost("/mfa/sms", SendSmsAsync).RequireRateLimiting(RateLimits.Mfa)
            .Produces<SmsSent>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict);
        login.MapPost("/mfa/webauthn/options", AssertionOptionsAsync).RequireRateLimiting(RateLimits.Mfa)
            .Produces<AssertionOptions>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict);
        app.MapPost("/v1/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(AuthSchemes.Session);
            return Results.NoContent();
        }).WithTags("Login").AllowPublic("Ends the caller's own cookie session; needs nothing.");
        return app;
    }

    /// <summary>The one answer for every failed login or second factor, whatever the reason.</summary>
    internal static IResult Failed() => Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Login failed",
        detail: "The credentials were not accepted.");

    private static async Task<IResult> LoginAsync(LoginRequest request, HttpContext context, LoginService service, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Tenant)) errors["tenant"] = ["Required."];
        if (string.IsNullOrWhiteSpace(request.Email) || request.Email.Length > 320) errors["email"] = ["Required, at most 320 characters."];
        if (string.IsNullOrEmpty(request.Password) || request.Password.Length > 1024) errors["password"] = ["Required, at most 1024 characters."];
        if (errors.Count > 0) return Results.ValidationProblem(errors);

        switch (await service.CheckPasswordAsync(request.Tenant!, request.Email!, request.Password!, ct))
        {
            case LoginService.Authenticated ok:
                await service.SignInAsync(context, ok.User, [Amr.Password]);
                return Results.Ok(LoginResponse.SignedIn(ok.User));
            case LoginService.SecondFactor { Purpose: ChallengePurpose.Mfa } mfa:
                return Results.Ok(new LoginResponse(LoginResponse.MfaRequired, mfa.Challenge, await service.MethodsAsync(mfa.User, ct)));
            case LoginService.SecondFactor enrol:
                return Results.Ok(new LoginResponse(LoginResponse.MfaEnrollmentRequired, enrol.Challenge));
            default:
                return Failed();
        }
    }

    private static async Task<IResult> MfaAsync(MfaRequest request, HttpContext context, LoginService service, SecondFactorVerifier verifier, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.Challenge)) return Results.ValidationProblem(new Dictionary<string, string[]> { ["challenge"] = ["Required."] });
        if (request.Method is not (MfaMethods.Totp or MfaMethods.WebAuthn or MfaMethods.Sms or MfaMethods.Recovery))
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["method"] = ["One of totp, webauthn, sms, recovery."] });
        if (request.Method == MfaMethods.WebAuthn ? request.Assertion is null : string.IsNullOrWhiteSpace(request.Code))
            return Results.ValidationProblem(new Dictionary<string, string[]>
                { [request.Method == MfaMethods.WebAuthn ? "assertion" : "code"] = ["Required for this method."] });

        if (await service.FindChallengeAsync(request.Challenge, ChallengePurpose.Mfa, ct) is not var (challenge, user)) return Failed();
        if (!await verifier.VerifyAsync(user, challenge, request.Method, request.Code, request.Assertion, ct))
        {
            await service.FailAsync(challenge, ct);
            return Failed();
        }
        if (!await service.ConsumeAsync(challenge, ct)) return Failed();
        await service.SignInAsync(context, user, [Amr.Password, Amr.Mfa, Amr.Of(request.Method)]);
        return Results.Ok(LoginResponse.SignedIn(user));
    }

    private static async Task<IResult> SendSmsAsync(ChallengeRequest request, LoginService service, SmsCodes sms, CancellationToken ct)
    {
        if (await service.FindChallengeAsync(request.Challenge, ChallengePurpose.Mfa, ct) is not var (challenge, user)) return Failed();
        if (user.PhoneNumber is not { Length: > 0 } phone)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No phone number", detail: "SMS codes need a phone number on the account.");
        await sms.SendAsync(challenge, phone, ct);
        return Results.Json(new SmsSent((int)SmsCodes.Lifetime.TotalSeconds), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> AssertionOptionsAsync(ChallengeRequest request, LoginService service, WebAuthnService webAuthn, AuthDbContext db, CancellationToken ct)
    {
        if (await service.FindChallengeAsync(request.Challenge, ChallengePurpose.Mfa, ct) is not var (challenge, user)) return Failed();
        var options = await webAuthn.AssertionOptionsAsync(user, ct);
        if (options.AllowCredentials.Count == 0)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No security key", detail: "The account has no WebAuthn credential.");
        challenge.WebAuthnOptions = options.ToJson();
        await db.SaveChangesAsync(ct);
        return Results.Ok(options);
    }
}
