namespace PanicDevice.Receiver.Mqtt;

/// <summary>An external broker address: <c>mqtt://host[:port]</c> (1883) or <c>mqtts://host[:port]</c> (TLS, 8883).</summary>
internal sealed record BrokerEndpoint(string Host, int Port, bool Tls)
{
    /// <summary>The one sentence --broker problems get; it never repeats the URL, which may hold a password.</summary>
    public const string Expected = "--broker must be mqtt://host[:port] or mqtts://host[:port] (credentials go in --broker-user/--broker-password, not the URL)";

    /// <summary>The endpoint, or null when the text is not a usable broker URL.</summary>
    public static BrokerEndpoint? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? u))
        {
            return null;
        }
        bool tls = u.Scheme == "mqtts";
        if ((u.Scheme != "mqtt" && u.Scheme != "mqtts") || string.IsNullOrEmpty(u.Host) || u.UserInfo.Length > 0
            || (u.AbsolutePath != "/" && u.AbsolutePath != "") || u.Query.Length > 0 || u.Fragment.Length > 0)
        {
            return null;
        }
        int port = u.IsDefaultPort || u.Port < 0 ? (tls ? 8883 : 1883) : u.Port;
        if (port < 1 || port > 65535)
        {
            return null;
        }
        return new BrokerEndpoint(u.IdnHost, port, tls);
    }

    /// <summary>For logs: scheme, host and port; never credentials.</summary>
    public override string ToString() => (Tls ? "mqtts://" : "mqtt://") + Host + ":" + Port;
}
