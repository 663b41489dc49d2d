using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Scorpius.Contracts;
using Scorpius.WalletGuard.Policies;

namespace Scorpius.WalletGuard.Wallets;

/// <summary>
/// A protected wallet of a tenant. <see cref="Chain"/> is <c>ethereum</c> (any EVM chain, <see cref="ChainId"/> set) or
/// <c>bitcoin</c> (<see cref="ChainId"/> null); <see cref="Address"/> is EIP-55 for ethereum, canonical for bitcoin.
/// </summary>
public sealed record Wallet(string Id, string Chain, long? ChainId, string Address, string? Label, DateTimeOffset CreatedAt)
{
    public const string Ethereum = "ethereum";
    public const string Bitcoin = "bitcoin";

    public static string NewId() => "wal_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>The address in comparison form (lower-case for EVM and bech32).</summary>
    [JsonIgnore]
    public string MatchKey => Addresses.Normalize(Address);

    [JsonIgnore]
    public WalletRef Ref => new(Chain, Address, ChainId);

    /// <summary>True when both name the same address on the same chain (and chain id).</summary>
    public bool SameAs(Wallet other) => Chain == other.Chain && ChainId == other.ChainId && MatchKey == other.MatchKey;
}

/// <summary>A new or replaced wallet as a client sends it.</summary>
public sealed record WalletRequest(string? Chain, long? ChainId, string? Address, string? Label);

public static class WalletValidator
{
    public const int MaxLabelLength = 200;

    /// <summary>Validates and normalizes; an ethereum wallet without a chain id is on mainnet (1).</summary>
    public static Dictionary<string, string[]> Validate(WalletRequest? request, out string chain, out long? chainId, out string address)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        chain = request?.Chain?.Trim().ToLowerInvariant() ?? "";
        chainId = request?.ChainId;
        address = "";
        switch (chain)
        {
            case Wallet.Ethereum:
                chainId ??= 1;
                if (chainId < 1) errors["chainId"] = ["must be a positive integer"];
                if (Addresses.TryEthereum(request!.Address, out var evm, out var evmError)) address = evm;
                else errors["address"] = [evmError!];
                break;
            case Wallet.Bitcoin:
                if (chainId is not null) errors["chainId"] = ["is only for ethereum wallets"];
                if (Addresses.TryBitcoin(request!.Address, out var btc, out var btcError)) address = btc;
                else errors["address"] = [btcError!];
                break;
            default:
                errors["chain"] = ["must be \"ethereum\" (any EVM chain, with chainId) or \"bitcoin\""];
                break;
        }
        if (request?.Label is { Length: > MaxLabelLength }) errors["label"] = [$"must be at most {MaxLabelLength} characters"];
        return errors;
    }
}
