using System.Globalization;
using System.Numerics;
using Scorpius.Contracts;
using Scorpius.RiskEngine.Decoding.Evm;
using Scorpius.RiskEngine.Intel;
using Scorpius.RiskEngine.Model;

namespace Scorpius.RiskEngine.Detectors;

/// <summary>The EVM detectors: every decoded action of a transaction or signature request is checked here.</summary>
internal sealed class EvmDetectors(IThreatIntel intel, AssessmentContext context, long? chainId, string? signer, FindingList findings)
{
    private static readonly TimeSpan LongLived = TimeSpan.FromDays(365);

    public void Run(IReadOnlyList<EvmAction> actions)
    {
        var batchedGrants = 0;
        var untrustedBatchedGrants = 0;
        foreach (var action in actions)
        {
            switch (action)
            {
                case ApprovalAction a:
                    var trusted = Approval(a);
                    if (!a.Revokes && a.Path.Contains('[', StringComparison.Ordinal))
                    {
                        batchedGrants++;
                        if (!trusted) untrustedBatchedGrants++;
                    }
                    break;
                case TransferAction t: Transfer(t); break;
                case DelegateCallAction d: DelegateCall(d); break;
                case ProxyUpgradeAction u: Upgrade(u); break;
                case ControlChangeAction c: Control(c); break;
                case MarketplaceOrderAction o: Order(o); break;
                case SetCodeAction s: SetCode(s); break;
                case ContractCallAction call: Call(call); break;
                case ContractCreationAction create:
                    findings.Add("CONTRACT_CREATION", Severity.Info, create.Path,
                        $"This transaction deploys a new contract ({create.InitCodeLength} bytes of init code).", ("path", create.Path), ("initCodeLength", create.InitCodeLength));
                    break;
                case TypedDataDomainAction domain: TypedDataDomain(domain); break;
                case UnknownTypedDataAction u:
                    findings.Add("UNRECOGNISED_SIGNATURE_REQUEST", Severity.Low, u.Path,
                        $"A signature request of type {u.PrimaryType} that Scorpius does not recognise: read what it authorises before signing.",
                        ("primaryType", u.PrimaryType), ("verifyingContract", u.VerifyingContract));
                    break;
            }
        }
        if (batchedGrants >= 2 && untrustedBatchedGrants > 0)
        {
            findings.Add("BATCHED_APPROVALS", Severity.High, "batch",
                $"{batchedGrants} token approvals are bundled inside one batched call; approvals hidden in batches are a drainer technique.",
                ("approvals", batchedGrants), ("toUnknownSpenders", untrustedBatchedGrants));
        }
    }

