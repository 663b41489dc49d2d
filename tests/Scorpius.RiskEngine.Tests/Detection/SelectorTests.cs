using Scorpius.RiskEngine.Decoding.Evm;

namespace Scorpius.RiskEngine.Tests.Detection;

public sealed class SelectorTests
{
    [Fact]
    public void Every_recognised_selector_is_the_keccak_of_its_signature()
    {
        var keccak = new Nethereum.Util.Sha3Keccack();
        Assert.NotEmpty(CalldataDecoder.KnownMethods);
        Assert.All(CalldataDecoder.KnownMethods, m =>
            Assert.Equal(keccak.CalculateHash(m.Signature)[..8], m.Selector.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Every_drainer_selector_is_the_keccak_of_its_signature()
    {
        var keccak = new Nethereum.Util.Sha3Keccack();
        Assert.All(Scorpius.RiskEngine.Detectors.DrainerPatterns.Selectors, m =>
            Assert.Equal(keccak.CalculateHash(m.Value)[..8], m.Key.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
