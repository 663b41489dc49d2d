using Fido2NetLib;
using Microsoft.EntityFrameworkCore;
using Scorpius.AuthProxy.Identity;
using Scorpius.AuthProxy.Login;

namespace Scorpius.AuthProxy.Mfa;

/// <summary>Checks one second factor of a login challenge: a TOTP code, a WebAuthn assertion, an SMS code or a recovery code.</summary>
public sealed class SecondFactorVerifier(AuthDbContext db, SecretBox box, RecoveryCodeService recovery, SmsCodes sms, WebAuthnService webAuthn, TimeProvider clock)
{
    public async Task<bool> VerifyAsync(User user, LoginChallenge challenge, string method, string? code, AuthenticatorAssertionRawResponse? assertion, CancellationToken ct) =>
        method switch
        {
            MfaMethods.Totp => await VerifyTotpAsync(user, code ?? "", ct),
            MfaMethods.Sms => await sms.VerifyAsync(challenge, code ?? "", ct),
            MfaMethods.Recovery => await recovery.RedeemAsync(user.Id, code ?? "", ct),
            MfaMethods.WebAuthn => challenge.WebAuthnOptions is { } options && assertion is not null
                && await webAuthn.VerifyAssertionAsync(user, options, assertion, ct) && await ForgetAssertionOptionsAsync(challenge, ct),
            _ => false,
        };

    /// <summary>A confirmed TOTP secret and a code of a time step after the last one used (no replay, also not concurrently).</summary>
    public async Task<bool> VerifyTotpAsync(User user, string code, CancellationToken ct)
    {
        if (!user.TotpConfirmed || user.TotpSecret is null || !box.IsAvailable) return false;
        var step = TotpCodes.Verify(box.Open(user.TotpSecret, user.Id), code.Trim(), clock.GetUtcNow(), user.TotpLastStep);
        if (step is null) return false;
        long? next = step;
        return await db.Users.Where(u => u.Id == user.Id && (u.TotpLastStep == null || u.TotpLastStep < step))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpLastStep, next), ct) == 1;
    }

    private async Task<bool> ForgetAssertionOptionsAsync(LoginChallenge challenge, CancellationToken ct) =>
        await db.LoginChallenges.Where(c => c.Id == challenge.Id && c.WebAuthnOptions != null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.WebAuthnOptions, (string?)null), ct) == 1;
}