    /// <summary>Checks one grant of spending power; returns true when the spender is trusted.</summary>
    private bool Approval(ApprovalAction a)
    {
        var spender = a.Spender;
        var what = Describe(a);
        if (a.Revokes)
        {
            findings.Add("APPROVAL_REVOKED", Severity.Info, a.Path + spender, $"This {what} removes {spender}'s spending power.",
                ("spender", spender), ("token", a.Token), ("path", a.Path));
            return true;
        }

        var flagged = AddressChecks.Labels(findings, intel, Chain.Ethereum, chainId, spender, "spender", a.Path);
        if (flagged)
        {
            findings.Add("APPROVAL_TO_FLAGGED_ADDRESS", Severity.Critical, spender,
                $"This {what} hands your tokens to {spender}, an address known to steal funds.",
                Evidence(a));
            return false;
        }
        var known = intel.KnownContract(chainId, spender);
        var trusted = (known is not null || context.Allowlist.Contains(spender));
        var amount = a.Amount is { } value && !a.IsUnlimited ? value.ToString(CultureInfo.InvariantCulture) : "unlimited";

        if (context.Eoas.Contains(spender) && !trusted)
        {
            findings.Add("APPROVAL_TO_EOA", Severity.Critical, spender,
                $"This {what} lets {spender}, a plain account rather than a contract, move {amount} of your tokens; protocols use contracts as spenders, drainers use their own accounts.",
                Evidence(a));
        }
        else if (trusted)
        {
            if (a.IsUnlimited)
                findings.Add("UNLIMITED_APPROVAL", Severity.Info, a.Path + spender,
                    $"This {what} gives {(known?.Name ?? "an address on your allowlist")} unlimited spending power; expected for this protocol, but revoke it when you are done.",
                    Evidence(a, ("spenderName", known?.Name), ("allowlisted", true)));
        }
        else if (a.Kind == ApprovalKind.ApprovalForAll)
        {
            findings.Add("APPROVAL_FOR_ALL", Severity.High, a.Path + spender,
                $"This gives {spender}, an unknown operator, control of ALL your NFTs in this collection; marketplaces you trust are the only safe operators.",
                Evidence(a));
        }
        else if (a.IsUnlimited)
        {
            findings.Add("UNLIMITED_APPROVAL", Severity.High, a.Path + spender,
                $"This {what} gives {spender}, which is not a known protocol, unlimited spending power over your tokens.",
                Evidence(a));
        }
        else if (a.IsSignature)
        {
            findings.Add("PERMIT_SIGNATURE", Severity.Medium, a.Path + spender,
                $"This {what} lets {spender}, which is not a known protocol, take {amount} tokens without another on-chain confirmation from you.",
                Evidence(a));
        }
        else
        {
            findings.Add("TOKEN_APPROVAL", Severity.Low, a.Path + spender,
                $"This {what} lets {spender} spend {amount} of your tokens.", Evidence(a));
        }

        if (a.Kind is ApprovalKind.Erc2612Permit or ApprovalKind.DaiPermit or ApprovalKind.Permit2Approve or ApprovalKind.Permit2Permit or ApprovalKind.Permit2TransferFrom
            && a.Expiry != CalldataDecoder.Permit2ThisBlock
            && (a.Expiry is null || a.Expiry > context.Now + LongLived))
        {
            findings.Add("PERMIT_NO_EXPIRY", trusted ? Severity.Low : Severity.Medium, a.Path + spender,
                a.Expiry is null
                    ? $"This {what} never expires: the spender can use it at any time in the future."
                    : $"This {what} stays valid until {a.Expiry:yyyy-MM-dd}, more than a year from now.",
                Evidence(a));
        }
        return trusted;
    }

    private void Transfer(TransferAction t)
    {
        var role = t.Kind == TransferKind.Native ? "recipient" : "token recipient";
        AddressChecks.Labels(findings, intel, Chain.Ethereum, chainId, t.To, role, t.Path);
        AddressChecks.Poisoning(findings, t.To, context.KnownCounterparties, role, t.Path);
        if (t.From is { } from && from != signer)
        {
            AddressChecks.Poisoning(findings, from, context.KnownCounterparties, "sender", t.Path);
        }

        if (t.Amount.IsZero && t.Kind is TransferKind.Erc20Transfer or TransferKind.Erc20TransferFrom)
        {
            var lookAlike = AddressChecks.LookAlikeOf(t.To, context.KnownCounterparties) ?? (t.From is { } f ? AddressChecks.LookAlikeOf(f, context.KnownCounterparties) : null);
            if (lookAlike is not null || (t.From is { } owner && signer is not null && owner != signer))
            {
                findings.Add("ZERO_VALUE_TRANSFER", Severity.High, t.Path,
                    "A zero-amount token transfer " + (t.From is { } o && o != signer ? $"out of {o}, an account that is not the signer; " : "; ") +
                    "this is how address poisoners plant look-alike addresses in a wallet's history.",
                    ("from", t.From), ("to", t.To), ("token", t.Token), ("imitates", lookAlike), ("path", t.Path));
            }
        }

        var key = t.Kind == TransferKind.Native ? "native" : t.Token ?? "native";
        if (context.LargeTransferThresholds.TryGetValue(key, out var threshold) && t.Amount >= threshold && !t.Amount.IsZero)
        {
            findings.Add("LARGE_TRANSFER", Severity.Medium, t.Path + key,
                $"This moves {t.Amount} base units of {(t.Token ?? "the native coin")}, at or above your policy's threshold of {threshold}.",
                ("amount", t.Amount.ToString(CultureInfo.InvariantCulture)), ("threshold", threshold.ToString(CultureInfo.InvariantCulture)),
                ("asset", key), ("to", t.To), ("path", t.Path));
        }
    }

