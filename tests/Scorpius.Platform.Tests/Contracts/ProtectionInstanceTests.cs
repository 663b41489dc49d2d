using System.Text.RegularExpressions;
using Scorpius.Contracts;

namespace Scorpius.Platform.Tests.Contracts;

/// <summary>Protection workflow instance ids: one per assessment, and always an id daprd accepts (≤ 64 of [A-Za-z0-9_-]).</summary>
public sealed partial class ProtectionInstanceTests
{
    [Theory]
    [InlineData("tenant-a", "asm-7", "protect-tenant-a-asm-7")]
    [InlineData("t_1", "A-b_9", "protect-t_1-A-b_9")]
    public void A_short_plain_id_stays_readable(string tenant, string assessment, string expected) =>
        Assert.Equal(expected, ProtectionInstance.Id(tenant, assessment));

    [Theory]
    [InlineData("tenant-a", "tx-31337-0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060-wal_0123456789abcdef")]
    [InlineData("acme.eu", "asm-1")]
    [InlineData("tenant-a", "id with spaces/and:colons")]
    public void A_long_or_unusual_id_is_hashed_into_a_valid_one_that_is_stable(string tenant, string assessment)
    {
        var id = ProtectionInstance.Id(tenant, assessment);

        Assert.Matches(DaprInstanceId(), id);
        Assert.Equal(id, ProtectionInstance.Id(tenant, assessment));
        Assert.NotEqual(id, ProtectionInstance.Id(tenant + "x", assessment));
        Assert.NotEqual(id, ProtectionInstance.Id(tenant, assessment + "x"));
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex DaprInstanceId();
}
