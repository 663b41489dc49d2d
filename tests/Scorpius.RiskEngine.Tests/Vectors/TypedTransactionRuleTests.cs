using System.Numerics;
using Nethereum.Model;
using Nethereum.Signer;
using Nethereum.Util;
using Scorpius.RiskEngine.Decoding;
using Scorpius.RiskEngine.Decoding.Evm;
using static Scorpius.RiskEngine.Tests.Vectors.TxBuilder;

namespace Scorpius.RiskEngine.Tests.Vectors;

/// <summary>
/// The transaction kinds and fork rules the vector files do not reach (their latest fork is Cancun): EIP-4844 blob
/// transactions (plain and network-wrapped), EIP-7702 set-code transactions and their authorizations, the Prague
/// EIP-7623 calldata floor and the Osaka EIP-7825 gas cap. Transactions are built and signed independently of the
/// decoder (see <see cref="TxBuilder"/>, and Nethereum's own 7702 signer).
/// </summary>
public sealed class TypedTransactionRuleTests
{
    private static readonly EvmDecodeOptions Cancun = new() { Fork = EvmFork.Cancun };
    private static readonly EvmDecodeOptions Prague = new() { Fork = EvmFork.Prague };
    private static readonly EvmDecodeOptions Osaka = new() { Fork = EvmFork.Osaka };

    [Fact]
    public void BlobTransactionDecodes()
    {
        var commitments = Commitments(2);
        var raw = SignTyped(3, KeyA, BlobFields(1, To, [.. commitments.Select(VersionedHash)]));
        var tx = SignedTransactionDecoder.Decode(raw, Cancun);

        Assert.Equal(3, tx.Type);
        Assert.Equal(1L, tx.ChainId);
        Assert.Equal(2, tx.BlobVersionedHashes);
        Assert.Equal(1, tx.AccessListEntries);
        Assert.Equal(new BigInteger(12345), tx.Value);
        Assert.Equal(AddressOf(KeyA), tx.From);
        Assert.Equal(new AddressUtil().ConvertToChecksumAddress(To), tx.To);
        Assert.Equal(EthersTransactionTests.KeccakHex(raw), tx.Hash);
    }

    [Fact]
    public void WrappedBlobTransactionHasTheHashOfItsPlainForm()
    {
        var commitments = Commitments(3);
        var plain = SignTyped(3, KeyB, BlobFields(1, To, [.. commitments.Select(VersionedHash)]));
        var wrapped = Wrap(plain, commitments);

        var tx = SignedTransactionDecoder.Decode(wrapped, Prague);
        Assert.Equal(EthersTransactionTests.KeccakHex(plain), tx.Hash);
        Assert.Equal(AddressOf(KeyB), tx.From);
        Assert.Equal(3, tx.BlobVersionedHashes);
    }

