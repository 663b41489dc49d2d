namespace Scorpius.ThreatIntel.Domains;

/// <summary>A domain that imitates a real one; <see cref="Target"/> is null when it imitates no domain we know (mixed scripts).</summary>
internal sealed record LookAlikeFinding(string? Target, string Reason, string Source);

/// <summary>
/// Finds domains that imitate the allowlisted ones (our curated dApp domains and MetaMask's whitelist), in this order:
/// <list type="number">
/// <item>homoglyphs of a whole allowlisted domain: the same skeleton (Cyrillic/Greek look-alikes, 0/o, 1/l/i, rn/m, vv/w);</item>
/// <item>a curated domain spelled out in front of another ("uniswap.org.claim.xyz", "coinbase.com-9da7.su");</item>
/// <item>the registrable label is a brand: homoglyphs, split by hyphens, or a distinctive brand under another suffix;</item>
/// <item>a brand as a word of the host (hyphen or dot separated): always in the registrable name for a distinctive brand, in a
/// subdomain only next to lure words (so "myetherwallet.groovehq.com", a help-desk tenant, passes), and for a generic brand
/// ("ledger", "curve") only next to lure words; or a typo of a brand as a word of the registrable name;</item>
/// <item>the registrable label is a typo of a brand (edit distance, see <see cref="IsTypo"/>);</item>
/// <item>a brand glued to lure words ("uniswapclaim", "getmetamask2"), in any label;</item>
/// <item>labels that mix Latin with Cyrillic, Greek, Armenian or Cherokee letters, or are written wholly in look-alikes.</item>
/// </list>
/// </summary>
internal sealed class LookAlikeDetector
{
    /// <summary>Words that phishing domains put next to a brand. They are never typos of a brand themselves ("finance" is not "binance").</summary>
    internal static readonly HashSet<string> LureWords = new(StringComparer.Ordinal)
    {
        "claim", "claims", "airdrop", "airdrops", "drop", "drops", "reward", "rewards", "bonus", "gift", "gifts", "giveaway", "free",
        "mint", "minting", "nft", "nfts", "token", "tokens", "app", "apps", "dapp", "dapps", "web3", "wallet", "wallets", "connect",
        "connection", "verify", "verification", "validate", "validation", "secure", "security", "support", "help", "helpdesk", "service",
        "login", "signin", "auth", "sync", "restore", "recovery", "recover", "rectify", "fix", "update", "upgrade", "migrate", "migration",
        "official", "event", "events", "promo", "presale", "sale", "stake", "staking", "unstake", "swap", "bridge", "portal", "finance",
        "defi", "pro", "live", "online", "web", "www", "my", "get", "go", "io", "new", "now", "v1", "v2", "v3", "v4", "pass", "access",
        "unlock", "revoke", "check", "checker", "eligibility", "eligible", "allocation", "distribution", "refund", "compensation",
        "whitelist", "allowlist", "launchpad", "earn", "vault", "dashboard", "account", "assets", "rescue", "withdraw", "withdrawal",
        "deposit", "buy", "trade", "trading", "exchange", "points", "quest", "season", "extension", "download", "install", "desktop",
        "mobile", "beta", "user", "users", "fi", "com", "org", "net", "node", "nodes", "coin",
    };

    /// <summary>Letters easy to take for each other at a glance (in skeleton form); the only substitutions counted as typos of short brands.</summary>
    private static readonly string[] VisualPairs = ["uv", "mn", "ce", "co", "ao", "gq", "bd", "pq", "hn", "vy", "lj", "lt", "rn"];

    private static readonly HashSet<string> ConfusableScripts = new(StringComparer.Ordinal) { "Cyrillic", "Greek", "Armenian", "Cherokee" };

    private readonly Similarity _similarity;
    private readonly Brand[] _brands;
    private readonly Dictionary<string, (string Domain, string List)> _domainSkeletons = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lureSkeletons;
    private readonly HashSet<string> _curatedDomains;
    private readonly (string Domain, string Name)[] _curated;
    private readonly string _source;

    private sealed record Brand(string Term, string Skeleton, bool Distinctive, string Domain, string Name);

    /// <summary>A word of the host: as written, its skeleton, and whether it is made of lure words and digits.</summary>
    private sealed record Word(string Text, string Skeleton, bool IsLure);

