namespace Scorpius.ThreatIntel.Domains;

/// <summary>
/// Domain verdicts in this order: allowlists (MetaMask eth-phishing-detect's whitelist and our curated dApp domains, each
/// covering its subdomains) beat everything; then MetaMask's blacklist (with parent domains); then MetaMask's fuzzylist
/// (Levenshtein distance within its tolerance, TLD and a leading "www." stripped, as the package does); then our look-alike
/// detection against the allowlisted domains and brands.
/// </summary>
internal sealed class DomainChecker
{
    private readonly DomainData _data;
    private readonly Dictionary<string, CuratedDomain> _curated;
    private readonly HashSet<string> _curatedDomains;
    private readonly LookAlikeDetector _lookAlikes;

    public DomainChecker(DomainData data)
    {
        _data = data;
        _curated = data.Curated.GroupBy(c => c.Domain, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _curatedDomains = _curated.Keys.ToHashSet(StringComparer.Ordinal);
        _lookAlikes = new LookAlikeDetector(data);
    }

    internal LookAlikeDetector LookAlikes => _lookAlikes;

    public DomainCheck Check(string domainOrUrl)
    {
        ArgumentNullException.ThrowIfNull(domainOrUrl);
        var host = HostName.Normalize(domainOrUrl);
        if (host is null) return new DomainCheck(domainOrUrl, DomainVerdict.Unknown, null, "no host name in the input", null);

        // Lists are matched on the host as given and on its other IDN form (punycode ↔ Unicode).
        var unicode = HostName.ToUnicode(host);
        var forms = new[] { host, unicode, HostName.ToAscii(host) }.OfType<string>().Distinct().ToArray();

        foreach (var form in forms)
        {
            if (MatchParts(form, _data.Whitelist) is { } allowed)
                return new DomainCheck(host, DomainVerdict.Allowlisted, allowed,
                    $"{Named(allowed, form)} is on the allowlist of MetaMask eth-phishing-detect", _data.MetaMaskSource);
            if (MatchParts(form, _curatedDomains) is { } curatedDomain)
            {
                var dapp = _curated[curatedDomain];
                return new DomainCheck(host, DomainVerdict.Allowlisted, curatedDomain,
                    $"{Named(curatedDomain, form)} is the domain of {dapp.Name} ({dapp.Category}) in our curated dApp list", _data.CuratedSource);
            }
        }
        foreach (var form in forms)
        {
            if (MatchParts(form, _data.Blacklist) is { } blocked)
                return new DomainCheck(host, DomainVerdict.Blocklisted, blocked,
                    $"{Named(blocked, form)} is on the phishing blocklist of MetaMask eth-phishing-detect", _data.MetaMaskSource);
        }
        if (Fuzzy(host) is { } fuzzy)
            return new DomainCheck(host, DomainVerdict.LookAlike, fuzzy.Target,
                $"looks like {fuzzy.Target} (a frequent phishing target on MetaMask's fuzzylist): {(fuzzy.Distance == 1 ? "one edit" : $"{fuzzy.Distance} edits")} apart ({string.Join(", ", fuzzy.Differences)})",
                $"{_data.MetaMaskSource} (fuzzylist)");
        if (_lookAlikes.Check(unicode) is { } lookAlike)
        {
            var reason = unicode != host ? $"{host} is '{unicode}' in Unicode; {lookAlike.Reason}" : lookAlike.Reason;
            return new DomainCheck(host, DomainVerdict.LookAlike, lookAlike.Target, reason, lookAlike.Source);
        }
        return new DomainCheck(host, DomainVerdict.Unknown, null, "not on any list and not like any known dApp domain", null);
    }

    /// <summary>The list entry that equals the host or one of its parent domains (eth-phishing-detect's matchPartsAgainstList).</summary>
    private static string? MatchParts(string host, HashSet<string> set)
    {
        for (var start = 0; start >= 0; start = host.IndexOf('.', start) is var dot and >= 0 ? dot + 1 : -1)
        {
            var candidate = host[start..];
            if (set.Contains(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>eth-phishing-detect's fuzzylist check: the host without its last label and a leading "www.", within the tolerance.</summary>
    private (string Target, int Distance, IReadOnlyList<string> Differences)? Fuzzy(string host)
    {
        if (_data.Tolerance <= 0) return null;
        var form = FuzzyForm(host);
        if (form.StartsWith("www.", StringComparison.Ordinal)) form = form[4..];
        foreach (var target in _data.Fuzzylist)
        {
            var targetForm = FuzzyForm(target);
            var distance = Similarity.Levenshtein(form, targetForm);
            if (distance <= _data.Tolerance) return (target, distance, Similarity.Differences(form, targetForm));
        }
        return null;
    }

    private static string FuzzyForm(string domain) => domain.LastIndexOf('.') is var dot and >= 0 ? domain[..dot] : "";

    private static string Named(string entry, string form) => entry == form ? entry : $"{form} (under {entry})";
}
