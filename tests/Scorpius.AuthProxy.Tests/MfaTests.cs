using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;
using Scorpius.AuthProxy.Identity;
using Scorpius.AuthProxy.Mfa;

namespace Scorpius.AuthProxy.Tests;

public sealed class MfaTests
{
    // RFC 6238 Appendix B: seeds are the ASCII digits "1234567890" repeated to 20, 32 and 64 bytes; 8-digit codes.
    private static readonly byte[] Sha1Seed = Encoding.ASCII.GetBytes("12345678901234567890");
    private static readonly byte[] Sha256Seed = Encoding.ASCII.GetBytes("12345678901234567890123456789012");
    private static readonly byte[] Sha512Seed = Encoding.ASCII.GetBytes("1234567890123456789012345678901234567890123456789012345678901234");

    [Theory]
    [InlineData(59L, "94287082", "46119246", "90693936")]
    [InlineData(1111111109L, "07081804", "68084774", "25091201")]
    [InlineData(1111111111L, "14050471", "67062674", "99943326")]
    [InlineData(1234567890L, "89005924", "91819424", "93441116")]
    [InlineData(2000000000L, "69279037", "90698825", "38618901")]
    [InlineData(20000000000L, "65353130", "77737706", "47863826")]
    public void Rfc6238_test_vectors_pass(long unixTime, string sha1, string sha256, string sha512)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(unixTime);
        Assert.Equal(sha1, TotpCodes.Compute(Sha1Seed, at, OtpHashMode.Sha1, 8));
        Assert.Equal(sha256, TotpCodes.Compute(Sha256Seed, at, OtpHashMode.Sha256, 8));
        Assert.Equal(sha512, TotpCodes.Compute(Sha512Seed, at, OtpHashMode.Sha512, 8));
        Assert.NotNull(TotpCodes.Verify(Sha512Seed, sha512, at, null, OtpHashMode.Sha512, 8));
    }

    [Fact]
    public void Verification_allows_one_step_of_drift_and_refuses_replay_and_garbage()
    {
        var (secret, base32) = TotpCodes.NewSecret();
        Assert.Equal(20, secret.Length);
        Assert.Equal(secret, Base32Encoding.ToBytes(base32));
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var code = TotpCodes.Compute(secret, now);

        var step = TotpCodes.Verify(secret, code, now.AddSeconds(30), null);
        Assert.Equal((long?)(1_700_000_000L / 30), step);
        Assert.Null(TotpCodes.Verify(secret, code, now.AddSeconds(90), null));
        Assert.Null(TotpCodes.Verify(secret, code, now, step));
        Assert.Null(TotpCodes.Verify(secret, "12345", now, null));
        Assert.Null(TotpCodes.Verify(secret, "abcdef", now, null));
    }

    [Fact]
    public async Task Recovery_codes_are_stored_hashed_and_work_once_for_their_subject_only()
    {
        await using var host = await AuthProxyHost.StartAsync();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        await db.Database.EnsureCreatedAsync();
        var service = scope.ServiceProvider.GetRequiredService<RecoveryCodeService>();

        var codes = await service.RegenerateAsync("user-1", 10, default);
        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[a-z2-9]{5}-[a-z2-9]{5}$", c));
        var stored = db.RecoveryCodes.Where(c => c.SubjectId == "user-1").ToList();
        Assert.Equal(10, stored.Count);
        Assert.All(stored, s => Assert.Equal(32, s.CodeHash.Length));

        Assert.False(await service.RedeemAsync("user-2", codes[0], default));
        Assert.True(await service.RedeemAsync("user-1", codes[0].ToUpperInvariant(), default));
        Assert.False(await service.RedeemAsync("user-1", codes[0], default));
        Assert.False(await service.RedeemAsync("user-1", "aaaaa-bbbbb", default));

        var replaced = await service.RegenerateAsync("user-1", 10, default);
        Assert.False(await service.RedeemAsync("user-1", codes[1], default));
        Assert.True(await service.RedeemAsync("user-1", replaced[1], default));
    }
}