    public LookAlikeDetector(DomainData data)
    {
        _similarity = new Similarity(data.Confusables);
        _source = $"Scorpius look-alike detection ({data.CuratedSource}, {data.MetaMaskSource} allowlist)";
        _brands = data.Curated.Where(c => c.Brand is not null).GroupBy(c => c.Brand!, StringComparer.Ordinal)
            .Select(g => new Brand(g.Key, _similarity.Skeleton(g.Key), g.Any(c => c.Distinctive), g.First().Domain, g.First().Name))
            .ToArray();
        _curated = data.Curated.DistinctBy(c => c.Domain).Select(c => (c.Domain, c.Name)).ToArray();
        foreach (var (domain, _) in _curated) _domainSkeletons.TryAdd(_similarity.Skeleton(domain), (domain, "our curated dApp list"));
        foreach (var w in data.Whitelist.Order(StringComparer.Ordinal))
            _domainSkeletons.TryAdd(_similarity.Skeleton(w), (w, "MetaMask's allowlist"));
        _lureSkeletons = LureWords.Select(_similarity.Skeleton).ToHashSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _curatedDomains = _curated.Select(c => c.Domain).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Checks a lower-case host in Unicode form; the curated domains and their subdomains pass.</summary>
    public LookAlikeFinding? Check(string host)
    {
        var parts = HostName.Split(host);
        if (parts is null || IsCurated(host)) return null;
        return WholeDomain(host, parts) ?? EmbeddedDomain(host, parts) ?? LabelIsBrand(parts) ?? BrandWords(parts) ?? LabelIsTypo(parts)
            ?? GluedBrand(parts) ?? Scripts(host, parts);
    }

    private bool IsCurated(string host)
    {
        for (var start = 0; start >= 0; start = host.IndexOf('.', start) is var dot and >= 0 ? dot + 1 : -1)
        {
            if (_curatedDomains.Contains(host[start..])) return true;
        }
        return false;
    }

    private LookAlikeFinding? WholeDomain(string host, HostParts parts)
    {
        foreach (var candidate in new[] { host, parts.RegistrableDomain }.Distinct())
        {
            if (_domainSkeletons.TryGetValue(_similarity.Skeleton(candidate), out var target) && target.Domain != candidate)
                return new(target.Domain, $"looks like {target.Domain} (on {target.List}): look-alike characters ({Diff(candidate, target.Domain)})", _source);
        }
        return null;
    }

    /// <summary>A curated domain spelled out in front of another: "app.uniswap.org.claim.xyz", "coinbase.com-9da7.su".</summary>
    private LookAlikeFinding? EmbeddedDomain(string host, HostParts parts)
    {
        var subdomain = "." + string.Join('.', parts.Subdomains) + ".";
        var dotted = "." + host;
        foreach (var (domain, name) in _curated)
        {
            if (!dotted.Contains(domain, StringComparison.Ordinal)) continue;
            if ((parts.Subdomains.Length > 0 && subdomain.Contains($".{domain}.", StringComparison.Ordinal))
                || dotted.Contains($".{domain}-", StringComparison.Ordinal))
                return new(domain, $"spells out {domain} ({name}) inside {host}, whose real domain is {parts.RegistrableDomain}", _source);
        }
        return null;
    }

    /// <summary>The registrable label is a brand: as written under another suffix, split by hyphens, or in look-alike characters.</summary>
    private LookAlikeFinding? LabelIsBrand(HostParts parts)
    {
        var label = Make(parts.Label);
        var joined = Make(parts.Label.Replace("-", "", StringComparison.Ordinal));
        foreach (var brand in _brands)
        {
            var seen = label.Skeleton == brand.Skeleton ? label : joined.Skeleton == brand.Skeleton ? joined : null;
            if (seen is null) continue;
            if (seen.Text == brand.Term && seen == label)
            {
                if (brand.Distinctive)
                    return Found(brand, $"uses the name '{brand.Term}' of {brand.Domain} ({brand.Name}) on another domain, {parts.RegistrableDomain}");
            }
            else if (seen.Text == brand.Term)
            {
                return Found(brand, $"looks like {brand.Domain}: the name '{brand.Term}' split by hyphens ({parts.Label})");
            }
            else
            {
                return Found(brand, $"looks like {brand.Domain}: look-alike characters ({Diff(seen.Text, brand.Term)})");
            }
        }
        return null;
    }

    /// <summary>The registrable label (with or without its hyphens) is a typo of a brand.</summary>
    private LookAlikeFinding? LabelIsTypo(HostParts parts)
    {
        var label = Make(parts.Label);
        var joined = Make(parts.Label.Replace("-", "", StringComparison.Ordinal));
        foreach (var brand in _brands)
        {
            if ((IsTypo(label, brand) ? label : IsTypo(joined, brand) ? joined : null) is { } typo)
                return Found(brand, $"looks like {brand.Domain}: {Edits(typo.Text, brand.Term)}");
        }
        return null;
    }

    private LookAlikeFinding? BrandWords(HostParts parts)
    {
        var registrable = Words(parts.Label);
        var subdomain = parts.Subdomains.SelectMany(Words).ToArray();
        var lureWords = registrable.Concat(subdomain).Where(w => w.IsLure).ToArray();
        foreach (var brand in _brands)
        {
            var inName = Array.Find(registrable, w => w.Skeleton == brand.Skeleton);
            var inSubdomain = Array.Find(subdomain, w => w.Skeleton == brand.Skeleton);
            var typo = registrable.Length > 1 ? Array.Find(registrable, w => IsTypo(w, brand)) : null;
            if (inName is null && inSubdomain is null && typo is null) continue;
            var lures = lureWords.Where(w => w.Skeleton != brand.Skeleton).Select(w => w.Text).Distinct().ToArray();
            var with = lures.Length > 0 ? $" with '{string.Join("', '", lures)}'" : "";
            if (brand.Distinctive && inName is not null)
                return Found(brand, $"uses the name '{brand.Term}' of {brand.Domain} ({brand.Name}){with} in {parts.RegistrableDomain}, which is not {brand.Domain}");
            if (brand.Distinctive && inSubdomain is not null && lures.Length > 0)
                return Found(brand, $"puts the name '{brand.Term}' of {brand.Domain} ({brand.Name}){with} in front of {parts.RegistrableDomain}, which is not {brand.Domain}");
            if (!brand.Distinctive && (inName ?? inSubdomain) is not null && lures.Length > 0)
                return Found(brand, $"uses the name '{brand.Term}' of {brand.Domain} ({brand.Name}){with} on {parts.RegistrableDomain}, which is not {brand.Domain}");
            if (typo is not null)
            {
                return Found(brand, $"'{typo.Text}' in {parts.RegistrableDomain} looks like '{brand.Term}' of {brand.Domain}: {Edits(typo.Text, brand.Term)}");
            }
        }
        return null;
    }

    /// <summary>A brand glued to lure words or digits in one label: "uniswapclaim", "getmetamask2" (long generic brands too).</summary>
    private LookAlikeFinding? GluedBrand(HostParts parts)
    {
        foreach (var label in parts.Subdomains.Append(parts.Label))
        {
            var joined = label.Replace("-", "", StringComparison.Ordinal);
            var skeleton = _similarity.Skeleton(joined);
            foreach (var brand in _brands)
            {
                if (brand.Term.Length < (brand.Distinctive ? 4 : 8) || skeleton == brand.Skeleton
                    || !skeleton.Contains(brand.Skeleton, StringComparison.Ordinal) || FindBrand(joined, brand) is not var (start, end))
                    continue;
                string before = joined[..start], after = joined[end..];
                if (IsLureSequence(_similarity.Skeleton(before)) && IsLureSequence(_similarity.Skeleton(after)))
                {
                    var extra = before.Length > 0 && after.Length > 0 ? $"{before}…{after}" : before + after;
                    var domain = label == parts.Label ? parts.RegistrableDomain : $"{label}.{parts.RegistrableDomain}";
                    return Found(brand, $"glues the name '{brand.Term}' of {brand.Domain} ({brand.Name}) to '{extra}' in {domain}, which is not {brand.Domain}");
                }
            }
        }
        return null;
    }

    private LookAlikeFinding? Scripts(string host, HostParts parts)
    {
        var suffixIsAscii = parts.Suffix.All(char.IsAscii);
        foreach (var label in parts.Subdomains.Append(parts.Label))
        {
            if (label.All(char.IsAscii)) continue;
            var scripts = label.Where(char.IsLetter).Select(Similarity.Script).ToHashSet(StringComparer.Ordinal);
            var confusable = scripts.Where(ConfusableScripts.Contains).ToArray();
            if (confusable.Length == 0) continue;
            if (scripts.Contains("Latin"))
                return new(null, $"'{label}' in {host} mixes Latin and {string.Join(" and ", confusable)} letters ({Similarity.Show(new string(label.Where(c => c >= 128).Distinct().ToArray()))}), a disguise for a Latin name", _source);
            if (suffixIsAscii && label.Length >= 3 && _similarity.MapsToAscii(label))
                return new(null, $"every letter of '{label}' in {host} is a {string.Join(" or ", confusable)} look-alike of a Latin letter: it reads as '{_similarity.Skeleton(label)}'", _source);
        }
        return null;
    }

    /// <summary>
    /// A typo of a distinctive brand of five or more letters, or of a generic one of eight or more (short generic names are
    /// words with real neighbours: "curve", "carve"). Under ten letters: one edit that is easy to miss (a swap, a doubled or
    /// dropped letter, a look-alike letter), since other single edits of short names make other real names ("metamusk",
    /// "openset", "trevor"); from ten letters: up to two edits of any kind.
    /// </summary>
    private bool IsTypo(Word word, Brand brand)
    {
        var longBrand = brand.Term.Length >= 10;
        if (brand.Term.Length < (brand.Distinctive ? 5 : 8) || word.Text.Length < 5 || LureWords.Contains(word.Text)
            || Math.Abs(word.Skeleton.Length - brand.Skeleton.Length) > (longBrand ? 2 : 1))
            return false;
        var distance = Similarity.Distance(word.Skeleton, brand.Skeleton);
        if (distance == 0) return false;
        return longBrand ? distance <= 2 : distance == 1 && IsEasyToMiss(word.Skeleton, brand.Skeleton);
    }

    /// <summary>One swap of neighbours, one doubled or dropped letter, or one substitution of letters that look alike.</summary>
    private static bool IsEasyToMiss(string candidate, string term)
    {
        if (candidate.Length == term.Length)
        {
            var diffs = Enumerable.Range(0, term.Length).Where(i => candidate[i] != term[i]).ToArray();
            if (diffs.Length == 2 && diffs[1] == diffs[0] + 1 && candidate[diffs[0]] == term[diffs[1]] && candidate[diffs[1]] == term[diffs[0]]) return true;
            return diffs.Length == 1 && VisualPairs.Any(p => p.Contains(candidate[diffs[0]]) && p.Contains(term[diffs[0]]));
        }
        if (candidate.Length == term.Length + 1)
        {
            var i = 0;
            while (i < term.Length && candidate[i] == term[i]) i++;
            return (i > 0 && candidate[i] == candidate[i - 1]) || (i + 1 < candidate.Length && candidate[i] == candidate[i + 1]);
        }
        return candidate.Length == term.Length - 1;
    }

    /// <summary>Where the brand (or a homoglyph of it) occurs in a label: the first span whose skeleton is the brand's.</summary>
    private (int Start, int End)? FindBrand(string label, Brand brand)
    {
        for (var start = 0; start < label.Length; start++)
        {
            for (var end = start + 1; end <= label.Length && end - start <= brand.Term.Length * 2; end++)
            {
                if (_similarity.Skeleton(label[start..end]) == brand.Skeleton) return (start, end);
            }
        }
        return null;
    }

    /// <summary>True for "", "claim", "getclaim2" (in skeleton form): lure words and digits only.</summary>
    private bool IsLureSequence(string skeleton)
    {
        var ok = new bool[skeleton.Length + 1];
        ok[0] = true;
        for (var end = 1; end <= skeleton.Length; end++)
        {
            for (var start = 0; start < end && !ok[end]; start++)
            {
                var piece = skeleton.AsSpan(start, end - start);
                ok[end] = ok[start] && (_lureSkeletons.Contains(piece) || piece.IndexOfAnyExceptInRange('0', '9') < 0);
            }
        }
        return ok[skeleton.Length];
    }

    private Word Make(string text)
    {
        var skeleton = _similarity.Skeleton(text);
        return new Word(text, skeleton, IsLureSequence(skeleton));
    }

    private Word[] Words(string label) => label.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(Make).ToArray();

    private LookAlikeFinding Found(Brand brand, string reason) => new(brand.Domain, reason, _source);

    private static string Diff(string input, string target) => string.Join(", ", Similarity.Differences(input, target));

    /// <summary>"one character differs (i→l)", "2 characters differ (a→my)".</summary>
    private static string Edits(string input, string target) =>
        (Similarity.Distance(input, target) is 1 ? "one character differs" : $"{Similarity.Distance(input, target)} characters differ")
        + $" ({Diff(input, target)})";
}
