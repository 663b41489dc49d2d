using System.Text.Json;
using Scorpius.Contracts;
using Scorpius.RiskEngine.Decoding;
using Scorpius.RiskEngine.Decoding.Bitcoin;
using Scorpius.RiskEngine.Decoding.Evm;
using Scorpius.RiskEngine.Detectors;
using Scorpius.RiskEngine.Intel;
using Scorpius.RiskEngine.Model;

namespace Scorpius.RiskEngine;

/// <summary>
/// Decides whether a transaction or signature request is safe, and says why. Thread-safe and allocation-light; no
/// I/O. It never throws for bad input and never answers a silent benign on failure: an input it cannot decode, or an
/// internal fault, is verdict <see cref="Verdict.Error"/> with the reason. Threat intelligence can be swapped at run
/// time (<see cref="SwapIntel"/>) without a restart; assessments in flight finish on the index they started with.
/// </summary>
public sealed class RiskAssessor(IThreatIntel intel, TimeProvider? clock = null)
{
    private readonly TimeProvider clock = clock ?? TimeProvider.System;
    private IThreatIntel intel = intel;

    public IThreatIntel Intel => Volatile.Read(ref intel);

    public void SwapIntel(IThreatIntel next) => Volatile.Write(ref intel, next ?? throw new ArgumentNullException(nameof(next)));

    /// <summary>Parses and assesses one JSON Lines request.</summary>
    public AssessmentResult AssessJson(string line)
    {
        var request = RequestParser.TryParse(line, clock.GetUtcNow(), out var id, out var error);
        return request is null ? AssessmentResult.Failed(id, error!) : Assess(request);
    }

    public AssessmentResult Assess(AssessmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var current = Intel;
        var findings = new FindingList();
        try
        {
            switch (request.Kind)
            {
                case RequestKind.Transaction:
                    var tx = request.Transaction!;
                    Evm(request, current, findings, tx.From, CalldataDecoder.DecodeTransaction(tx.From, tx.To, tx.Value, tx.Data), tx.To);
                    break;
                case RequestKind.Raw when request.Chain == Chain.Bitcoin:
                    BitcoinDetectors.Run(BitcoinDecoder.DecodeRaw(request.Raw!, NBitcoin.Network.Main), current, request.Context, findings);
                    break;
                case RequestKind.Raw:
                    SignedEvm(request, current, findings);
                    break;
                case RequestKind.Psbt:
                    BitcoinDetectors.Run(BitcoinDecoder.DecodePsbt(request.Psbt!, NBitcoin.Network.Main), current, request.Context, findings);
                    break;
                case RequestKind.TypedData:
                    Evm(request, current, findings, request.From, TypedDataDecoder.Decode(request.TypedData!.Value, request.From), null);
                    SigningDigest(request.TypedData!.Value, findings);
                    break;
                case RequestKind.Address:
                    Address(request, current, findings);
                    break;
                case RequestKind.Domain:
                    Domain(request.Domain!, current, findings);
                    break;
            }
        }
        catch (DecodeException ex)
        {
            return AssessmentResult.Failed(request.Id, ex.Message);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or InvalidOperationException or JsonException or IndexOutOfRangeException)
        {
            // A decoder fault on hostile input must still be an explained error, never a crash or a benign.
            return AssessmentResult.Failed(request.Id, $"could not decode the {KindName(request.Kind)}: {ex.Message}");
        }
        return Scoring.Result(request.Id, findings.Items);
    }

    private static void Evm(AssessmentRequest request, IThreatIntel intel, FindingList findings, string? signer, List<EvmAction> actions, string? to)
    {
        if (to is not null && actions.Count == 0)
            AddressChecks.Labels(findings, intel, Chain.Ethereum, request.ChainId, to, "recipient", "call");
        else if (to is not null && actions.All(a => a is not ContractCallAction && a is not TransferAction { Kind: TransferKind.Native }))
            AddressChecks.Labels(findings, intel, Chain.Ethereum, request.ChainId, to, "contract", "call");
        new EvmDetectors(intel, request.Context, request.ChainId, signer, findings).Run(actions);
    }

    /// <summary>
    /// Raw transactions are decoded strictly (canonical RLP, signature ranges, EIP-2 low s, field sizes) with today's
    /// transaction types, but without the intrinsic-gas rules: they differ per chain and fork (e.g. the EIP-7623
    /// calldata floor), and a gas limit the chain would refuse is no risk to the signer.
    /// </summary>
    private static readonly EvmDecodeOptions LenientDecoding = new() { CheckIntrinsicGas = false };