    [Fact]
    public void CellProofWrapperIsOsakaOnly()
    {
        var commitments = Commitments(1);
        var plain = SignTyped(3, KeyA, BlobFields(1, To, [.. commitments.Select(VersionedHash)]));
        var wrapped = Wrap(plain, commitments, version: 1);

        Assert.Equal(AddressOf(KeyA), SignedTransactionDecoder.Decode(wrapped, Osaka).From);
        var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(wrapped, Prague));
        Assert.Contains("Osaka", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrappedCommitmentMustMatchItsVersionedHash()
    {
        var commitments = Commitments(2);
        var plain = SignTyped(3, KeyA, BlobFields(1, To, [.. commitments.Select(VersionedHash)]));
        var wrapped = Wrap(plain, [commitments[1], commitments[0]]);

        var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(wrapped, Cancun));
        Assert.Contains("does not match", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-recipient")]
    [InlineData("no-blobs")]
    [InlineData("hash-version")]
    [InlineData("seven-blobs-at-cancun")]
    [InlineData("ten-blobs-at-prague")]
    [InlineData("before-cancun")]
    public void InvalidBlobTransactionsAreRejected(string problem)
    {
        var hashes = Commitments(1).Select(VersionedHash).ToArray();
        var options = Cancun;
        byte[][] fields;
        string reason;
        switch (problem)
        {
            case "no-recipient":
                fields = BlobFields(1, null, hashes);
                reason = "'to' is empty";
                break;
            case "no-blobs":
                fields = BlobFields(1, To, []);
                reason = "at least one blob";
                break;
            case "hash-version":
                hashes[0][0] = 0x02;
                fields = BlobFields(1, To, hashes);
                reason = "version 0x02";
                break;
            case "seven-blobs-at-cancun":
                fields = BlobFields(1, To, [.. Commitments(7).Select(VersionedHash)]);
                reason = "at most 6";
                break;
            case "ten-blobs-at-prague":
                fields = BlobFields(1, To, [.. Commitments(10).Select(VersionedHash)]);
                options = Prague;
                reason = "at most 9";
                break;
            default:
                fields = BlobFields(1, To, hashes);
                options = new EvmDecodeOptions { Fork = EvmFork.Shanghai };
                reason = "activates at Cancun";
                break;
        }

        var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(SignTyped(3, KeyA, fields), options));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SevenBlobsAreValidAtPrague()
    {
        var raw = SignTyped(3, KeyA, BlobFields(1, To, [.. Commitments(7).Select(VersionedHash)]));
        Assert.Equal(7, SignedTransactionDecoder.Decode(raw, Prague).BlobVersionedHashes);
    }

    /// <summary>A set-code transaction signed by Nethereum's own EIP-7702 signer: same sender, hash and authorities.</summary>
    [Fact]
    public void SetCodeTransactionSignedByNethereumDecodes()
    {
        var delegate1 = "0x63c0c19a282a1b52b07dd5a65b58948a07dae32b";
        var delegate2 = "0x00000000000000000000000000000000000000ee";
        var authorizations = new List<Authorisation7702Signed>
        {
            new Authorisation7702Signer().SignAuthorisation(KeyB, new Authorisation7702 { ChainId = 1, Address = delegate1, Nonce = 0 }),
            new Authorisation7702Signer().SignAuthorisation(KeyA, new Authorisation7702 { ChainId = 0, Address = delegate2, Nonce = 41 }),
        };
        var unsigned = new Transaction7702(1, 5, 1_000_000_000, 20_000_000_000, 200_000, To, 0, "0x", [], authorizations);
        var hex = new Transaction7702Signer().SignTransaction(KeyA, unsigned);

        var tx = SignedTransactionDecoder.Decode(hex, Prague);
        Assert.Equal(4, tx.Type);
        Assert.Equal(AddressOf(KeyA), tx.From);
        Assert.Equal(TransactionVerificationAndRecovery.GetSenderAddress(hex), tx.From, ignoreCase: true);
        Assert.Equal(EthersTransactionTests.KeccakHex(VectorFiles.Hex(hex)), tx.Hash);
        Assert.Collection(
            tx.Authorizations,
            a =>
            {
                Assert.Equal(1L, a.ChainId);
                Assert.Equal(new AddressUtil().ConvertToChecksumAddress(delegate1), a.Address);
                Assert.Equal(BigInteger.Zero, a.Nonce);
                Assert.Equal(AddressOf(KeyB), a.Authority);
                Assert.Equal(EthECKeyBuilderFromSignedAuthorisation.RecoverSignerAddress(authorizations[0]), a.Authority, ignoreCase: true);
            },
            a =>
            {
                Assert.Equal(0L, a.ChainId);
                Assert.Equal(new BigInteger(41), a.Nonce);
                Assert.Equal(AddressOf(KeyA), a.Authority);
            });
    }

    [Fact]
    public void AuthorizationsThatCannotTakeEffectHaveNoAuthority()
    {
        var target = "0x00000000000000000000000000000000000000ee";
        var raw = SignTyped(4, KeyA, SetCodeFields(
            1,
            200_000,
            To,
            [],
            Authorization(KeyB, 1, target, 0),
            Authorization(KeyB, 1, target, 0, forceYParity: 2),
            Authorization(KeyB, 1, target, 0, highS: true),
            Authorization(KeyB, 1, target, ulong.MaxValue)));

        var tx = SignedTransactionDecoder.Decode(raw, Prague);
        Assert.Equal(4, tx.Authorizations.Count);
        Assert.Equal(AddressOf(KeyB), tx.Authorizations[0].Authority);
        Assert.All(tx.Authorizations.Skip(1), a => Assert.Null(a.Authority));
    }

    [Theory]
    [InlineData("empty-list", "at least one authorization")]
    [InlineData("no-recipient", "'to' is empty")]
    [InlineData("before-prague", "activates at Prague")]
    [InlineData("authorization-fields", "authorizationList[0] has 5 items")]
    [InlineData("authorization-address", "authorizationList[0].address is 19 bytes")]
    [InlineData("authorization-nonce", "authorizationList[0].nonce is 9 bytes")]
    [InlineData("high-s", "EIP-2")]
    [InlineData("intrinsic-gas", "intrinsic gas 46000")]
    public void InvalidSetCodeTransactionsAreRejected(string problem, string reason)
    {
        var target = "0x00000000000000000000000000000000000000ee";
        var authorization = Authorization(KeyB, 1, target, 3);
        var options = Prague;
        var highS = false;
        var fields = problem switch
        {
            "empty-list" => SetCodeFields(1, 100_000, To, []),
            "no-recipient" => SetCodeFields(1, 100_000, null, [], authorization),
            "authorization-fields" => SetCodeFields(1, 100_000, To, [], List(Num(1), Str(Hex(target)), Num(3), Num(0), Num(1))),
            "authorization-address" => SetCodeFields(1, 100_000, To, [], List(Num(1), Str(new byte[19]), Num(3), Num(0), Num(1), Num(1))),
            "authorization-nonce" => SetCodeFields(1, 100_000, To, [], List(Num(1), Str(Hex(target)), Num(BigInteger.One << 64), Num(0), Num(1), Num(1))),
            "intrinsic-gas" => SetCodeFields(1, 45_999, To, [], authorization),
            _ => SetCodeFields(1, 100_000, To, [], authorization),
        };
        if (problem == "before-prague")
        {
            options = Cancun;
        }

        highS = problem == "high-s";
        var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(SignTyped(4, KeyA, fields, highS), options));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AuthorizationCountIsBounded()
    {
        var target = "0x00000000000000000000000000000000000000ee";
        var raw = SignTyped(4, KeyA, SetCodeFields(1, 200_000, To, [], Authorization(KeyB, 1, target, 0), Authorization(KeyB, 1, target, 1), Authorization(KeyB, 1, target, 2)));

        Assert.Equal(3, SignedTransactionDecoder.Decode(raw, Prague with { MaxAuthorizations = 3 }).Authorizations.Count);
        var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(raw, Prague with { MaxAuthorizations = 2 }));
        Assert.Contains("more than 2 authorizations", error.Message, StringComparison.Ordinal);
    }

    /// <summary>EIP-7623: from Prague a gas limit must also cover 21000 + 10 per calldata token.</summary>
    [Fact]
    public void CalldataFloorAppliesFromPrague()
    {
        var data = Enumerable.Repeat((byte)0xff, 1000).ToArray(); // 16000 standard calldata gas, 4000 tokens → floor 61000
        var fields = new[] { Num(1), Num(0), Num(1), Num(2), Num(50_000), Str(Hex(To)), Num(0), Str(data), List() };
        var raw = SignTyped(2, KeyA, fields);

        Assert.Equal(AddressOf(KeyA), SignedTransactionDecoder.Decode(raw, Cancun).From);
        var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(raw, Prague));
        Assert.Contains("EIP-7623", error.Message, StringComparison.Ordinal);
        Assert.Equal(61_000UL, SignedTransactionDecoder.CalldataFloorGas(data));
    }

