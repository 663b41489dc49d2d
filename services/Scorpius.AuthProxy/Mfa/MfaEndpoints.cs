using Fido2NetLib;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using Scorpius.AuthProxy.Identity;
using Scorpius.AuthProxy.Login;
using Scorpius.AuthProxy.RateLimiting;
using Scorpius.ServiceDefaults.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.Mfa;

public sealed record TotpEnrollment(string OtpauthUri);

public sealed record TotpConfirmRequest(string? Code);

public sealed record RecoveryCodes(IReadOnlyList<string> Codes);

public sealed record EnrollmentResult(string Status);

/// <summary>
/// MFA enrolment for the logged-in user (cookie session) or, when login answered <c>mfa_enrollment_required</c>, for the
/// holder of that challenge in the <c>X-Mfa-Challenge</c> header. Enrolling through a challenge completes that login.
/// </summary>
public static class MfaEndpoints
{
    public const string ChallengeHeader = "X-Mfa-Challenge";
    private const int RecoveryCodeCount = 10;

    public static IEndpointRouteBuilder MapMfaEndpoints(this IEndpointRouteBuilder app)
    {
        var mfa = app.MapGroup("/v1/mfa").WithTags("MFA").RequireRateLimiting(RateLimits.Mfa)
            .AllowPublic("MFA enrolment: authenticates the cookie session or the enrolment challenge itself.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        mfa.MapPost("/totp", StartTotpAsync).Produces<TotpEnrollment>().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        mfa.MapPost("/totp/confirm", ConfirmTotpAsync).Produces<EnrollmentResult>().ProducesValidationProblem();
        mfa.MapPost("/recovery-codes", RecoveryCodesAsync).Produces<RecoveryCodes>().ProducesProblem(StatusCodes.Status409Conflict);
        mfa.MapPost("/webauthn/register/options", RegistrationOptionsAsync).Produces<CredentialCreateOptions>();
        mfa.MapPost("/webauthn/register", RegisterAsync).Produces<EnrollmentResult>().ProducesValidationProblem();
        return app;
    }

    private sealed record Caller(User User, LoginChallenge? Enrollment);

    private static async Task<Caller?> CallerAsync(HttpContext context, AuthDbContext db, LoginService login, CancellationToken ct)
    {
        var session = await context.AuthenticateAsync(AuthSchemes.Session);
        var userId = session.Succeeded ? session.Principal.GetClaim(Claims.Subject) : null;
        var user = userId is null ? null : await db.Users.FindAsync([userId], ct);
        if (user is { Disabled: false }) return new Caller(user, null);
        if (context.Request.Headers[ChallengeHeader].ToString() is { Length: > 0 } header)
            return await login.FindChallengeAsync(header, ChallengePurpose.Enrollment, ct) is var (challenge, challenged) ? new Caller(challenged, challenge) : null;
        return null;
    }

    private static IResult NoSession() => Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Login required",
        detail: $"Log in first, or send the enrolment challenge in {ChallengeHeader}.");

