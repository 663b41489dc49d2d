using System.Security.Cryptography;
using System.Text;
using Dapr.Client;
using Microsoft.EntityFrameworkCore;
using Scorpius.AuthProxy.Identity;

namespace Scorpius.AuthProxy.Mfa;

/// <summary>
/// Six-digit SMS login codes sent through the Dapr output binding <see cref="DaprNames.Sms"/> (bindings.twilio.sms, operation
/// <c>create</c>, metadata <c>toNumber</c>). Kept only as a hash on the login challenge; valid 5 minutes, once, with at most 5 tries.
/// </summary>
public sealed class SmsCodes(AuthDbContext db, DaprClient dapr, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    public const int MaxAttempts = 5;

    public async Task SendAsync(LoginChallenge challenge, string phoneNumber, CancellationToken cancellationToken)
    {
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        challenge.SmsCodeHash = Hash(challenge.Id, code);
        challenge.SmsExpiresAt = clock.GetUtcNow() + Lifetime;
        challenge.SmsAttempts = 0;
        await db.SaveChangesAsync(cancellationToken);
        await dapr.InvokeBindingAsync(DaprNames.Sms, "create", $"Your Scorpius login code is {code}. It expires in 5 minutes.",
            new Dictionary<string, string> { ["toNumber"] = phoneNumber }, cancellationToken);
    }

    public async Task<bool> VerifyAsync(LoginChallenge challenge, string code, CancellationToken cancellationToken)
    {
        if (challenge.SmsCodeHash is not { } expected || challenge.SmsExpiresAt <= clock.GetUtcNow() || challenge.SmsAttempts >= MaxAttempts) return false;
        var attempts = challenge.SmsAttempts;
        // Each try is counted (and the code consumed on success) only if no concurrent try got in first.
        var ok = CryptographicOperations.FixedTimeEquals(Hash(challenge.Id, code.Trim()), expected);
        var updated = ok
            ? await db.LoginChallenges.Where(c => c.Id == challenge.Id && c.SmsAttempts == attempts && c.SmsCodeHash != null)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.SmsCodeHash, (byte[]?)null).SetProperty(c => c.SmsAttempts, attempts + 1), cancellationToken)
            : await db.LoginChallenges.Where(c => c.Id == challenge.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.SmsAttempts, c => c.SmsAttempts + 1), cancellationToken);
        return ok && updated == 1;
    }

    private static byte[] Hash(string challengeId, string code) => SHA256.HashData(Encoding.UTF8.GetBytes($"{challengeId}:{code}"));
}
