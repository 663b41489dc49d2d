using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using Scorpius.AuthProxy.Identity;
using Scorpius.AuthProxy.Users;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Scorpius.AuthProxy.Login;

/// <summary>
/// Password checks with lockout, login challenges for the second factor, and the cookie session a completed login sets.
/// Unknown tenant, unknown e-mail, disabled user, wrong password and locked account all cost one PBKDF2 derivation and
/// end in the same answer.
/// </summary>
public sealed partial class LoginService(AuthDbContext db, TimeProvider clock, IOptions<AuthProxyOptions> options, AuditPublisher audit, ILogger<LoginService> logger)
{
    public const int MaxChallengeAttempts = 5;

    public abstract record Outcome;
    public sealed record Failed : Outcome;
    public sealed record Authenticated(User User) : Outcome;
    public sealed record SecondFactor(User User, string Challenge, string Purpose) : Outcome;

    public static bool MustUseMfa(User user) => user.RoleList.Any(r => r is Roles.Admin or Roles.Security);

    public async Task<Outcome> CheckPasswordAsync(string tenantId, string email, string password, CancellationToken cancellationToken)
    {
        var normalized = NormalizeEmail(email);
        var user = await db.Users.FirstOrDefaultAsync(u => u.TenantId == tenantId && u.Email == normalized, cancellationToken);
        var now = clock.GetUtcNow();
        if (user is null || user.Disabled || user.LockedUntil > now)
        {
            PasswordHasher.VerifyDummy(password);
            await AuditAsync(tenantId, user?.Id, "login.password", "failure",
                user is null ? "unknown-account" : user.Disabled ? "disabled" : "locked", cancellationToken);
            return new Failed();
        }
        if (!PasswordHasher.Verify(password, user.PasswordHash))
        {
            // Counted in the database so concurrent guesses cannot slip past the threshold.
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.FailedAttempts, u => u.FailedAttempts + 1), cancellationToken);
            var failures = await db.Users.Where(u => u.Id == user.Id).Select(u => u.FailedAttempts).FirstAsync(cancellationToken);
            var lockout = options.Value.Lockout;
            if (failures >= lockout.Threshold)
            {
                var exponent = Math.Min(failures - lockout.Threshold, 20);
                var delay = TimeSpan.FromTicks(Math.Min(lockout.FirstDelay.Ticks * (1L << exponent), lockout.MaxDelay.Ticks));
                DateTimeOffset? until = now + delay;
                await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.LockedUntil, until), cancellationToken);
            }
            await AuditAsync(tenantId, user.Id, failures >= lockout.Threshold ? "login.lockout" : "login.password", "failure", $"wrong-password ({failures} in a row)", cancellationToken);
            return new Failed();
        }
        if (user.FailedAttempts != 0 || user.LockedUntil is not null)
        {
            user.FailedAttempts = 0;
            user.LockedUntil = null;
            await db.SaveChangesAsync(cancellationToken);
        }
        if (await HasMfaAsync(user, cancellationToken)) return new SecondFactor(user, await NewChallengeAsync(user, ChallengePurpose.Mfa, cancellationToken), ChallengePurpose.Mfa);
        if (MustUseMfa(user)) return new SecondFactor(user, await NewChallengeAsync(user, ChallengePurpose.Enrollment, cancellationToken), ChallengePurpose.Enrollment);
        return new Authenticated(user);
    }

    /// <summary>Enrolled second factors: a confirmed TOTP secret, a WebAuthn credential or a phone number for SMS codes.</summary>
    public async Task<bool> HasMfaAsync(User user, CancellationToken cancellationToken) =>
        user.TotpConfirmed || user.PhoneNumber is { Length: > 0 } || await db.WebAuthnCredentials.AnyAsync(c => c.UserId == user.Id, cancellationToken);

    public async Task<IReadOnlyList<string>> MethodsAsync(User user, CancellationToken cancellationToken)
    {
        var methods = new List<string>();
        if (user.TotpConfirmed) methods.Add(MfaMethods.Totp);
        if (await db.WebAuthnCredentials.AnyAsync(c => c.UserId == user.Id, cancellationToken)) methods.Add(MfaMethods.WebAuthn);
        if (user.PhoneNumber is { Length: > 0 }) methods.Add(MfaMethods.Sms);
        if (await db.RecoveryCodes.AnyAsync(c => c.SubjectId == user.Id && c.UsedAt == null, cancellationToken)) methods.Add(MfaMethods.Recovery);
        return methods;
    }

    private async Task<string> NewChallengeAsync(User user, string purpose, CancellationToken cancellationToken)
    {
        var opaque = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        db.LoginChallenges.Add(new LoginChallenge
        {
            Id = ChallengeId(opaque), UserId = user.Id, TenantId = user.TenantId, Purpose = purpose,
            CreatedAt = now, ExpiresAt = now + options.Value.LoginChallengeLifetime,
        });
        await db.SaveChangesAsync(cancellationToken);
        return opaque;
    }

    /// <summary>The live challenge (not used, not expired, not burnt) and its enabled user, or null.</summary>
    public async Task<(LoginChallenge Challenge, User User)?> FindChallengeAsync(string? opaque, string purpose, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(opaque) || opaque.Length > 100) return null;
        var id = ChallengeId(opaque);
        var challenge = await db.LoginChallenges.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (challenge is null || challenge.Purpose != purpose || challenge.ConsumedAt is not null || challenge.ExpiresAt <= clock.GetUtcNow()
            || challenge.Attempts >= MaxChallengeAttempts) return null;
        var user = await db.Users.FindAsync([challenge.UserId], cancellationToken);
        return user is null || user.Disabled ? null : (challenge, user);
    }

    public async Task FailAsync(LoginChallenge challenge, CancellationToken cancellationToken) =>
        await db.LoginChallenges.Where(c => c.Id == challenge.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.Attempts, c => c.Attempts + 1), cancellationToken);

    /// <summary>Marks the challenge used; false if a concurrent request got there first.</summary>
    public async Task<bool> ConsumeAsync(LoginChallenge challenge, CancellationToken cancellationToken)
    {
        DateTimeOffset? now = clock.GetUtcNow();
        return await db.LoginChallenges.Where(c => c.Id == challenge.Id && c.ConsumedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ConsumedAt, now), cancellationToken) == 1;
    }

    /// <summary>Sets the cookie session: <c>sub</c>, <c>tenant_id</c>, name, e-mail, roles and the methods used (<c>amr</c>).</summary>
    public async Task SignInAsync(HttpContext context, User user, IReadOnlyList<string> amr)
    {
        var identity = new ClaimsIdentity(AuthSchemes.Session, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id);
        identity.SetClaim(ScorpiusClaims.TenantId, user.TenantId);
        identity.SetClaim(Claims.Name, user.DisplayName);
        identity.SetClaim(Claims.Email, user.Email);
        identity.SetClaims(Claims.Role, [.. user.RoleList]);
        identity.SetClaims(Claims.AuthenticationMethodReference, [.. amr]);
        var now = clock.GetUtcNow();
        await context.SignInAsync(AuthSchemes.Session, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now + options.Value.SessionLifetime, IsPersistent = false });
        await AuditAsync(user.TenantId, user.Id, "login.session", "success", "amr " + string.Join(' ', amr), context.RequestAborted);
    }

    /// <summary>
    /// Every login outcome goes to the audit topic (who tried, how it ended, why). Unknown accounts are audited too, so an
    /// audit call costs the same whether the account exists. A sidecar outage does not block logins; it is logged.
    /// </summary>
    private async Task AuditAsync(string tenantId, string? userId, string action, string outcome, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await audit.PublishAsync(tenantId, userId is null ? "anonymous" : $"user:{userId}", action, userId is null ? $"tenant/{tenantId}/login" : $"user/{userId}",
                outcome, reason, null, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogAuditFailed(logger, action, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish the audit event of {Action}")]
    private static partial void LogAuditFailed(ILogger logger, string action, Exception ex);

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    private static string ChallengeId(string opaque) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(opaque)));

    internal static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

public static class MfaMethods
{
    public const string Totp = "totp";
    public const string WebAuthn = "webauthn";
    public const string Sms = "sms";
    public const string Recovery = "recovery";
}

/// <summary>RFC 8176 authentication method references put in <c>amr</c>.</summary>
public static class Amr
{
    public const string Password = "pwd";
    public const string Mfa = "mfa";
    public const string Otp = "otp";
    public const string HardwareKey = "hwk";
    public const string Sms = "sms";

    public static string Of(string method) => method switch
    {
        MfaMethods.WebAuthn => HardwareKey,
        MfaMethods.Sms => Sms,
        _ => Otp,
    };
}
