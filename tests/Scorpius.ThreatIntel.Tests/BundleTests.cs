using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Scorpius.ThreatIntel.Tests;

/// <summary>Loading bundles: the embedded one, a swapped-in update, and malformed ones.</summary>
public class BundleTests
{
    private const string OfacEth = "ofac-0xB10C/sanctioned_addresses_ETH.txt";
    private const string NewAddress = "0x1111111111111111111111111111111111111111";

    [Fact]
    public void The_bundled_index_is_loaded_once_and_lists_its_sources()
    {
        var index = ThreatIntelIndex.LoadBundled();

        Assert.Same(index, ThreatIntelIndex.LoadBundled());
        Assert.Equal(new DateOnly(2026, 11, 26), index.BuiltFrom);
        var ofac = Assert.Single(index.Sources, s => s.Name == "OFAC SDN list (ETH)");
        Assert.Equal(152, ofac.Entries);
        Assert.Equal(new DateOnly(2024, 9, 27), ofac.AsOf);
        Assert.Equal(435, Assert.Single(index.Sources, s => s.Name == "OFAC SDN list (XBT)").Entries);
        Assert.Equal(7780, Assert.Single(index.Sources, s => s.Name == "Forta labelled datasets: Etherscan malicious labels").Entries);
        Assert.Equal(13752 + 1138 + 15, Assert.Single(index.Sources, s => s.Name == "MetaMask eth-phishing-detect").Entries);
        Assert.All(index.Sources, s => Assert.True(s.Entries > 0 && s.Licence.Length > 0 && s.Origin.Length > 0, s.Name));
    }

    [Fact]
    public void A_bundle_of_the_data_folder_loads_the_same_index_as_the_embedded_one()
    {
        var bundled = ThreatIntelIndex.LoadBundled();
        var loaded = ThreatIntelIndex.Load(TestFiles.Bundle());

        Assert.Equal(bundled.Sources, loaded.Sources);
        Assert.Equal(bundled.AddressCount, loaded.AddressCount);
    }

    [Fact]
    public void An_updated_bundle_swaps_in_without_touching_the_running_index()
    {
        var bundled = ThreatIntelIndex.LoadBundled();
        var manifest = JsonNode.Parse(TestFiles.IntelText("manifest.json"))!;
        manifest["builtFrom"] = "2027-01-15";

        var updated = ThreatIntelIndex.Load(TestFiles.Bundle(new Dictionary<string, string?>
        {
            ["manifest.json"] = manifest.ToJsonString(),
            [OfacEth] = TestFiles.IntelText(OfacEth) + NewAddress + "\n",
        }));

        Assert.Equal(new DateOnly(2027, 1, 15), updated.BuiltFrom);
        Assert.Equal(AddressCategories.Sanctioned, Assert.Single(updated.Lookup("ethereum", 1, NewAddress)).Category);
        Assert.Equal(153, updated.Sources.Single(s => s.Name == "OFAC SDN list (ETH)").Entries);
        Assert.Empty(bundled.Lookup("ethereum", 1, NewAddress));
        Assert.Equal(new DateOnly(2026, 11, 26), bundled.BuiltFrom);
    }

    [Fact]
    public void The_whitelist_beats_the_blacklist_and_lists_cover_subdomains()
    {
        var config = JsonNode.Parse(TestFiles.IntelText("metamask-eth-phishing-detect/config.json"))!;
        config["whitelist"]!.AsArray().Add("nfts-mints.com");
        var index = ThreatIntelIndex.Load(TestFiles.Bundle(new Dictionary<string, string?>
        {
            ["metamask-eth-phishing-detect/config.json"] = config.ToJsonString(),
        }));

        Assert.Equal(DomainVerdict.Blocklisted, ThreatIntelIndex.LoadBundled().CheckDomain("nfts-mints.com").Verdict);
        Assert.Equal(DomainVerdict.Allowlisted, index.CheckDomain("nfts-mints.com").Verdict);
        Assert.Equal(DomainVerdict.Allowlisted, index.CheckDomain("etherealart.nfts-mints.com").Verdict); // also on the blacklist itself

        var sub = ThreatIntelIndex.LoadBundled().CheckDomain("claim.moonbirds.tv");
        Assert.Equal(DomainVerdict.Blocklisted, sub.Verdict);
        Assert.Equal("moonbirds.tv", sub.MatchedDomain);
        Assert.Contains("claim.moonbirds.tv (under moonbirds.tv)", sub.Reason);
    }

    [Fact]
    public void No_blacklisted_domain_is_under_a_curated_domain()
    {
        // Our curated allowlist comes before MetaMask's blacklist: it must not let a listed phishing host through.
        var index = ThreatIntelIndex.LoadBundled();
        var blacklist = JsonNode.Parse(TestFiles.IntelText("metamask-eth-phishing-detect/config.json"))!["blacklist"]!.AsArray()
            .Select(n => n!.GetValue<string>());
        var passed = blacklist.Where(d => index.CheckDomain(d).Verdict == DomainVerdict.Allowlisted
            && index.CheckDomain(d).Source == "Scorpius curated dApp domains");
        Assert.Empty(passed);
    }

