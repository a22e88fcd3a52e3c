using System.Net;

namespace PanicDevice.Receiver.Mqtt;

/// <summary>
/// Where the embedded broker listens (--mqtt-address): an IP address, <c>localhost</c> (127.0.0.1 and ::1)
/// or <c>*</c> (every interface). Unset, it follows the HTTP API: loopback while every address the API
/// listens on is loopback (and when none is given, as Kestrel's own default is localhost:5000), every
/// interface as soon as one is not — a receiver whose API faces the network is one devices must reach.
/// </summary>
internal sealed record BrokerAddress(string Text, IReadOnlyList<IPAddress> Addresses)
{
    public const string Expected = "--mqtt-address must be an IP address, localhost (loopback only) or * (every interface)";

    /// <summary>Every interface: one dual-stack socket where IPv6 is available, else IPv4's any address.</summary>
    public bool IsAny => Addresses.Count == 1 && Addresses[0].Equals(IPAddress.IPv6Any) && Text == "*";

    /// <summary>The addresses for the text, or null when it is not one of the three forms.</summary>
    public static BrokerAddress? Parse(string? text)
    {
        string t = (text ?? "").Trim();
        if (t == "*")
        {
            return new BrokerAddress("*", new[] { IPAddress.IPv6Any });
        }
        if (t.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new BrokerAddress("localhost", new[] { IPAddress.Loopback, IPAddress.IPv6Loopback });
        }
        return IPAddress.TryParse(t.Trim('[', ']'), out IPAddress? ip) ? new BrokerAddress(ip.ToString(), new[] { ip }) : null;
    }

    /// <summary>The default for the HTTP addresses the host was given (urls, ASPNETCORE_URLS, Kestrel endpoints, HTTP_PORTS).</summary>
    public static BrokerAddress DefaultFor(IConfiguration config)
    {
        if (!string.IsNullOrEmpty(config["http_ports"]) || !string.IsNullOrEmpty(config["https_ports"]))
        {
            return Parse("*")!; // HTTP_PORTS binds every interface
        }
        var urls = (config["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(config.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"] ?? "")).Where(u => u.Length > 0).ToList();
        return Parse(urls.All(IsLoopback) ? "localhost" : "*")!;
    }

    /// <summary>Whether a URL's host is loopback, read the way Kestrel reads it (<c>*</c>, <c>+</c> and names other than localhost mean every interface).</summary>
    public static bool IsLoopback(string url)
    {
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        string rest = scheme >= 0 ? url[(scheme + 3)..] : url;
        int slash = rest.IndexOf('/');
        string authority = slash >= 0 ? rest[..slash] : rest;
        string host = authority.StartsWith('[') ? authority[..(authority.IndexOf(']') + 1)]
            : authority.LastIndexOf(':') is int colon and >= 0 ? authority[..colon] : authority;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
    }

    public override string ToString() => Text;
}
