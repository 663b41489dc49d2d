using OtpNet;

namespace Scorpius.AuthProxy.Mfa;

/// <summary>
/// TOTP (RFC 6238) over Otp.NET: 30-second steps, one step of clock drift either way, and each step accepted once
/// (the caller keeps <paramref name="lastUsedStep"/> so a code cannot be replayed within its window).
/// </summary>
public static class TotpCodes
{
    public const int StepSeconds = 30;

    public static string Compute(byte[] secret, DateTimeOffset at, OtpHashMode mode = OtpHashMode.Sha1, int digits = 6) =>
        new OtpNet.Totp(secret, StepSeconds, mode, digits).ComputeTotp(at.UtcDateTime);

    /// <summary>The matched time step, or null. A step at or before <paramref name="lastUsedStep"/> is refused.</summary>
    public static long? Verify(byte[] secret, string code, DateTimeOffset at, long? lastUsedStep, OtpHashMode mode = OtpHashMode.Sha1, int digits = 6)
    {
        if (code.Length != digits || !code.All(char.IsAsciiDigit)) return null;
        var totp = new OtpNet.Totp(secret, StepSeconds, mode, digits);
        if (!totp.VerifyTotp(at.UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 1))) return null;
        return lastUsedStep is { } last && step <= last ? null : step;
    }

    /// <summary>A new 160-bit shared secret and its base32 form for authenticator apps.</summary>
    public static (byte[] Secret, string Base32) NewSecret()
    {
        var secret = KeyGeneration.GenerateRandomKey(20);
        return (secret, Base32Encoding.ToString(secret));
    }
}
