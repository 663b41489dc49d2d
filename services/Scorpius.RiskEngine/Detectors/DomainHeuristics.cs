namespace Scorpius.RiskEngine.Detectors;

/// <summary>
/// Words that phishing and drainer sites put in their domain names to lure wallet owners ("claim", "airdrop",
/// "revoke", "validate"…). A hit on a domain that intelligence does not know is a warning, not a verdict of fraud:
/// it asks the person to look twice.
/// </summary>
internal static class DomainHeuristics
{
    private static readonly string[] LureWords =
    [
        "airdrop", "claim", "giveaway", "freemint", "presale", "whitelist", "revoke", "rectify", "rectification",
        "validate", "validation", "walletconnect", "connectwallet", "migrate", "migration", "dappfix", "reward", "rewards",
    ];

    /// <summary>
    /// The lure words that begin or end a word of <paramref name="domain"/>'s name (its labels split at dots and hyphens,
    /// without the top-level domain), e.g. "claim" in <c>blast-claim.xyz</c> or <c>claimrewards.io</c> but not in
    /// <c>exclaimer.com</c>.
    /// </summary>
    public static IReadOnlyList<string> LureWordsIn(string domain)
    {
        var host = Host(domain);
        var lastDot = host.LastIndexOf('.');
        var words = (lastDot > 0 ? host[..lastDot] : host).Split(['.', '-'], StringSplitOptions.RemoveEmptyEntries);
        return LureWords.Where(lure => words.Any(w => w.StartsWith(lure, StringComparison.Ordinal) || w.EndsWith(lure, StringComparison.Ordinal))).ToArray();
    }

    public static string Host(string domainOrUrl)
    {
        var text = domainOrUrl.Trim().ToLowerInvariant();
        if (Uri.TryCreate(text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text, UriKind.Absolute, out var uri))
            return uri.IdnHost.TrimEnd('.');
        return text;
    }
}
