using System.Numerics;

namespace Scorpius.RiskEngine.Decoding.Evm;

/// <summary>
/// A signed Ethereum/EVM transaction as decoded from its raw bytes: every field, the recovered sender and the hash.
/// <see cref="Type"/> is the EIP-2718 type: 0 legacy (with <see cref="ChainId"/> when EIP-155 protected),
/// 1 EIP-2930, 2 EIP-1559, 3 EIP-4844 (blob), 4 EIP-7702 (set code).
/// </summary>
public sealed record EvmTransaction(
    int Type,
    long? ChainId,
    BigInteger Nonce,
    BigInteger GasLimit,
    BigInteger? GasPrice,
    BigInteger? MaxFeePerGas,
    BigInteger? MaxPriorityFeePerGas,
    string? To,
    BigInteger Value,
    byte[] Data,
    string From,
    string Hash,
    int AccessListEntries,
    int BlobVersionedHashes,
    IReadOnlyList<SetCodeAuthorization> Authorizations)
{
    public bool IsContractCreation => To is null;
}

/// <summary>One EIP-7702 authorization: the EOA <see cref="Authority"/> delegates its code to <see cref="Address"/>.</summary>
public sealed record SetCodeAuthorization(long ChainId, string Address, BigInteger Nonce, string? Authority);