    private static async Task<IResult> StartTotpAsync(HttpContext context, AuthDbContext db, LoginService login, SecretBox box, CancellationToken ct)
    {
        if (await CallerAsync(context, db, login, ct) is not { } caller) return NoSession();
        if (!box.IsAvailable)
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "MFA enrolment unavailable",
                detail: $"The '{SecretBox.SecretEntry}' entry (base64, 32 bytes) of the auth-proxy secret is missing, so TOTP secrets cannot be stored encrypted.");
        var user = caller.User;
        if (user.TotpConfirmed) return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "TOTP already enrolled");
        var (secret, base32) = TotpCodes.NewSecret();
        user.TotpSecret = box.Seal(secret, user.Id);
        user.TotpLastStep = null;
        user.UpdatedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync(ct);
        var label = Uri.EscapeDataString($"Scorpius:{user.Email}");
        return Results.Ok(new TotpEnrollment($"otpauth://totp/{label}?secret={base32}&issuer=Scorpius&algorithm=SHA1&digits=6&period={TotpCodes.StepSeconds}"));
    }

    private static async Task<IResult> ConfirmTotpAsync(TotpConfirmRequest request, HttpContext context, AuthDbContext db, LoginService login, SecretBox box,
        AuditPublisher audit, TimeProvider clock, CancellationToken ct)
    {
        // Who asks first: an anonymous caller learns nothing, not even what the body should hold.
        if (await CallerAsync(context, db, login, ct) is not { } caller) return NoSession();
        if (string.IsNullOrWhiteSpace(request.Code)) return Results.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["Required."] });
        var user = caller.User;
        if (user.TotpConfirmed || user.TotpSecret is null || !box.IsAvailable)
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No TOTP enrolment in progress");
        var step = TotpCodes.Verify(box.Open(user.TotpSecret, user.Id), request.Code.Trim(), clock.GetUtcNow(), null);
        if (step is null)
        {
            if (caller.Enrollment is not null) await login.FailAsync(caller.Enrollment, ct);
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["The code does not match."] });
        }
        user.TotpConfirmed = true;
        user.TotpLastStep = step;
        user.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await audit.PublishAsync(user.TenantId, user.Id, "mfa.totp.enrol", $"user/{user.Id}", "success", null, null, ct);
        return await FinishAsync(context, login, caller, Amr.Otp, ct);
    }

    private static async Task<IResult> RecoveryCodesAsync(HttpContext context, AuthDbContext db, LoginService login, RecoveryCodeService recovery,
        AuditPublisher audit, CancellationToken ct)
    {
        if (await CallerAsync(context, db, login, ct) is not { } caller) return NoSession();
        if (!caller.User.TotpConfirmed && !db.WebAuthnCredentials.Any(c => c.UserId == caller.User.Id) && caller.User.PhoneNumber is not { Length: > 0 })
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No second factor", detail: "Enrol TOTP or a security key first.");
        var codes = await recovery.RegenerateAsync(caller.User.Id, RecoveryCodeCount, ct);
        await audit.PublishAsync(caller.User.TenantId, caller.User.Id, "mfa.recovery-codes.regenerate", $"user/{caller.User.Id}", "success", null, null, ct);
        return Results.Ok(new RecoveryCodes(codes));
    }

    private static async Task<IResult> RegistrationOptionsAsync(HttpContext context, AuthDbContext db, LoginService login, WebAuthnService webAuthn, CancellationToken ct)
    {
        if (await CallerAsync(context, db, login, ct) is not { } caller) return NoSession();
        return Results.Ok(await webAuthn.RegistrationOptionsAsync(caller.User, ct));
    }

    private static async Task<IResult> RegisterAsync(AuthenticatorAttestationRawResponse response, HttpContext context, AuthDbContext db, LoginService login,
        WebAuthnService webAuthn, AuditPublisher audit, CancellationToken ct)
    {
        if (await CallerAsync(context, db, login, ct) is not { } caller) return NoSession();
        try
        {
            await webAuthn.RegisterAsync(caller.User, response, ct);
        }
        catch (Fido2VerificationException ex)
        {
            if (caller.Enrollment is not null) await login.FailAsync(caller.Enrollment, ct);
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["attestation"] = [ex.Message] });
        }
        await audit.PublishAsync(caller.User.TenantId, caller.User.Id, "mfa.webauthn.register", $"user/{caller.User.Id}", "success", null, null, ct);
        return await FinishAsync(context, login, caller, Amr.HardwareKey, ct);
    }

    /// <summary>Enrolment through a challenge proves the new factor and completes the login; otherwise the session just gains it.</summary>
    private static async Task<IResult> FinishAsync(HttpContext context, LoginService login, Caller caller, string amr, CancellationToken ct)
    {
        if (caller.Enrollment is null) return Results.Ok(new EnrollmentResult("enrolled"));
        if (!await login.ConsumeAsync(caller.Enrollment, ct)) return NoSession();
        await login.SignInAsync(context, caller.User, [Amr.Password, Amr.Mfa, amr]);
        return Results.Ok(new EnrollmentResult(LoginResponse.Authenticated));
    }
}