    /// <summary>EIP-7825: from Osaka a transaction's gas limit is at most 2^24.</summary>
    [Fact]
    public void GasCapAppliesFromOsaka()
    {
        var fields = new[] { Num(1), Num(0), Num(1), Num(2), Num((1 << 24) + 1), Str(Hex(To)), Num(0), Str([]), List() };
        var raw = SignTyped(2, KeyA, fields);

        Assert.Equal(new BigInteger((1 << 24) + 1), SignedTransactionDecoder.Decode(raw, Prague).GasLimit);
        var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(raw, Osaka));
        Assert.Contains("EIP-7825", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TypedChainIdIsCheckedWhenExpected()
    {
        var raw = SignTyped(2, KeyA, [Num(10), Num(0), Num(1), Num(2), Num(21_000), Str(Hex(To)), Num(0), Str([]), List()]);

        Assert.Equal(10L, SignedTransactionDecoder.Decode(raw).ChainId);
        var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(raw, new EvmDecodeOptions { ExpectedChainId = 1 }));
        Assert.Contains("chain id 10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HighSTypedSignatureIsRejected()
    {
        var raw = SignTyped(2, KeyA, [Num(1), Num(0), Num(1), Num(2), Num(21_000), Str(Hex(To)), Num(0), Str([]), List()], highS: true);
        var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(raw));
        Assert.Contains("EIP-2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "null")]
    [InlineData("", "empty")]
    [InlineData("0x", "empty")]
    [InlineData("0xf86", "odd number")]
    [InlineData("0xzz", "not a hex digit")]
    [InlineData("0x05c0", "unsupported transaction type 0x05")]
    [InlineData("0x00", "unsupported transaction type 0x00")]
    [InlineData("0x80", "RLP string")]
    [InlineData("0xc0", "has 0 fields")]
    [InlineData("0x02", "end of input")]
    [InlineData("0x02c0", "this one has 0 fields")]
    [InlineData("0x0280", "payload is an RLP string")]
    public void MalformedInputIsADecodeException(string? hex, string reason)
    {
        var error = Assert.Throws<DecodeException>(() => SignedTransactionDecoder.Decode(hex!));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HexFormsAreEquivalent()
    {
        var example = VectorFiles.Hex(Eip155ExampleTests.SignedTx);
        var expected = SignedTransactionDecoder.Decode(example).Hash;
        var hex = Convert.ToHexStringLower(example);
        Assert.Equal(expected, SignedTransactionDecoder.Decode(hex).Hash);
        Assert.Equal(expected, SignedTransactionDecoder.Decode("0x" + hex.ToUpperInvariant()).Hash);
        Assert.Equal(expected, SignedTransactionDecoder.Decode("  0X" + hex + "\n").Hash);
    }
}
