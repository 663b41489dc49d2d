using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Scorpius.Notifications.Egress;

namespace Scorpius.Notifications.Tests;

/// <summary>The SSRF guard on URLs, IP literal forms and resolved names (a stub resolver, and the real one for localhost).</summary>
public sealed class SsrfGuardTests
{
    private sealed class StubDns(Dictionary<string, IPAddress[]> names) : IDnsResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            names.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : throw new SocketException((int)SocketError.HostNotFound);
    }

    private static readonly StubDns Names = new(new()
    {
        ["hooks.example.com"] = [IPAddress.Parse("93.184.215.14")],
        ["internal.example.com"] = [IPAddress.Parse("10.0.0.7")],
        ["metadata.example.com"] = [IPAddress.Parse("169.254.169.254")],
        ["split.example.com"] = [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("192.168.1.10")],
        ["v6private.example.com"] = [IPAddress.Parse("fd12:3456::1")],
        ["mapped.example.com"] = [IPAddress.Parse("::ffff:10.1.2.3")],
    });

    private static SsrfGuard Guard(string[]? allowed = null, bool allowHttp = true, IDnsResolver? dns = null) =>
        new(dns ?? Names, Options.Create(new NotificationsOptions { AllowedNetworks = allowed ?? [], AllowInsecureHttp = allowHttp }));

    [Theory]
    // IPv4: loopback, private, carrier-grade NAT, link-local and the cloud metadata address, "this network", multicast
    [InlineData("http://127.0.0.1/hook")]
    [InlineData("http://127.8.9.10:8080/hook")]
    [InlineData("http://10.1.2.3/")]
    [InlineData("http://172.16.0.1/")]
    [InlineData("http://172.31.255.255/")]
    [InlineData("http://192.168.0.10/")]
    [InlineData("http://100.64.0.1/")]
    [InlineData("http://100.100.100.200/")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://0.0.0.0/")]
    [InlineData("http://224.0.0.1/")]
    [InlineData("http://255.255.255.255/")]
    // IPv4 in decimal, hex, octal and short forms (all 127.0.0.1 or 169.254.169.254)
    [InlineData("http://2130706433/")]
    [InlineData("http://0x7f000001/")]
    [InlineData("http://0x7f.0.0.1/")]
    [InlineData("http://0177.0.0.1/")]
    [InlineData("http://017700000001/")]
    [InlineData("http://127.1/")]
    [InlineData("http://2852039166/")]
    [InlineData("http://0xa9fea9fe/")]
    // IPv6: loopback, unspecified, unique-local (AWS metadata fd00:ec2::254), link-local, multicast, mapped and translated IPv4
    [InlineData("http://[::1]/")]
    [InlineData("http://[::]/")]
    [InlineData("http://[fd00:ec2::254]/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[ff02::1]/")]
    [InlineData("http://[::ffff:127.0.0.1]/")]
    [InlineData("http://[::ffff:a9fe:a9fe]/")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]/")]
    [InlineData("http://[2002:c0a8:0101::1]/")]
    // Names that resolve inside
    [InlineData("https://internal.example.com/hook")]
    [InlineData("https://metadata.example.com/")]
    [InlineData("https://split.example.com/")]
    [InlineData("https://v6private.example.com/")]
    [InlineData("https://mapped.example.com/")]
    public async Task Refuses_addresses_inside(string url)
    {
        var guard = Guard();
        Assert.True(guard.TryParseUrl(url, out var uri, out var error), error);

        var verdict = await guard.CheckAsync(uri, CancellationToken.None);

        Assert.False(verdict.Allowed);
        Assert.Contains("inside", verdict.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.example.com/hook")]
    [InlineData("https://93.184.215.14/hook")]
    [InlineData("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook")]
    [InlineData("https://[64:ff9b::5db8:d70e]/")]
    public async Task Allows_public_addresses(string url)
    {
        var guard = Guard();
        Assert.True(guard.TryParseUrl(url, out var uri, out var error), error);
        Assert.Equal(SsrfVerdict.Allow, await guard.CheckAsync(uri, CancellationToken.None));
    }

    [Fact]
    public async Task Localhost_resolved_by_the_real_resolver_is_refused_unless_loopback_is_allowlisted()
    {
        var uri = new Uri("http://localhost:8080/hook");

        var refused = await Guard(dns: new SystemDnsResolver()).CheckAsync(uri, CancellationToken.None);
        var allowed = await Guard(["127.0.0.0/8", "::1/128"], dns: new SystemDnsResolver()).CheckAsync(uri, CancellationToken.None);

        Assert.False(refused.Allowed);
        Assert.True(allowed.Allowed, allowed.Reason);
    }

    [Fact]
    public async Task An_allowlisted_network_admits_only_its_own_addresses()
    {
        var guard = Guard(["10.0.0.0/24"]);

        Assert.True((await guard.CheckAsync(new Uri("https://internal.example.com/"), CancellationToken.None)).Allowed);
        Assert.False((await guard.CheckAsync(new Uri("http://10.0.1.7/"), CancellationToken.None)).Allowed);
        Assert.False((await guard.CheckAsync(new Uri("http://127.0.0.1/"), CancellationToken.None)).Allowed);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_refused()
    {
        var verdict = await Guard().CheckAsync(new Uri("https://nowhere.example.com/"), CancellationToken.None);
        Assert.False(verdict.Allowed);
        Assert.Contains("does not resolve", verdict.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://hooks.example.com/", "https://")]
    [InlineData("/relative/path", "https://")]
    [InlineData("https://user:secret@hooks.example.com/", "credentials")]
    [InlineData("not a url", "https://")]
    public void Rejects_urls_that_are_not_plain_https(string url, string expected)
    {
        Assert.False(Guard().TryParseUrl(url, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_http_is_rejected_unless_the_operator_allows_it()
    {
        Assert.False(Guard(allowHttp: false).TryParseUrl("http://hooks.example.com/", out _, out var error));
        Assert.Contains("https://", error, StringComparison.Ordinal);
        Assert.True(Guard(allowHttp: true).TryParseUrl("http://hooks.example.com/", out _, out _));
        Assert.True(Guard(allowHttp: false).TryParseUrl("https://hooks.example.com/", out _, out _));
    }
}
