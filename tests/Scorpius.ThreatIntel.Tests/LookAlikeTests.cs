using System.Globalization;

namespace Scorpius.ThreatIntel.Tests;

/// <summary>Our look-alike detection, one group of positive and negative cases per technique.</summary>
public class LookAlikeTests
{
    private static readonly ThreatIntelIndex Index = ThreatIntelIndex.LoadBundled();

    /// <summary>The look-alike layer itself, so that a domain MetaMask already blocks still tests the technique.</summary>
    private static void AssertLookAlike(string domain, string? matched, string reasonPart)
    {
        var finding = Index.Domains.LookAlikes.Check(domain);
        Assert.True(finding is not null, $"{domain}: not flagged");
        Assert.Equal(matched, finding.Target);
        Assert.Contains(reasonPart, finding.Reason);
        Assert.StartsWith("Scorpius look-alike detection", finding.Source);
    }

    /// <summary>Neither the look-alike layer nor the whole check flags it.</summary>
    private static void AssertNotFlagged(string domain)
    {
        var check = Index.CheckDomain(domain);
        Assert.True(check.Verdict is DomainVerdict.Unknown or DomainVerdict.Allowlisted, $"{domain}: {check.Verdict} ({check.Reason})");
        if (check.Verdict == DomainVerdict.Unknown) Assert.Null(Index.Domains.LookAlikes.Check(check.Domain));
    }

    [Fact]
    public void A_look_alike_is_reported_with_its_reason_by_the_whole_check()
    {
        var check = Index.CheckDomain("rnagiceden.io");
        Assert.Equal(new DomainCheck("rnagiceden.io", DomainVerdict.LookAlike, "magiceden.io",
            "looks like magiceden.io (on our curated dApp list): look-alike characters (rn→m)", check.Source), check);
        Assert.StartsWith("Scorpius look-alike detection", check.Source);
    }

    [Theory]
    [InlineData("uniiswap.org", "uniswap.org", "one character differs (extra i)")]
    [InlineData("unisawp.org", "uniswap.org", "one character differs (aw→wa)")]
    [InlineData("uniswp.org", "uniswap.org", "one character differs (missing 'a')")]
    [InlineData("walletconect.com", "walletconnect.com", "missing 'n'")]
    [InlineData("walletcannect.com", "walletconnect.com", "a→o")]
    [InlineData("pancakeswapp.finance", "pancakeswap.finance", "extra p")]
    [InlineData("trezzor.io", "trezor.io", "extra z")]
    [InlineData("blockchian.com", "blockchain.com", "one character differs (ia→ai)")]
    [InlineData("blokchian.com", "blockchain.com", "2 characters differ")]
    [InlineData("metamsk-wallet.com", "metamask.io", "'metamsk' in metamsk-wallet.com looks like 'metamask'")]
    public void Edit_distance_on_the_registrable_name(string domain, string matched, string reason) => AssertLookAlike(domain, matched, reason);

    [Theory]
    [InlineData("trevor.com")]        // z→v makes a different name, not a slip, for a short brand
    [InlineData("metamusk.io")]       // the same for u→a in an eight-letter one
    [InlineData("finance.org")]       // a word, not "binance"
    [InlineData("opensearch.org")]
    [InlineData("unisat.io")]         // two edits from "uniswap"
    [InlineData("kepler.org")]
    [InlineData("carve.fi")]          // "curve" is a generic brand: only homoglyphs count
    public void Edit_distance_negatives(string domain) => AssertNotFlagged(domain);

    [Theory]
    [InlineData("un\u0456swap.org", "uniswap.org", "Cyrillic 'і' (U+0456)→i")]
    [InlineData("met\u0430mask.io", "metamask.io", "Cyrillic 'а' (U+0430)→a")]
    [InlineData("\u03BFpensea.io", "opensea.io", "Greek 'ο' (U+03BF)→o")]
    [InlineData("rnetamask.io", "metamask.io", "rn→m")]
    [InlineData("0pensea.io", "opensea.io", "0→o")]
    [InlineData("un1swap.org", "uniswap.org", "1→i")]
    [InlineData("unlswap.org", "uniswap.org", "l→i")]
    [InlineData("app.un1swap.org", "uniswap.org", "1→i")]
    [InlineData("myethervva11et.com", "myetherwallet.com", "vv→w")]
    [InlineData("1edger.com", "ledger.com", "1→l")]       // a generic brand: homoglyphs still count
    public void Homoglyphs_and_digit_letter_swaps(string domain, string matched, string reason) => AssertLookAlike(domain, matched, reason);

    [Theory]
    [InlineData("google.com")]
    [InlineData("mail.ru")]
    [InlineData("live.com")]
    [InlineData("10x.org")]
    public void Homoglyph_negatives(string domain) => AssertNotFlagged(domain);

