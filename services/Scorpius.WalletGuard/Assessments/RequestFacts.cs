using System.Globalization;
using System.Numerics;
using NBitcoin;
using Scorpius.Contracts;
using Scorpius.RiskEngine.Decoding.Bitcoin;
using Scorpius.RiskEngine.Decoding.Evm;
using Scorpius.RiskEngine.Model;
using Scorpius.WalletGuard.Policies;

namespace Scorpius.WalletGuard.Assessments;

/// <summary>
/// What a request does, in the terms wallet matching and the policies use, read with the engine's own decoders: who
/// signs (EVM) or spends (Bitcoin inputs), the decoded action kinds, counterparties (spenders, operators, recipients,
/// call and delegate targets; never the signer), and amounts per asset. A request the decoders cannot read yields no
/// facts: the engine reports it as an error anyway.
/// </summary>
public sealed record RequestFacts(
    string? Signer,
    IReadOnlyList<string> InputAddresses,
    IReadOnlyList<string> Counterparties,
    IReadOnlyList<string> MethodKinds,
    IReadOnlyDictionary<string, BigInteger> AtStake,
    IReadOnlyDictionary<string, BigInteger> Moved,
    IReadOnlyList<BitcoinOutput> BitcoinOutputs,
    bool IsMovement)
{
    public const string Native = "native";

    private static readonly EvmDecodeOptions Lenient = new() { CheckIntrinsicGas = false };

    public static RequestFacts None(string? signer) => new(signer, [], [], [], new Dictionary<string, BigInteger>(), new Dictionary<string, BigInteger>(), [], false);

    public static RequestFacts Extract(AssessmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fallbackSigner = request.Transaction?.From ?? request.From;
        try
        {
            switch (request.Kind)
            {
                case RequestKind.Transaction:
                    var tx = request.Transaction!;
                    return FromEvm(tx.From, CalldataDecoder.DecodeTransaction(tx.From, tx.To, tx.Value, tx.Data), isMovement: true, signature: false);
                case RequestKind.Raw when request.Chain == Chain.Ethereum:
                    var signed = SignedTransactionDecoder.Decode(request.Raw!, Lenient);
                    var signer = signed.From.ToLowerInvariant();
                    var actions = CalldataDecoder.DecodeTransaction(signer, signed.To?.ToLowerInvariant(), signed.Value, signed.Data);
                    foreach (var (auth, i) in signed.Authorizations.Select((a, i) => (a, i)))
                        actions.Add(new SetCodeAction($"authorizationList[{i}]", auth.Authority?.ToLowerInvariant(), auth.Address.ToLowerInvariant(), auth.ChainId));
                    return FromEvm(signer, actions, isMovement: true, signature: false);
                case RequestKind.Raw:
                    return FromBitcoin(BitcoinDecoder.DecodeRaw(request.Raw!, Network.Main));
                case RequestKind.Psbt:
                    return FromBitcoin(BitcoinDecoder.DecodePsbt(request.Psbt!, Network.Main));
                case RequestKind.TypedData:
                    return FromEvm(request.From, TypedDataDecoder.Decode(request.TypedData!.Value, request.From), isMovement: false, signature: true);
                case RequestKind.Address:
                    return None(null) with { Counterparties = [Addresses.Normalize(request.Address!)] };
                default:
                    return None(null);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return None(fallbackSigner);
        }
    }

    /// <summary>The facts for the policy evaluator; <paramref name="ownAddress"/> (the matched wallet) is not a counterparty, and Bitcoin outputs to it are change.</summary>
    public PolicyFacts ToPolicyFacts(Verdict verdict, string? ownAddress)
    {
        var own = ownAddress is null ? null : Addresses.Normalize(ownAddress);
        var atStake = new Dictionary<string, BigInteger>(AtStake, StringComparer.Ordinal);
        var moved = new Dictionary<string, BigInteger>(Moved, StringComparer.Ordinal);
        var counterparties = Counterparties.Where(c => c != own).ToList();
        foreach (var output in BitcoinOutputs)
        {
            var address = output.Address is null ? null : Addresses.Normalize(output.Address);
            if (address is not null && address == own) continue;
            Add(atStake, Native, output.AmountSats);
            Add(moved, Native, output.AmountSats);
            if (address is not null && !counterparties.Contains(address)) counterparties.Add(address);
        }
        return new PolicyFacts(verdict, counterparties, MethodKinds, Text(atStake), Text(moved), IsMovement);
    }

    private static Dictionary<string, string> Text(Dictionary<string, BigInteger> amounts) =>
        amounts.ToDictionary(p => p.Key, p => p.Value.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal);

    private static void Add(Dictionary<string, BigInteger> amounts, string asset, BigInteger amount) =>
        amounts[asset] = amounts.GetValueOrDefault(asset) + amount;

    private static RequestFacts FromBitcoin(BitcoinTransactionInfo tx) => new(
        null,
        [.. tx.Inputs.Select(i => i.Address).OfType<string>().Select(Addresses.Normalize).Distinct(StringComparer.Ordinal)],
        [],
        [Policies.MethodKinds.Transfer],
        new Dictionary<string, BigInteger>(),
        new Dictionary<string, BigInteger>(),
        tx.Outputs,
        IsMovement: true);

    private static RequestFacts FromEvm(string? signerText, List<EvmAction> actions, bool isMovement, bool signature)
    {
        var signer = signerText?.ToLowerInvariant();
        var kinds = new List<string>();
        var counterparties = new List<string>();
        var atStake = new Dictionary<string, BigInteger>(StringComparer.Ordinal);
        var moved = new Dictionary<string, BigInteger>(StringComparer.Ordinal);
        void Kind(string kind)
        {
            if (!kinds.Contains(kind)) kinds.Add(kind);
        }
        void Counterparty(string? address)
        {
            if (address is null) return;
            var normalized = Addresses.Normalize(address);
            if (normalized != signer && !counterparties.Contains(normalized)) counterparties.Add(normalized);
        }

        if (signature) Kind(Policies.MethodKinds.SignTypedData);
        foreach (var action in actions)
        {
            switch (action)
            {
                case ApprovalAction a:
                    Kind(a.Revokes ? Policies.MethodKinds.Revoke : a.Kind switch
                    {
                        ApprovalKind.ApprovalForAll => Policies.MethodKinds.SetApprovalForAll,
                        ApprovalKind.Erc2612Permit or ApprovalKind.DaiPermit or ApprovalKind.Permit2Permit or ApprovalKind.Permit2TransferFrom => Policies.MethodKinds.Permit,
                        _ => Policies.MethodKinds.Approve,
                    });
                    Counterparty(a.Spender);
                    if (!a.Revokes && a.Token is { } token)
                    {
                        var asset = Addresses.Normalize(token);
                        var granted = a.IsUnlimited ? Hex.MaxUint256 : a.Amount ?? Hex.MaxUint256;
                        atStake[asset] = BigInteger.Max(atStake.GetValueOrDefault(asset), granted);
                    }
                    break;
                case TransferAction t:
                    Kind(Policies.MethodKinds.Transfer);
                    Counterparty(t.To);
                    if (t.From is null || t.From.Equals(signer, StringComparison.OrdinalIgnoreCase))
                    {
                        var asset = t.Kind == TransferKind.Native || t.Token is null ? Native : Addresses.Normalize(t.Token);
                        Add(atStake, asset, t.Amount);
                        Add(moved, asset, t.Amount);
                    }
                    break;
                case DelegateCallAction d:
                    Kind(Policies.MethodKinds.DelegateCall);
                    Counterparty(d.Target);
                    break;
                case ProxyUpgradeAction u:
                    Kind(Policies.MethodKinds.Upgrade);
                    Counterparty(u.Implementation);
                    break;
                case ControlChangeAction c:
                    Kind(Policies.MethodKinds.ControlChange);
                    if (c.Subject is { } subject && Hex.IsEvmAddress(subject)) Counterparty(subject);
                    break;
                case SetCodeAction s:
                    Kind(Policies.MethodKinds.SetCode);
                    Counterparty(s.Delegate);
                    break;
                case MarketplaceOrderAction:
                    Kind(Policies.MethodKinds.MarketplaceOrder);
                    break;
                case ContractCallAction call:
                    Kind(Policies.MethodKinds.ContractCall);
                    Counterparty(call.Target);
                    break;
                case ContractCreationAction:
                    Kind(Policies.MethodKinds.ContractCreation);
                    break;
                case UnknownTypedDataAction u:
                    Counterparty(u.VerifyingContract);
                    break;
            }
        }
        return new RequestFacts(signer, [], counterparties, kinds, atStake, moved, [], isMovement);
    }
}
