namespace Scorpius.RiskEngine.Decoding.Evm;

/// <summary>Ethereum protocol forks whose rules change which transactions are valid, in activation order.</summary>
public enum EvmFork
{
    Frontier,
    Homestead,
    TangerineWhistle,
    SpuriousDragon,
    Byzantium,
    Constantinople,
    Petersburg,
    Istanbul,
    Berlin,
    London,
    Paris,
    Shanghai,
    Cancun,
    Prague,
    Osaka,
}

/// <summary>
/// What <see cref="SignedTransactionDecoder"/> validates beyond the encoding. The default follows mainnet clients at
/// Prague with no chain pinned: all encoding, size and signature rules, intrinsic gas and the EIP-7623 calldata floor.
/// </summary>
public sealed record EvmDecodeOptions
{
    public static EvmDecodeOptions Default { get; } = new();

    /// <summary>The fork whose transaction rules apply (types allowed, EIP-2 low-s, EIP-155, gas costs, size limits).</summary>
    public EvmFork Fork { get; init; } = EvmFork.Prague;

    /// <summary>When set, a transaction signed for another chain (EIP-155 or typed chain id) is rejected.</summary>
    public long? ExpectedChainId { get; init; }

    /// <summary>Reject a gas limit below the intrinsic gas of the transaction (and, from Prague, the EIP-7623 floor).</summary>
    public bool CheckIntrinsicGas { get; init; } = true;

    /// <summary>
    /// Most EIP-7702 authorizations decoded (each costs one signature recovery, about 0.1 ms); a transaction with more is
    /// rejected rather than left half-assessed. Not a protocol rule: a resource bound (wallets send one or two).
    /// </summary>
    public int MaxAuthorizations { get; init; } = 64;
}

/// <summary>The fork-dependent constants the decoder checks.</summary>
internal static class EvmForkRules
{
    /// <summary>EIP-2294's bound on chain ids: floor(2^64 / 2) - 36, so that an EIP-155 v fits in 64 bits.</summary>
    public const long MaxChainId = 9223372036854775771;

    /// <summary>EIP-3860 initcode size limit (2 × the EIP-170 code size limit).</summary>
    public const int MaxInitCodeSize = 49152;

    /// <summary>EIP-7825 (Osaka) transaction gas limit cap.</summary>
    public const ulong MaxTransactionGasOsaka = 1UL << 24;

    public static bool SupportsType(EvmFork fork, int type) => type switch
    {
        0 => true,
        1 => fork >= EvmFork.Berlin,
        2 => fork >= EvmFork.London,
        3 => fork >= EvmFork.Cancun,
        4 => fork >= EvmFork.Prague,
        _ => false,
    };

    public static string ActivationOf(int type) => type switch
    {
        1 => "Berlin (EIP-2930)",
        2 => "London (EIP-1559)",
        3 => "Cancun (EIP-4844)",
        4 => "Prague (EIP-7702)",
        _ => "no fork",
    };

    /// <summary>Most blobs one transaction may carry: 6 at Cancun, the Prague block maximum of 9, 6 again from Osaka (EIP-7594).</summary>
    public static int MaxBlobsPerTransaction(EvmFork fork) => fork switch
    {
        EvmFork.Prague => 9,
        _ => 6,
    };
}
