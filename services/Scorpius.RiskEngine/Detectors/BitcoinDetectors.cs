using System.Globalization;
using Scorpius.Contracts;
using Scorpius.RiskEngine.Decoding.Bitcoin;
using Scorpius.RiskEngine.Intel;
using Scorpius.RiskEngine.Model;

namespace Scorpius.RiskEngine.Detectors;

/// <summary>Bitcoin: who gets paid, how much, at what fee, and whether the transaction can still be replaced.</summary>
internal static class BitcoinDetectors
{
    /// <summary>Above this, a fee rate is almost certainly a mistake (or a fee-sniping trap): 1,000 sat/vB.</summary>
    public const double AbsurdFeeRate = 1000;

    public static void Run(BitcoinTransactionInfo tx, IThreatIntel intel, AssessmentContext context, FindingList findings)
    {
        foreach (var output in tx.Outputs)
        {
            var path = $"outputs[{output.Index}]";
            if (output.Address is null)
            {
                if (output.ScriptType != "op_return")
                    findings.Add("NON_STANDARD_OUTPUT", Severity.Low, path,
                        $"Output {output.Index} pays {output.AmountSats} sats to a script without an address ({output.ScriptType}); wallets cannot show who can spend it.",
                        ("index", output.Index), ("amountSats", output.AmountSats), ("scriptType", output.ScriptType));
                continue;
            }
            AddressChecks.Labels(findings, intel, Chain.Bitcoin, null, output.Address, "recipient", path);
            AddressChecks.Poisoning(findings, output.Address, context.KnownCounterparties, "recipient", path);
            if (context.LargeTransferThresholds.TryGetValue("native", out var threshold) && output.AmountSats >= threshold && output.AmountSats > 0)
            {
                findings.Add("LARGE_TRANSFER", Severity.Medium, path,
                    $"Output {output.Index} sends {output.AmountSats} sats to {output.Address}, at or above your policy's threshold of {threshold}.",
                    ("index", output.Index), ("amountSats", output.AmountSats), ("threshold", threshold.ToString(CultureInfo.InvariantCulture)), ("to", output.Address));
            }
        }
        foreach (var input in tx.Inputs.Where(i => i.Address is not null))
        {
            AddressChecks.Labels(findings, intel, Chain.Bitcoin, null, input.Address!, "input owner", $"inputs[{input.PrevTxId}:{input.PrevIndex}]");
        }

        if (tx.FeeRateSatPerVByte is { } rate && tx.FeeSats is { } fee)
        {
            var sent = tx.Outputs.Sum(o => o.AmountSats);
            if (rate >= AbsurdFeeRate || (fee > 100_000 && fee > sent))
            {
                findings.Add("EXCESSIVE_FEE", Severity.High, "fee",
                    $"The fee is {fee} sats ({rate.ToString("0.#", CultureInfo.InvariantCulture)} sat/vB){(fee > sent ? ", more than everything the transaction sends" : "")}; check the amounts before signing.",
                    ("feeSats", fee), ("feeRateSatPerVByte", Math.Round(rate, 2)), ("sentSats", sent));
            }
        }
        if (tx.SignalsRbf)
        {
            findings.Add("RBF_ENABLED", Severity.Info, "rbf",
                "The transaction signals replace-by-fee (BIP-125): until it confirms it can be replaced, so do not treat it as final.",
                ("txid", tx.TxId));
        }
        if (tx.IsPsbt && !tx.IsFullySigned)
        {
            findings.Add("PSBT_INCOMPLETE", Severity.Info, "psbt",
                "The PSBT is not fully signed yet.", ("inputs", tx.Inputs.Count));
        }
    }
}
