using NBitcoin;
using Nethereum.Util;
using Scorpius.RiskEngine.Model;

namespace Scorpius.WalletGuard.Policies;

/// <summary>Address validation and the forms addresses are compared and shown in.</summary>
public static class Addresses
{
    /// <summary>The comparison form: lower-case for EVM addresses and bech32 Bitcoin addresses, trimmed otherwise (base58 is case-sensitive).</summary>
    public static string Normalize(string address)
    {
        var trimmed = address.Trim();
        if (Hex.IsEvmAddress(trimmed)) return trimmed.ToLowerInvariant();
        return trimmed.StartsWith("bc1", StringComparison.OrdinalIgnoreCase) ? trimmed.ToLowerInvariant() : trimmed;
    }

    /// <summary>An EVM address in EIP-55 form; false when it is not 0x + 40 hex digits or its mixed case fails the checksum.</summary>
    public static bool TryEthereum(string? text, out string checksummed, out string? error)
    {
        checksummed = "";
        error = null;
        var trimmed = text?.Trim();
        if (!Hex.IsEvmAddress(trimmed))
        {
            error = "must be a 0x-prefixed 20-byte hex address";
            return false;
        }
        var digits = trimmed![2..];
        var mixedCase = digits.Any(char.IsUpper) && digits.Any(char.IsLower);
        var util = AddressUtil.Current;
        if (mixedCase && !util.IsChecksumAddress(trimmed))
        {
            error = "has mixed case but fails the EIP-55 checksum (a mistyped address?)";
            return false;
        }
        checksummed = util.ConvertToChecksumAddress(trimmed);
        return true;
    }

    /// <summary>A Bitcoin mainnet address (base58 or bech32/bech32m) in its canonical form.</summary>
    public static bool TryBitcoin(string? text, out string canonical, out string? error)
    {
        canonical = "";
        error = null;
        try
        {
            canonical = BitcoinAddress.Create(text?.Trim() ?? "", Network.Main).ToString();
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            error = "must be a Bitcoin mainnet address";
            return false;
        }
    }

    /// <summary>An address of either chain, in comparison form (for policy lists).</summary>
    public static bool TryAny(string? text, out string normalized)
    {
        normalized = "";
        if (TryEthereum(text, out var evm, out _)) normalized = Normalize(evm);
        else if (TryBitcoin(text, out var btc, out _)) normalized = Normalize(btc);
        else return false;
        return true;
    }
}