    [Fact]
    public void Punycode_is_decoded_and_explained()
    {
        var ascii = new IdnMapping().GetAscii("un\u0456swap.org");
        Assert.StartsWith("xn--", ascii);

        var check = Index.CheckDomain($"https://{ascii}/#/swap");

        Assert.Equal(DomainVerdict.LookAlike, check.Verdict);
        Assert.Equal("uniswap.org", check.MatchedDomain);
        Assert.Equal(ascii, check.Domain);
        Assert.Contains("is 'un\u0456swap.org' in Unicode", check.Reason);
        Assert.Contains("Cyrillic", check.Reason);
    }

    [Theory]
    [InlineData("xn--mnchen-3ya.de")]   // münchen.de: Latin with a diacritic, one script
    [InlineData("xn--e1afmkfd.xn--p1ai")] // пример.рф: Cyrillic under a Cyrillic TLD
    [InlineData("xn--fiqs8s.cn")]       // 中国.cn
    public void Punycode_negatives(string domain) => AssertNotFlagged(domain);

    [Fact]
    public void Mixed_scripts_are_flagged_even_without_a_known_target()
    {
        var check = Index.CheckDomain("p\u0430ypal.com"); // Latin p, y, p, l with a Cyrillic а
        Assert.Equal(DomainVerdict.LookAlike, check.Verdict);
        Assert.Null(check.MatchedDomain);
        Assert.Contains("mixes Latin and Cyrillic letters", check.Reason);
    }

    [Fact]
    public void A_label_written_wholly_in_look_alikes_is_flagged()
    {
        var check = Index.CheckDomain("\u0430\u0440\u0440\u04CF\u0435.com"); // аррӏе: every letter Cyrillic
        Assert.Equal(DomainVerdict.LookAlike, check.Verdict);
        Assert.Null(check.MatchedDomain);
        Assert.Contains("is a Cyrillic look-alike of a Latin letter: it reads as 'apple'", check.Reason);
    }

    [Theory]
    [InlineData("uniswap.app-claim.com", "uniswap.org", "puts the name 'uniswap' of uniswap.org (Uniswap) with 'app', 'claim' in front of app-claim.com")]
    [InlineData("metamask-wallet-verify.io", "metamask.io", "uses the name 'metamask' of metamask.io (MetaMask) with 'wallet', 'verify' in metamask-wallet-verify.io")]
    [InlineData("claim-arbitrum.xyz", "arbitrum.io", "uses the name 'arbitrum'")]
    [InlineData("opensea.xyz", "opensea.io", "on another domain, opensea.xyz")]
    [InlineData("uniswap.vercel.app", "uniswap.org", "on another domain, uniswap.vercel.app")]
    [InlineData("ledger-live-update.com", "ledger.com", "'ledger'")]
    [InlineData("app.uniswap.org.claim-rewards.net", "uniswap.org", "spells out uniswap.org")]
    [InlineData("coinbase.com-9da7a204.su", "coinbase.com", "spells out coinbase.com")]
    [InlineData("uni-swap.org", "uniswap.org", "split by hyphens")]
    public void Brand_names_in_subdomains_and_hyphenated_labels(string domain, string matched, string reason) =>
        AssertLookAlike(domain, matched, reason);

    [Theory]
    [InlineData("uniswapclaim.com", "uniswap.org", "glues the name 'uniswap'")]
    [InlineData("getmetamask2.io", "metamask.io", "to 'get…2'")]
    [InlineData("binancepro.epizy.com", "binance.com", "glues the name 'binance'")]
    [InlineData("defi-aavev3.live", "aave.com", "to 'defi…v3'")]
    public void Brand_glued_to_lure_words(string domain, string matched, string reason) => AssertLookAlike(domain, matched, reason);

    [Theory]
    [InlineData("myetherwallet.groovehq.com")] // MyEtherWallet's help desk tenant: a brand subdomain of a neutral SaaS domain
    [InlineData("ledger-accounting.com")]      // generic brand without lure words
    [InlineData("curve-analytics.io")]
    [InlineData("metamaskfan.club")]            // "fan" is not a lure word
    [InlineData("sushi.com.au")]                // a different registrable domain that merely starts like sushi.com
    [InlineData("ethereum-magicians.org")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public void Brand_negatives(string domain) => AssertNotFlagged(domain);

    [Theory]
    [InlineData("app.uniswap.org", "uniswap.org")]
    [InlineData("portfolio.metamask.io", "metamask.io")]
    [InlineData("swap.cow.fi", "cow.fi")]
    [InlineData("https://user@app.uniswap.org:443/swap?chain=mainnet", "uniswap.org")]
    [InlineData("HTTPS://OpenSea.IO/", "opensea.io")]
    [InlineData("metamask.github.io", "metamask.github.io")]
    public void Real_domains_and_their_subdomains_stay_allowlisted(string input, string matched)
    {
        var check = Index.CheckDomain(input);
        Assert.Equal(DomainVerdict.Allowlisted, check.Verdict);
        Assert.Equal(matched, check.MatchedDomain);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("https:///path")]
    public void Input_without_a_host_is_unknown(string input)
    {
        var check = Index.CheckDomain(input);
        Assert.Equal(DomainVerdict.Unknown, check.Verdict);
        Assert.Equal("no host name in the input", check.Reason);
    }
}
