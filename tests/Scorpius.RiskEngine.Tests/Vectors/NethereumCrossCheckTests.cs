using Nethereum.Model;
using Nethereum.Signer;
using Scorpius.RiskEngine.Decoding.Evm;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>
/// A second opinion from Nethereum 6.1 (TransactionFactory + TransactionVerificationAndRecovery, BouncyCastle
/// recovery) on a sample of the vectors: every TransactionTests vector valid at its latest fork, and every 20th ethers
/// vector (legacy, EIP-155, EIP-2930, EIP-1559). Both must find the same sender and the same hash.
/// </summary>
public sealed class NethereumCrossCheckTests
{
    private static readonly Lazy<Dictionary<string, byte[]>> Sample = new(() =>
    {
        var sample = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, raw, _) in EthereumTransactionTests.ValidAtLatestFork())
        {
            sample[$"TransactionTests/{name}"] = raw;
        }

        foreach (var (item, index) in EthersTransactionTests.Samples().Select((s, i) => (s, i)))
        {
            if (index % 20 == 0)
            {
                sample[$"ethers/{item.Name}"] = item.Raw;
            }
        }

        return sample;
    });

    public static TheoryData<string> Cases() => [.. Sample.Value.Keys];

    [Theory]
    [MemberData(nameof(Cases))]
    public void SameSenderAndHashAsNethereum(string name)
    {
        var raw = Sample.Value[name];
        var hex = Convert.ToHexStringLower(raw);
        var ours = SignedTransactionDecoder.Decode(raw, new EvmDecodeOptions { CheckIntrinsicGas = false });

        var theirs = TransactionFactory.CreateTransaction(hex);
        Assert.Equal("0x" + Convert.ToHexStringLower(theirs.Hash), ours.Hash);
        Assert.Equal(TransactionVerificationAndRecovery.GetSenderAddress(hex), ours.From, ignoreCase: true);
    }
}