    private void DelegateCall(DelegateCallAction d)
    {
        var flagged = AddressChecks.Labels(findings, intel, Chain.Ethereum, chainId, d.Target, "delegatecall target", d.Path);
        var known = intel.KnownContract(chainId, d.Target);
        if (!flagged && (context.Allowlist.Contains(d.Target) || known?.Category == "safe"))
        {
            findings.Add("SAFE_DELEGATECALL", Severity.Info, d.Path,
                $"The account {d.Account} runs {(known?.Name ?? "an allowlisted library")} with DELEGATECALL, as Safe batching does.",
                ("account", d.Account), ("target", d.Target), ("targetName", known?.Name), ("path", d.Path));
            return;
        }
        findings.Add("SAFE_DELEGATECALL", Severity.Critical, d.Path,
            $"The account {d.Account} would run the code of {d.Target} with DELEGATECALL: that code gets full control of the account's storage and funds. " +
            "This is how the Bybit Safe was drained in 2025; only known libraries such as Safe MultiSend should ever be delegatecalled.",
            ("account", d.Account), ("target", d.Target), ("dataLength", d.DataLength), ("path", d.Path));
    }

    private void Upgrade(ProxyUpgradeAction u)
    {
        var flagged = AddressChecks.Labels(findings, intel, Chain.Ethereum, chainId, u.Implementation, "new implementation", u.Path);
        findings.Add("PROXY_UPGRADE", flagged ? Severity.Critical : Severity.High, u.Path,
            $"The proxy {u.Proxy} would run new code from {u.Implementation}; an upgrade replaces everything the contract does.",
            ("proxy", u.Proxy), ("implementation", u.Implementation), ("path", u.Path));
    }

    private void Control(ControlChangeAction c)
    {
        var flagged = c.Subject is { } subject && AddressChecks.Labels(findings, intel, Chain.Ethereum, chainId, subject, "new controller", c.Path);
        var (code, severity) = c.Method switch
        {
            "grantRole" => ("ROLE_GRANT", Severity.High),
            "renounceOwnership" => ("OWNERSHIP_RENOUNCED", Severity.Medium),
            "transferOwnership" or "changeAdmin" => ("OWNERSHIP_CHANGE", Severity.High),
            _ => ("SAFE_CONFIG_CHANGE", Severity.High),
        };
        findings.Add(code, flagged ? Severity.Critical : severity, c.Path + c.Method,
            $"On {c.Contract}, {c.Detail}{(c.Subject is null ? "" : $" ({c.Subject})")}: this changes who controls it.",
            ("contract", c.Contract), ("method", c.Method), ("subject", c.Subject), ("path", c.Path));
    }

    private void Order(MarketplaceOrderAction o)
    {
        foreach (var recipient in o.Recipients.Distinct())
            AddressChecks.Labels(findings, intel, Chain.Ethereum, chainId, recipient, "order recipient", o.Path);
        if (o.OfferItems > 0 && o.ConsiderationItemsToOfferer == 0)
        {
            findings.Add("ORDER_FOR_NOTHING", Severity.Critical, o.Path,
                $"This marketplace order gives away {o.OfferItems} item(s) and returns nothing to you ({o.Offerer}): everything it pays goes to other addresses. " +
                "Signing it lets anyone take your assets for free.",
                ("offerer", o.Offerer), ("offerItems", o.OfferItems), ("considerationItems", o.ConsiderationItems),
                ("recipients", string.Join(",", o.Recipients.Distinct())), ("marketplace", o.Marketplace), ("path", o.Path));
        }
        else
        {
            findings.Add("MARKETPLACE_ORDER", Severity.Info, o.Path,
                $"A marketplace order offering {o.OfferItems} item(s) for {o.ConsiderationToOffererTotal} base units paid back to you.",
                ("offerer", o.Offerer), ("returnedToOfferer", o.ConsiderationToOffererTotal.ToString(CultureInfo.InvariantCulture)), ("path", o.Path));
        }
    }

