using System.Collections.Concurrent;

namespace PanicDevice.Receiver.Mqtt;

/// <summary>What the embedded broker refused, by reason, for /metrics (<c>pd_mqtt_refused_total</c>): exact, whatever the log shows.</summary>
internal sealed class BrokerCounters
{
    /// <summary>Every reason, so /metrics shows each from the start (a counter that appears only when it moves is easy to miss).</summary>
    public static readonly string[] Reasons =
    {
        "packet_too_large_before_login", // a packet over BrokerLimits.MaxPacketBytesBeforeLogin, refused at its length field
        "first_packet_not_connect",
        "malformed_length",
        "login_timeout", // not logged in within BrokerLimits.LoginTimeout (TLS handshake included)
        "pending_logins_full", // closed to make room under BrokerLimits.MaxPendingLogins
        "bad_login", // CONNACK "bad user name or password"
        "packet_too_large", // a logged-in client's packet over BrokerLimits.MaxPacketBytes
        "payload_too_large", // a publish over EmbeddedBroker.MaxPayloadBytes
        "publish_not_allowed", // a topic the client may not publish on
        "subscribe_not_allowed",
    };

    private readonly ConcurrentDictionary<string, long> counts = new(Reasons.Select(r => KeyValuePair.Create(r, 0L)));

    public void Count(string reason) => counts.AddOrUpdate(reason, 1, (_, n) => n + 1);

    public long this[string reason] => counts.GetValueOrDefault(reason);

    public IEnumerable<KeyValuePair<string, long>> All => counts.OrderBy(kv => kv.Key, StringComparer.Ordinal);
}
