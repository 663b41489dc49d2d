using System.Numerics;

namespace Scorpius.RiskEngine.Decoding.Evm;

/// <summary>
/// What a transaction or signature would do, in the terms the detectors reason about. <see cref="Path"/> says where it
/// was found (<c>call</c>, <c>call.multicall[2]</c>, <c>call.execTransaction</c>, <c>typedData</c>…), so hidden actions
/// inside batches stay explainable.
/// </summary>
public abstract record EvmAction(string Path);

public enum ApprovalKind
{
    Erc20Approve, Erc20IncreaseAllowance, ApprovalForAll, Erc2612Permit, DaiPermit,
    Permit2Approve, Permit2Permit, Permit2TransferFrom,
}

/// <summary>
/// A grant of spending power. <see cref="Amount"/> is null for all-or-nothing grants (setApprovalForAll, DAI permit);
/// <see cref="Expiry"/> is the deadline or expiration when the grant has one; <see cref="IsSignature"/> marks an
/// off-chain signature (typed data) rather than a call.
/// </summary>
public sealed record ApprovalAction(
    string Path, ApprovalKind Kind, string? Token, string Spender, BigInteger? Amount, bool Revokes,
    DateTimeOffset? Expiry, bool IsSignature, string? Owner = null) : EvmAction(Path)
{
    /// <summary>Amounts at or above 2^128 are treated as unlimited: no token has that many base units in circulation.</summary>
    public static readonly BigInteger UnlimitedThreshold = BigInteger.One << 128;
    public static readonly BigInteger MaxUint160 = (BigInteger.One << 160) - 1;

    public bool IsUnlimited => !Revokes && (Amount is null || Amount >= UnlimitedThreshold || Amount == MaxUint160);
}

public enum TransferKind { Native, Erc20Transfer, Erc20TransferFrom, NftTransfer, Erc1155Transfer, Permit2TransferFrom }

/// <summary>Value moving from <see cref="From"/> (null: the signer) to <see cref="To"/>; <see cref="Token"/> null is the native coin.</summary>
public sealed record TransferAction(string Path, TransferKind Kind, string? Token, string? From, string To, BigInteger Amount) : EvmAction(Path);

/// <summary>A Safe (or any) account executing a DELEGATECALL: the target's code runs with the caller's storage and funds.</summary>
public sealed record DelegateCallAction(string Path, string Account, string Target, int DataLength) : EvmAction(Path);

/// <summary>An upgradeable proxy pointed at new code.</summary>
public sealed record ProxyUpgradeAction(string Path, string Proxy, string Implementation) : EvmAction(Path);

/// <summary>Control of a contract or Safe changes hands: owner, admin, role, threshold, module or guard.</summary>
public sealed record ControlChangeAction(string Path, string Contract, string Method, string? Subject, string Detail) : EvmAction(Path);

/// <summary>A marketplace order (Seaport-style): what the signer offers and what it gets back.</summary>
public sealed record MarketplaceOrderAction(
    string Path, string? Marketplace, string Offerer, int OfferItems, int ConsiderationItems,
    int ConsiderationItemsToOfferer, BigInteger ConsiderationToOffererTotal, IReadOnlyList<string> Recipients) : EvmAction(Path);

/// <summary>An EIP-7702 authorization: the account's code will be the <see cref="Delegate"/>'s.</summary>
public sealed record SetCodeAction(string Path, string? Authority, string Delegate, long ChainId) : EvmAction(Path);

/// <summary>A call that was not recognised; the target and selector are still checked against intelligence.</summary>
public sealed record ContractCallAction(string Path, string Target, string Selector, string? Method, int DataLength, bool Malformed, BigInteger Value) : EvmAction(Path);

/// <summary>A contract deployment.</summary>
public sealed record ContractCreationAction(string Path, int InitCodeLength) : EvmAction(Path);

/// <summary>The EIP-712 domain of a signature request: who will verify it, on which chain.</summary>
public sealed record TypedDataDomainAction(string Path, string PrimaryType, string? Name, string? VerifyingContract, long? ChainId) : EvmAction(Path);

/// <summary>An EIP-712 signature request that matched no known structure.</summary>
public sealed record UnknownTypedDataAction(string Path, string PrimaryType, string? VerifyingContract, long? DomainChainId) : EvmAction(Path);
