using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Scorpius.Notifications.Egress;

/// <summary>Resolves a host name to its addresses; a seam so tests can make a name resolve to a private range.</summary>
public interface IDnsResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

public sealed class SystemDnsResolver : IDnsResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>The guard's answer: allowed, or refused with the reason.</summary>
public sealed record SsrfVerdict(bool Allowed, string? Reason)
{
    public static readonly SsrfVerdict Allow = new(true, null);
    public static SsrfVerdict Refuse(string reason) => new(false, reason);
}

/// <summary>
/// Refuses webhook URLs that reach inside: loopback, private, carrier-grade NAT, link-local (cloud metadata at
/// 169.254.169.254 included), unique-local, multicast, documentation and reserved ranges, checked on every address the
/// host resolves to (IPv4-mapped, NAT64 and 6to4 IPv6 addresses by the IPv4 address they carry). Operators allowlist
/// networks with <see cref="NotificationsOptions.AllowedNetworks"/>. Redirects are never followed (see
/// <see cref="DaprExternalInvoker"/>), so only the URL itself needs checking, before every attempt.
/// </summary>
public sealed class SsrfGuard(IDnsResolver dns, IOptions<NotificationsOptions> options)
{
    private static readonly IPNetwork[] Refused =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "240.0.0.0/4",
            // IPv4-compatible (covers :: and ::1), local-use NAT64, discard-only, Teredo, documentation, unique-local
            // (AWS metadata fd00:ec2::254 among them), link-local, site-local, multicast.
            "::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
        }.Select(IPNetwork.Parse),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    private readonly IPNetwork[] allowed = [.. options.Value.AllowedNetworks.Select(IPNetwork.Parse)];

    /// <summary>Checks the syntax of a webhook URL (absolute http(s), no credentials) without resolving it.</summary>
    public bool TryParseUrl(string? text, out Uri uri, out string error)
    {
        uri = null!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("https" or "http") || parsed.Host.Length == 0)
        {
            error = "The URL must be an absolute https:// URL.";
            return false;
        }
        if (parsed.Scheme == "http" && !options.Value.AllowInsecureHttp)
        {
            error = "The URL must use https://: webhook payloads must not travel unencrypted.";
            return false;
        }
        if (parsed.UserInfo.Length > 0)
        {
            error = "The URL must not contain credentials; verify webhook signatures instead.";
            return false;
        }
        uri = parsed;
        error = "";
        return true;
    }

    /// <summary>Resolves the URL's host and refuses it when any of its addresses is inside and not allowlisted.</summary>
    public async Task<SsrfVerdict> CheckAsync(Uri uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await dns.ResolveAsync(uri.IdnHost, cancellationToken);
            }
            catch (SocketException ex)
            {
                return SsrfVerdict.Refuse($"{uri.IdnHost} does not resolve ({ex.SocketErrorCode}).");
            }
            if (addresses.Length == 0) return SsrfVerdict.Refuse($"{uri.IdnHost} does not resolve.");
        }

        foreach (var address in addresses)
        {
            if (allowed.Any(n => n.Contains(address))) continue;
            if (RefusedNetwork(address) is { } network)
                return SsrfVerdict.Refuse($"{uri.IdnHost} resolves to {address}, inside {network}; allowlist it in Notifications:AllowedNetworks if intended.");
        }
        return SsrfVerdict.Allow;
    }

    /// <summary>The refused network <paramref name="address"/> lies in, or null when it is a public address.</summary>
    public static IPNetwork? RefusedNetwork(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) return RefusedNetwork(address.MapToIPv4());
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var bytes = address.GetAddressBytes();
            if (Nat64.Contains(address)) return RefusedNetwork(new IPAddress(bytes[12..16])) is null ? null : Nat64;
            if (SixToFour.Contains(address)) return RefusedNetwork(new IPAddress(bytes[2..6])) is null ? null : SixToFour;
        }
        foreach (var network in Refused)
        {
            if (network.Contains(address)) return network;
        }
        return null;
    }
}