    private void SetCode(SetCodeAction s)
    {
        var flagged = AddressChecks.Labels(findings, intel, Chain.Ethereum, chainId, s.Delegate, "delegate code", s.Path);
        var known = intel.KnownContract(chainId, s.Delegate);
        var severity = flagged ? Severity.Critical : known is not null || context.Allowlist.Contains(s.Delegate) ? Severity.Low : Severity.High;
        findings.Add("EIP7702_DELEGATION", severity, s.Path + s.Delegate,
            $"This EIP-7702 authorization makes {(s.Authority ?? "your account")} run the code of {s.Delegate}{(s.ChainId == 0 ? " on every chain" : "")}; " +
            "that code can move everything the account holds.",
            ("authority", s.Authority), ("delegate", s.Delegate), ("delegateName", known?.Name), ("chainId", s.ChainId), ("path", s.Path));
    }

    private void Call(ContractCallAction c)
    {
        var flagged = AddressChecks.Labels(findings, intel, Chain.Ethereum, chainId, c.Target, "contract", c.Path);
        var selector = uint.Parse(c.Selector.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (!flagged && c.DataLength == 4 && DrainerPatterns.Selectors.TryGetValue(selector, out var name)
            && intel.KnownContract(chainId, c.Target) is null && !context.Allowlist.Contains(c.Target))
        {
            findings.Add("DRAINER_CALL_PATTERN", c.Value > 0 ? Severity.Critical : Severity.High, c.Path,
                $"This calls {name} on {c.Target}{(c.Value > 0 ? $" and sends it {c.Value} wei" : "")}: a capitalised, argument-less function like this is the signature of wallet-drainer and fake \"security update\" contracts.",
                ("target", c.Target), ("function", name), ("selector", c.Selector), ("value", c.Value.ToString(CultureInfo.InvariantCulture)), ("path", c.Path));
        }
        if (c.Malformed)
        {
            findings.Add("MALFORMED_CALLDATA", Severity.Medium, c.Path,
                $"The call to {c.Target} has calldata that does not decode as {(c.Method ?? "any method")}; wallets cannot show what it does.",
                ("target", c.Target), ("selector", c.Selector), ("method", c.Method), ("dataLength", c.DataLength), ("path", c.Path));
        }
    }

    private void TypedDataDomain(TypedDataDomainAction d)
    {
        if (d.VerifyingContract is { } verifying)
            AddressChecks.Labels(findings, intel, Chain.Ethereum, chainId, verifying, "verifying contract", d.Path);
        if (chainId is { } expected && d.ChainId is { } signed && signed != expected)
        {
            findings.Add("TYPED_DATA_CHAIN_MISMATCH", Severity.Medium, d.Path,
                $"The signature is for chain {signed}, but the request is on chain {expected}.",
                ("domainChainId", signed), ("requestChainId", expected));
        }
    }

    private static string Describe(ApprovalAction a) => a.Kind switch
    {
        ApprovalKind.Erc20Approve => "token approval",
        ApprovalKind.Erc20IncreaseAllowance => "allowance increase",
        ApprovalKind.ApprovalForAll => "approval for all",
        ApprovalKind.Erc2612Permit => a.IsSignature ? "permit signature" : "permit",
        ApprovalKind.DaiPermit => a.IsSignature ? "DAI-style permit signature" : "DAI-style permit",
        ApprovalKind.Permit2Approve => "Permit2 approval",
        ApprovalKind.Permit2Permit => a.IsSignature ? "Permit2 permit signature" : "Permit2 permit",
        ApprovalKind.Permit2TransferFrom => "Permit2 transfer signature",
        _ => "approval",
    };

    private static (string, object?)[] Evidence(ApprovalAction a, params (string, object?)[] more) =>
    [
        ("kind", a.Kind.ToString()),
        ("spender", a.Spender),
        ("token", a.Token),
        ("owner", a.Owner),
        ("amount", a.Amount is { } v ? (a.IsUnlimited ? "unlimited" : v.ToString(CultureInfo.InvariantCulture)) : "all"),
        ("rawAmount", a.Amount?.ToString(CultureInfo.InvariantCulture)),
        ("expiry", a.Expiry == CalldataDecoder.Permit2ThisBlock ? "this block" : a.Expiry?.ToString("O", CultureInfo.InvariantCulture) ?? (a.Kind == ApprovalKind.Erc20Approve ? null : "never")),
        ("signature", a.IsSignature),
        ("path", a.Path),
        .. more,
    ];
}
