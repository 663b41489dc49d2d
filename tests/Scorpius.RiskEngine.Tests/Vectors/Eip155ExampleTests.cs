using System.Globalization;
using System.Numerics;
using Nethereum.Signer;
using Nethereum.Util;
using Scorpius.RiskEngine.Decoding.Evm;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>The worked example of EIP-155 (eip155_example.json): the signed transaction, its fields and its signer.</summary>
public sealed class Eip155ExampleTests
{
    private const string File = "ethereum/eip155_example.json";

    internal static string SignedTx
    {
        get
        {
            using var document = VectorFiles.Json(File);
            return document.RootElement.GetProperty("signedTx").GetString()!;
        }
    }

    [Fact]
    public void ExampleDecodes()
    {
        using var document = VectorFiles.Json(File);
        var root = document.RootElement;
        var fields = root.GetProperty("tx");

        // The EIP's signing data hashes to its signing hash; the key in the example signs as the sender.
        Assert.Equal(
            root.GetProperty("signingHash").GetString(),
            "0x" + Convert.ToHexStringLower(new Sha3Keccack().CalculateHash(VectorFiles.Hex(root.GetProperty("signingData").GetString()))));
        var sender = new EthECKey(root.GetProperty("privateKey").GetString()).GetPublicAddress();

        var tx = SignedTransactionDecoder.Decode(root.GetProperty("signedTx").GetString()!);
        Assert.Equal(0, tx.Type);
        Assert.Equal(fields.GetProperty("chainId").GetInt64(), tx.ChainId);
        Assert.Equal(new BigInteger(fields.GetProperty("nonce").GetInt64()), tx.Nonce);
        Assert.Equal<BigInteger?>(BigInteger.Parse(fields.GetProperty("gasPrice").GetString()!, CultureInfo.InvariantCulture), tx.GasPrice);
        Assert.Equal(new BigInteger(fields.GetProperty("gasLimit").GetInt64()), tx.GasLimit);
        Assert.Equal(fields.GetProperty("to").GetString(), tx.To);
        Assert.Equal(BigInteger.Parse(fields.GetProperty("value").GetString()!, CultureInfo.InvariantCulture), tx.Value);
        Assert.Empty(tx.Data);
        Assert.Equal("0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F", tx.From);
        Assert.Equal(sender, tx.From);
        Assert.Equal(EthersTransactionTests.KeccakHex(VectorFiles.Hex(root.GetProperty("signedTx").GetString())), tx.Hash);
    }
}