    /// <summary>What is wrong, the file replaced (removed for null) and the start of the expected message.</summary>
    public static TheoryData<string, string, string?, string> Malformed() => new()
    {
        { "missing manifest", "manifest.json", null, "threat-intel bundle: manifest.json is missing." },
        { "manifest not JSON", "manifest.json", "{ sources: ", "manifest.json: not valid JSON" },
        { "newer format", "manifest.json", Manifest(m => m["format"] = 2), "manifest.json: format 2 is not supported (expected 1)." },
        { "bad date", "manifest.json", Manifest(m => m["sources"]![0]!["asOf"] = "27/09/2024"),
            "manifest.json source 'OFAC SDN list (ETH)': 'asOf' must be a date (yyyy-MM-dd) or null." },
        { "unknown parser", "manifest.json", Manifest(m => m["sources"]![0]!["parser"] = "magic"),
            "manifest.json: source 'OFAC SDN list (ETH)' has unknown parser 'magic'." },
        { "missing list", OfacEth, null, $"threat-intel bundle: {OfacEth} is missing." },
        { "bad address", OfacEth, "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1\n0xZZ\n",
            $"{OfacEth} line 2: '0xZZ' is not an EVM address (0x and 40 hex digits)." },
        { "missing column", "forta-labelled-datasets/labels/1/phishing_scams.csv", "addr,etherscan_tag,etherscan_labels,is_contract\n",
            "forta-labelled-datasets/labels/1/phishing_scams.csv: no column 'address'" },
        { "short row", "etherscan-labels/dawsbot_malicious.csv", "chain,label,kind,address,name\narbiscan,phish-hack\n",
            "etherscan-labels/dawsbot_malicious.csv line 2: 2 fields, the header has 5." },
        { "unknown label", "etherscan-labels/dawsbot_malicious.csv", "chain,label,kind,address,name\narbiscan,friendly,account,0x07ac38003467d3ba54bfd4e49485af4e782f710f,\n",
            "etherscan-labels/dawsbot_malicious.csv line 2: unknown Etherscan label 'friendly'." },
        { "unknown explorer", "etherscan-labels/dawsbot_malicious.csv", "chain,label,kind,address,name\nsolscan,phish-hack,account,0x07ac38003467d3ba54bfd4e49485af4e782f710f,\n",
            "etherscan-labels/dawsbot_malicious.csv line 2: unknown explorer 'solscan'." },
        { "config without blacklist", "metamask-eth-phishing-detect/config.json", """{"tolerance":2,"whitelist":[],"fuzzylist":[]}""",
            "metamask-eth-phishing-detect/config.json: 'blacklist' must be an array of domains." },
        { "bad confusable", "unicode/confusables-ascii.txt", "0430\tA\ttr39\tCYRILLIC SMALL LETTER A\n",
            "unicode/confusables-ascii.txt line 1: expected a BMP code point in hex, a tab and one ASCII letter or digit." },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_bundle_is_a_clear_error(string what, string path, string? content, string message)
    {
        var bundle = TestFiles.Bundle(new Dictionary<string, string?> { [path] = content });
        var error = Assert.Throws<InvalidDataException>(() => ThreatIntelIndex.Load(bundle));
        Assert.True(error.Message.StartsWith(message, StringComparison.Ordinal), $"{what}: {error.Message}");
    }

    [Fact]
    public void A_stream_that_is_not_a_zip_is_a_clear_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => ThreatIntelIndex.Load(new MemoryStream(Encoding.UTF8.GetBytes("not a zip"))));
        Assert.StartsWith("threat-intel bundle: not a zip archive", error.Message);
    }

    private static string Manifest(Action<JsonNode> change)
    {
        var manifest = JsonNode.Parse(TestFiles.IntelText("manifest.json"))!;
        change(manifest);
        return manifest.ToJsonString();
    }
}

[CollectionDefinition(nameof(Measurements), DisableParallelization = true)]
public class Measurements;

/// <summary>Load time and memory of the whole index, measured alone (no other test allocating meanwhile).</summary>
[Collection(nameof(Measurements))]
public class LoadBudgetTests(ITestOutputHelper output)
{
    [Fact]
    public void The_index_loads_in_under_two_seconds_into_at_most_50_MB()
    {
        var bundle = new MemoryStream();
        using (var resource = typeof(ThreatIntelIndex).Assembly.GetManifestResourceStream("threat-intel.zip")!) resource.CopyTo(bundle);
        ThreatIntelIndex.Load(new MemoryStream(bundle.ToArray())); // warm up the JIT

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        bundle.Position = 0;
        var index = ThreatIntelIndex.Load(bundle);
        clock.Stop();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(index);

        output.WriteLine($"bundle {bundle.Length / 1024} KiB; load {clock.Elapsed.TotalMilliseconds:F0} ms (warm); retained {retained / 1024.0 / 1024:F1} MiB; allocated while loading {allocated / 1024.0 / 1024:F1} MiB; {index.AddressCount} addresses");
        Assert.True(retained <= 50L * 1024 * 1024, $"retained {retained} bytes");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"loaded in {clock.Elapsed}");
    }
}
