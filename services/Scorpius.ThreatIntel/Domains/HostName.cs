using System.Globalization;

namespace Scorpius.ThreatIntel.Domains;

/// <summary>Host names: from a URL or domain to a lower-case host, and the split into subdomains, registrable label and suffix.</summary>
internal static class HostName
{
    private static readonly IdnMapping Idn = new();

    /// <summary>
    /// Multi-label public suffixes and shared-hosting domains, where the registrable name is one label further left
    /// (a small subset of the Public Suffix List: the country second levels and hosting platforms phishing kits use most).
    /// </summary>
    private static readonly HashSet<string> MultiLabelSuffixes = new(StringComparer.Ordinal)
    {
        "co.uk", "org.uk", "me.uk", "ac.uk", "gov.uk", "uk.com", "us.com", "eu.com", "de.com", "ru.com", "cn.com", "sa.com", "za.com",
        "com.au", "net.au", "org.au", "co.nz", "co.jp", "ne.jp", "or.jp", "com.cn", "net.cn", "org.cn", "com.hk", "com.tw", "com.sg",
        "com.my", "com.ph", "com.vn", "co.kr", "co.in", "co.id", "co.il", "co.za", "com.br", "com.mx", "com.ar", "com.co", "com.tr",
        "com.ua", "com.ng", "com.pk", "com.pl", "com.de",
        "github.io", "gitlab.io", "vercel.app", "netlify.app", "netlify.com", "pages.dev", "workers.dev", "web.app", "firebaseapp.com",
        "herokuapp.com", "azurewebsites.net", "appspot.com", "glitch.me", "repl.co", "replit.app", "onrender.com", "fly.dev", "surge.sh",
        "webflow.io", "wixsite.com", "weebly.com", "blogspot.com", "wordpress.com", "gitbook.io", "notion.site", "framer.website",
        "framer.app", "carrd.co", "godaddysites.com", "000webhostapp.com", "bitballoon.com", "fleek.co", "on-fleek.app", "ipfs.dweb.link",
        "myshopify.com", "square.site", "webnode.page", "mystrikingly.com", "tilda.ws", "translate.goog",
    };

    /// <summary>The host of a domain or URL in lower case, without scheme, user, port, path or the final dot; null if there is none.</summary>
    public static string? Normalize(string domainOrUrl)
    {
        var s = domainOrUrl.Trim();
        var scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) s = s[(scheme + 3)..];
        var end = s.IndexOfAny(['/', '?', '#', '\\']);
        if (end >= 0) s = s[..end];
        var at = s.LastIndexOf('@');
        if (at >= 0) s = s[(at + 1)..];
        if (s.StartsWith('[')) return s.Length > 2 ? s.ToLowerInvariant() : null; // IPv6 literal: not a domain
        var colon = s.IndexOf(':');
        if (colon >= 0) s = s[..colon];
        if (s.EndsWith('.')) s = s[..^1];
        s = s.Trim().ToLowerInvariant();
        return s.Length == 0 ? null : s;
    }

    /// <summary>The Unicode form of a host with punycode labels (xn--); the host itself when there are none or they do not decode.</summary>
    public static string ToUnicode(string host)
    {
        if (!host.Contains("xn--", StringComparison.Ordinal)) return host;
        try { return Idn.GetUnicode(host); }
        catch (ArgumentException) { return host; }
    }

    /// <summary>The ASCII (punycode) form of a host with non-ASCII letters; null when it has none or cannot be encoded.</summary>
    public static string? ToAscii(string host)
    {
        if (host.All(char.IsAscii)) return null;
        try { return Idn.GetAscii(host); }
        catch (ArgumentException) { return null; }
    }

    public static bool IsIpAddress(string host) =>
        host.StartsWith('[') || (host.Split('.') is { Length: 4 } parts && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit)));

    /// <summary>Splits "a.b.uniswap-claim.co.uk" into [a, b], "uniswap-claim", "co.uk"; null for IP addresses and bare suffixes.</summary>
    public static HostParts? Split(string host)
    {
        if (IsIpAddress(host)) return null;
        var labels = host.Split('.');
        if (labels.Length < 2 || labels.Any(l => l.Length == 0)) return null;
        var suffixLabels = 1;
        for (var n = Math.Min(3, labels.Length - 1); n >= 2; n--)
        {
            if (MultiLabelSuffixes.Contains(string.Join('.', labels[^n..]))) { suffixLabels = n; break; }
        }
        if (labels.Length <= suffixLabels) return null;
        var registrable = labels.Length - suffixLabels - 1;
        return new HostParts(labels[..registrable], labels[registrable], string.Join('.', labels[(registrable + 1)..]));
    }
}

internal sealed record HostParts(string[] Subdomains, string Label, string Suffix)
{
    public string RegistrableDomain => $"{Label}.{Suffix}";
}
