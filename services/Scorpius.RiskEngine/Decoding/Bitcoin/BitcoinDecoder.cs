using System.Buffers;
using NBitcoin;

namespace Scorpius.RiskEngine.Decoding.Bitcoin;

/// <summary>
/// Decodes Bitcoin raw transactions and PSBTs (BIP-174 v0 and BIP-370 v2) with NBitcoin into
/// <see cref="BitcoinTransactionInfo"/>. Invalid input is a <see cref="DecodeException"/> with the reason.
/// </summary>
/// <remarks>
/// Checked: the serialization is complete with no trailing bytes, no superfluous segwit marker, and the context-free
/// consensus rules of Bitcoin Core's CheckTransaction (inputs and outputs present, amounts within 0..21M BTC and
/// their sum too, no duplicate inputs, coinbase script size, no null prevout outside a coinbase). For a PSBT also: the
/// format rules NBitcoin enforces, each non-witness UTXO matches the input's prevout txid, and a witness UTXO agrees
/// with it. Not checked: scripts and signatures (no script interpreter runs), lock times, anything needing the UTXO set.
/// </remarks>
public static class BitcoinDecoder
{
    /// <summary>BIP-125: an input with nSequence below 0xfffffffe signals replaceability.</summary>
    private const uint RbfThreshold = 0xfffffffe;

    /// <summary>Decodes a hex-serialized transaction (legacy or segwit; 0x prefix optional).</summary>
    public static BitcoinTransactionInfo DecodeRaw(string hex, Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var bytes = TransactionHex.Parse(hex);
        var tx = Deserialize(bytes, network);
        CheckTransaction(tx, isPsbt: false);
        var fullySigned = tx.Inputs.All(i => i.ScriptSig.Length > 0 || (i.WitScript is { } w && w.PushCount > 0));
        return Build(tx, network, null, isPsbt: false, fullySigned, tx.HasWitness, tx.GetVirtualSize());
    }