    private static void SignedEvm(AssessmentRequest request, IThreatIntel intel, FindingList findings)
    {
        var tx = SignedTransactionDecoder.Decode(request.Raw!, LenientDecoding);
        var signer = tx.From.ToLowerInvariant();
        var to = tx.To?.ToLowerInvariant();
        if (tx.ChainId is null)
        {
            findings.Add("UNPROTECTED_TRANSACTION", Severity.Medium, "tx",
                "This legacy transaction has no chain id (pre-EIP-155): anyone can replay it on every EVM chain where the sender has funds.",
                ("hash", tx.Hash), ("from", tx.From));
        }
        else if (request.ChainId is { } expected && tx.ChainId != expected)
        {
            findings.Add("CHAIN_ID_MISMATCH", Severity.Medium, "tx",
                $"The transaction is signed for chain {tx.ChainId}, but the request is for chain {expected}.",
                ("signedChainId", tx.ChainId), ("requestChainId", expected), ("hash", tx.Hash));
        }
        if (tx.Type == 3)
        {
            findings.Add("BLOB_TRANSACTION", Severity.Info, "tx",
                $"An EIP-4844 blob transaction carrying {tx.BlobVersionedHashes} blob(s); blob contents are not part of the signed payload and are not assessed.",
                ("hash", tx.Hash), ("blobs", tx.BlobVersionedHashes));
        }
        var actions = CalldataDecoder.DecodeTransaction(signer, to, tx.Value, tx.Data);
        foreach (var (auth, i) in tx.Authorizations.Select((a, i) => (a, i)))
            actions.Add(new SetCodeAction($"authorizationList[{i}]", auth.Authority?.ToLowerInvariant(), auth.Address.ToLowerInvariant(), auth.ChainId));
        var scoped = request with { ChainId = tx.ChainId ?? request.ChainId };
        Evm(scoped, intel, findings, signer, actions, to);
    }

    /// <summary>
    /// The EIP-712 digest the signature will commit to, so the decision can be tied to exactly what is signed. Typed
    /// data that is not valid EIP-712 is suspicious in itself: wallets disagree on how to hash it, so what a person is
    /// shown may not be what gets signed (e.g. <c>"allowed":"false"</c>, which some libraries sign as true).
    /// </summary>
    private static void SigningDigest(JsonElement typedData, FindingList findings)
    {
        try
        {
            var digest = Eip712Hasher.SigningDigest(typedData);
            findings.Add("SIGNING_DIGEST", Severity.Info, "digest", $"The signature commits to EIP-712 digest {digest}.", ("digest", digest));
        }
        catch (DecodeException ex)
        {
            findings.Add("INVALID_TYPED_DATA", Severity.Medium, "digest",
                $"The typed data is not valid EIP-712 ({ex.Message}); wallets may hash it differently from what they show.", ("reason", ex.Message));
        }
    }

    private static void Address(AssessmentRequest request, IThreatIntel intel, FindingList findings)
    {
        var address = Hex.Normalize(request.Address!);
        var flagged = AddressChecks.Labels(findings, intel, request.Chain, request.ChainId, address, "address", "address");
        AddressChecks.Poisoning(findings, address, request.Context.KnownCounterparties, "address", "address");
        if (!flagged && request.Chain == Chain.Ethereum && intel.KnownContract(request.ChainId, address) is { } known)
        {
            findings.Add("KNOWN_PROTOCOL", Severity.Info, address, $"{address} is {known.Name} ({known.Category}).",
                ("address", address), ("name", known.Name), ("category", known.Category), ("source", known.Source));
        }
    }

    private static void Domain(string domain, IThreatIntel intel, FindingList findings)
    {
        var check = intel.CheckDomain(domain);
        switch (check.Status)
        {
            case DomainStatus.Blocklisted:
                findings.Add("PHISHING_DOMAIN", Severity.Critical, check.Domain,
                    $"{check.Domain} is a known phishing site: {check.Reason}.",
                    ("domain", check.Domain), ("matched", check.MatchedDomain), ("source", check.Source));
                break;
            case DomainStatus.LookAlike:
                findings.Add("LOOKALIKE_DOMAIN", Severity.Critical, check.Domain,
                    $"{check.Domain} imitates {check.MatchedDomain}: {check.Reason}.",
                    ("domain", check.Domain), ("imitates", check.MatchedDomain), ("source", check.Source));
                break;
            case DomainStatus.Unknown when DomainHeuristics.LureWordsIn(check.Domain) is { Count: > 0 } lures:
                findings.Add("SUSPICIOUS_DOMAIN", Severity.Medium, check.Domain,
                    $"{check.Domain} is not a known dApp and its name uses words phishing sites lure wallet owners with ({string.Join(", ", lures)}); check the address before connecting a wallet.",
                    ("domain", check.Domain), ("words", string.Join(",", lures)));
                break;
            case DomainStatus.Allowlisted:
                findings.Add("KNOWN_DAPP_DOMAIN", Severity.Info, check.Domain, $"{check.Domain} is a known dApp domain ({check.Reason}).",
                    ("domain", check.Domain), ("matched", check.MatchedDomain), ("source", check.Source));
                break;
        }
    }

    private static string KindName(RequestKind kind) => kind switch
    {
        RequestKind.TypedData => "typed data",
        RequestKind.Psbt => "PSBT",
        RequestKind.Raw => "raw transaction",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
