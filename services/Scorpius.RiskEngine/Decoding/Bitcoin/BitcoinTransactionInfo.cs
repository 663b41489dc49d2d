namespace Scorpius.RiskEngine.Decoding.Bitcoin;

/// <summary>
/// A Bitcoin transaction (raw or from a PSBT) as the detectors see it. Amounts are satoshis. The fee and fee rate are
/// known only when every input's amount is known (a PSBT with UTXO data); otherwise they are null.
/// </summary>
public sealed record BitcoinTransactionInfo(
    string TxId,
    int Version,
    uint LockTime,
    bool IsSegwit,
    bool SignalsRbf,
    int VirtualSize,
    IReadOnlyList<BitcoinInput> Inputs,
    IReadOnlyList<BitcoinOutput> Outputs,
    long? FeeSats,
    double? FeeRateSatPerVByte,
    bool IsPsbt,
    bool IsFullySigned);

public sealed record BitcoinInput(string PrevTxId, uint PrevIndex, uint Sequence, long? AmountSats, string? Address);

/// <summary>One output; <see cref="Address"/> is null for scripts without one (OP_RETURN, bare multisig, non-standard).</summary>
public sealed record BitcoinOutput(int Index, long AmountSats, string? Address, string ScriptType);
