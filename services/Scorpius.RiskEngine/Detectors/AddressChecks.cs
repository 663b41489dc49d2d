using Scorpius.Contracts;
using Scorpius.RiskEngine.Intel;
using Scorpius.RiskEngine.Model;

namespace Scorpius.RiskEngine.Detectors;

/// <summary>Checks any address meets: intelligence labels (sanctions, phishing, drainers…) and look-alikes of the wallet's counterparties.</summary>
internal static class AddressChecks
{
    /// <summary>Adds findings for <paramref name="address"/>'s labels; returns true when it is malicious or sanctioned.</summary>
    public static bool Labels(FindingList findings, IThreatIntel intel, Chain chain, long? chainId, string address, string role, string path)
    {
        var flagged = false;
        foreach (var label in intel.Lookup(chain, chainId, address))
        {
            if (label.IsSanctioned)
            {
                flagged = true;
                findings.Add("SANCTIONED_ADDRESS", Severity.Critical, address,
                    $"The {role} {address} is on the OFAC sanctions list (as of {label.AsOf?.ToString("yyyy-MM-dd") ?? "unknown date"}); dealing with it may be illegal.",
                    ("address", address), ("role", role), ("path", path), ("label", label.Label), ("source", label.Source), ("asOf", label.AsOf?.ToString("yyyy-MM-dd")));
            }
            else if (label.Category == IntelLabel.SanctionedDelisted)
            {
                findings.Add("SANCTIONED_ADDRESS_DELISTED", Severity.Low, address,
                    $"The {role} {address} was on the OFAC sanctions list and has since been removed: {label.Note ?? "check current sanctions status"}.",
                    ("address", address), ("role", role), ("path", path), ("label", label.Label), ("source", label.Source), ("asOf", label.AsOf?.ToString("yyyy-MM-dd")));
            }
            else if (label.Category == "mixer")
            {
                findings.Add("MIXER_INTERACTION", Severity.Medium, address,
                    $"The {role} {address} is a mixer ({label.Label}); funds passing through it are often flagged by exchanges and compliance checks.",
                    ("address", address), ("role", role), ("path", path), ("label", label.Label), ("source", label.Source));
            }
            else if (label.IsMalicious)
            {
                flagged = true;
                findings.Add("KNOWN_MALICIOUS_ADDRESS", Severity.Critical, address,
                    $"The {role} {address} is a known {label.Category} address ({label.Label}).",
                    ("address", address), ("role", role), ("path", path), ("category", label.Category), ("label", label.Label), ("source", label.Source),
                    ("asOf", label.AsOf?.ToString("yyyy-MM-dd")));
            }
        }
        return flagged;
    }

    /// <summary>
    /// Address poisoning: <paramref name="address"/> is not a known counterparty but looks like one (same leading and
    /// trailing characters — what wallets show when they shorten addresses). Returns the counterparty it imitates.
    /// </summary>
    public static string? LookAlikeOf(string address, IReadOnlySet<string> counterparties)
    {
        if (counterparties.Count == 0 || counterparties.Contains(address)) return null;
        var a = Body(address);
        foreach (var known in counterparties)
        {
            var b = Body(known);
            if (b.Length < 8 || a.Length != b.Length || a.SequenceEqual(b)) continue;
            var prefix = a.CommonPrefixLength(b);
            var suffix = CommonSuffixLength(a, b);
            // Chance of a random address matching this well is below one in ten million per counterparty.
            if ((prefix >= 2 && suffix >= 2 && prefix + suffix >= 6) || suffix >= 5 || prefix >= 6) return known;
        }
        return null;
    }

    public static void Poisoning(FindingList findings, string address, IReadOnlySet<string> counterparties, string role, string path)
    {
        if (LookAlikeOf(address, counterparties) is not { } imitated) return;
        findings.Add("ADDRESS_POISONING", Severity.Critical, address,
            $"The {role} {address} imitates your known counterparty {imitated}: same first and last characters, different address. " +
            "Poisoners plant such look-alikes in your history so you copy the wrong one.",
            ("address", address), ("imitates", imitated), ("role", role), ("path", path));
    }

    /// <summary>The comparable part of an address: without 0x, or without the bech32 human part and witness version.</summary>
    private static ReadOnlySpan<char> Body(string address)
    {
        var s = address.AsSpan();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) return s[2..];
        var separator = s.LastIndexOf('1');
        if ((s.StartsWith("bc1", StringComparison.OrdinalIgnoreCase) || s.StartsWith("tb1", StringComparison.OrdinalIgnoreCase)) && separator > 0 && separator + 2 < s.Length)
            return s[(separator + 2)..];
        return s.Length > 1 ? s[1..] : s;
    }

    private static int CommonSuffixLength(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var n = 0;
        while (n < a.Length && n < b.Length && char.ToLowerInvariant(a[^(n + 1)]) == char.ToLowerInvariant(b[^(n + 1)])) n++;
        return n;
    }
}