    /// <summary>
    /// Decodes a base64 PSBT (hex is accepted too). Input amounts and addresses come from the inputs' UTXO records; the
    /// fee and fee rate are known when every input has one. Those records are the PSBT creator's claims (a witness UTXO
    /// alone is not tied to a transaction id); a non-witness UTXO is checked against the prevout txid.
    /// <see cref="BitcoinTransactionInfo.TxId"/> and the size are those of the finalized transaction when the PSBT is
    /// complete (<see cref="BitcoinTransactionInfo.IsFullySigned"/>: finalized, or every input finalizable).
    /// </summary>
    public static BitcoinTransactionInfo DecodePsbt(string base64, Network network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (string.IsNullOrWhiteSpace(base64))
        {
            throw new DecodeException("no PSBT: the input is empty");
        }

        PSBT psbt;
        try
        {
            psbt = PSBT.Parse(base64.Trim(), network);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new DecodeException($"not a valid PSBT: {ex.Message}", ex);
        }

        Transaction tx;
        try
        {
            tx = psbt.GetGlobalTransaction();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new DecodeException($"not a valid PSBT: its transaction cannot be built: {ex.Message}", ex);
        }

        CheckTransaction(tx, isPsbt: true);
        var amounts = new long?[tx.Inputs.Count];
        var scripts = new Script?[tx.Inputs.Count];
        for (var i = 0; i < psbt.Inputs.Count; i++)
        {
            var input = psbt.Inputs[i];
            TxOut? spent = null;
            if (input.NonWitnessUtxo is { } previous)
            {
                if (previous.GetHash() != input.PrevOut.Hash)
                {
                    throw new DecodeException($"PSBT input {i}: its non-witness UTXO is transaction {previous.GetHash()}, not the spent {input.PrevOut.Hash}");
                }

                if (input.PrevOut.N >= previous.Outputs.Count)
                {
                    throw new DecodeException($"PSBT input {i}: its non-witness UTXO has no output {input.PrevOut.N}");
                }

                spent = previous.Outputs[(int)input.PrevOut.N];
            }

            if (input.WitnessUtxo is { } witnessUtxo)
            {
                if (spent is not null && (spent.Value != witnessUtxo.Value || spent.ScriptPubKey != witnessUtxo.ScriptPubKey))
                {
                    throw new DecodeException($"PSBT input {i}: its witness UTXO ({witnessUtxo.Value.Satoshi} sat) contradicts its non-witness UTXO ({spent.Value.Satoshi} sat)");
                }

                spent ??= witnessUtxo;
            }

            if (spent is not null)
            {
                if (spent.Value.Satoshi < 0 || spent.Value.Satoshi > Money.COIN * 21_000_000)
                {
                    throw new DecodeException($"PSBT input {i}: the UTXO amount {spent.Value.Satoshi} sat is outside 0..21,000,000 BTC");
                }

                amounts[i] = spent.Value.Satoshi;
                scripts[i] = spent.ScriptPubKey;
            }
        }

        var finalTx = tx;
        var fullySigned = false;
        try
        {
            if (psbt.IsAllFinalized())
            {
                fullySigned = true;
                finalTx = psbt.ExtractTransaction();
            }
            else
            {
                var clone = psbt.Clone();
                if (clone.TryFinalize(out _))
                {
                    fullySigned = true;
                    finalTx = clone.ExtractTransaction();
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Finalization is attempted only to learn whether the PSBT is complete; a failure means it is not.
            fullySigned = false;
            finalTx = tx;
        }

        // Size: that of the finalized transaction when the PSBT is complete; otherwise NBitcoin's estimate from the spent
        // script types (it needs the UTXOs), else the unsigned transaction's size, which understates it.
        var vsize = 0;
        try
        {
            if (fullySigned)
            {
                vsize = finalTx.GetVirtualSize();
            }
            else if (!psbt.TryGetVirtualSize(out vsize))
            {
                vsize = 0;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            vsize = 0;
        }

        if (vsize <= 0)
        {
            vsize = tx.GetVirtualSize();
        }

        // Segwit: the signed transaction carries witnesses; before that, an input spends (or will spend) a witness program.
        var segwit = fullySigned
            ? finalTx.HasWitness
            : psbt.Inputs.Any(i =>
                i.WitnessUtxo is not null ||
                i.WitnessScript is not null ||
                i.FinalScriptWitness is not null ||
                (i.RedeemScript is { } redeem && BitcoinScripts.IsWitnessProgram(redeem.ToBytes(true), out _, out _)) ||
                (scripts[(int)i.Index] is { } spent && BitcoinScripts.IsWitnessProgram(spent.ToBytes(true), out _, out _)));

        // The txid is that of the transaction that will be broadcast: the finalized one when the PSBT is complete.
        return Build(finalTx, network, (amounts, scripts), isPsbt: true, fullySigned, segwit, vsize);
    }

    private static Transaction Deserialize(byte[] bytes, Network network)
    {
        var tx = network.Consensus.ConsensusFactory.CreateTransaction();
        using var memory = new MemoryStream(bytes, writable: false);
        var stream = new BitcoinStream(memory, false)
        {
            ConsensusFactory = network.Consensus.ConsensusFactory,
        };
        try
        {
            tx.ReadWrite(stream);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var reason = ex switch
            {
                EndOfStreamException => "the data ends before the transaction does",
                ArgumentOutOfRangeException => "a count, length or amount is out of range",
                _ => ex.Message,
            };
            throw new DecodeException($"not a valid Bitcoin transaction: {reason}", ex);
        }

        if (memory.Position != bytes.Length)
        {
            throw new DecodeException($"not a valid Bitcoin transaction: {bytes.Length - memory.Position} unexpected byte(s) after the transaction");
        }

        // BIP-144: the marker and flag (0x00 0x01 after the version) promise witness data; all-empty witnesses are
        // "superfluous" and Bitcoin Core rejects the serialization.
        if (bytes.Length > 6 && bytes[4] == 0x00 && bytes[5] != 0x00 && !tx.HasWitness)
        {
            throw new DecodeException("not a valid Bitcoin transaction: it carries the segwit marker but every witness is empty (superfluous witness record)");
        }

        return tx;
    }

    private static void CheckTransaction(Transaction tx, bool isPsbt)
    {
        var result = tx.Check();
        if (isPsbt && result is TransactionCheckResult.NoInput or TransactionCheckResult.NoOutput)
        {
            // A PSBT under construction may not have all its inputs or outputs yet.
            return;
        }

        var reason = result switch
        {
            TransactionCheckResult.Success => null,
            TransactionCheckResult.NoInput => "it has no inputs",
            TransactionCheckResult.NoOutput => "it has no outputs",
            TransactionCheckResult.TransactionTooLarge => "it is larger than the 1,000,000-weight-unit block limit allows",
            TransactionCheckResult.NegativeOutput => "an output amount is negative",
            TransactionCheckResult.OutputTooLarge => "an output amount exceeds 21,000,000 BTC",
            TransactionCheckResult.OutputTotalTooLarge => "the output amounts add up to more than 21,000,000 BTC",
            TransactionCheckResult.DuplicateInputs => "it spends the same output twice (duplicate inputs)",
            TransactionCheckResult.CoinbaseScriptTooLarge => "its coinbase script is not 2 to 100 bytes",
            TransactionCheckResult.NullInputPrevOut => "a non-coinbase input spends a null prevout",
            _ => result.ToString(),
        };
        if (reason is not null)
        {
            throw new DecodeException($"invalid Bitcoin transaction (consensus CheckTransaction): {reason}");
        }
    }

    private static BitcoinTransactionInfo Build(
        Transaction tx, Network network, (long?[] Amounts, Script?[] Scripts)? utxos, bool isPsbt, bool fullySigned, bool segwit, int vsize)
    {
        var inputs = new BitcoinInput[tx.Inputs.Count];
        var rbf = false;
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = tx.Inputs[i];
            var sequence = (uint)input.Sequence;
            rbf |= sequence < RbfThreshold;
            var amount = utxos?.Amounts[i];
            // The spent address is known only from the UTXO (PSBT). A scriptSig or witness is not trusted for it: no
            // script is verified here, so the key or script it shows is only a claim (NBitcoin obsoleted GetSigner for that).
            var address = utxos?.Scripts[i] is { } spentScript
                ? BitcoinScripts.AddressOf(spentScript.ToBytes(true), BitcoinScripts.Classify(spentScript.ToBytes(true)), network)
                : null;
            inputs[i] = new BitcoinInput(input.PrevOut.Hash.ToString(), input.PrevOut.N, sequence, amount, address);
        }

        var outputs = new BitcoinOutput[tx.Outputs.Count];
        long totalOut = 0;
        for (var i = 0; i < outputs.Length; i++)
        {
            var output = tx.Outputs[i];
            var script = output.ScriptPubKey.ToBytes(true);
            var type = BitcoinScripts.Classify(script);
            outputs[i] = new BitcoinOutput(i, output.Value.Satoshi, BitcoinScripts.AddressOf(script, type, network), type);
            totalOut += output.Value.Satoshi;
        }

        long? fee = null;
        double? feeRate = null;
        if (utxos is { } known && inputs.Length > 0 && known.Amounts.All(a => a.HasValue))
        {
            var totalIn = known.Amounts.Sum(a => a!.Value);
            if (totalIn < totalOut)
            {
                throw new DecodeException($"invalid PSBT: its outputs ({totalOut} sat) exceed its inputs ({totalIn} sat)");
            }

            fee = totalIn - totalOut;
            feeRate = vsize > 0 ? (double)fee.Value / vsize : null;
        }

        return new BitcoinTransactionInfo(
            TxId: tx.GetHash().ToString(),
            Version: (int)tx.Version,
            LockTime: tx.LockTime.Value,
            IsSegwit: segwit,
            SignalsRbf: rbf,
            VirtualSize: vsize,
            Inputs: inputs,
            Outputs: outputs,
            FeeSats: fee,
            FeeRateSatPerVByte: feeRate,
            IsPsbt: isPsbt,
            IsFullySigned: fullySigned);
    }
}
