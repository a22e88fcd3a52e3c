namespace PanicDevice.Receiver.Mqtt;

/// <summary>
/// What the embedded broker lets a client cost it: the size of a packet before and after login (checked
/// on the packet's length field, before the body is read), how long a login may take, and how many
/// connections may be logging in at once.
/// </summary>
internal sealed record BrokerLimits
{
    /// <summary>The limits the receiver runs with unless told otherwise.</summary>
    public static readonly BrokerLimits Default = new();

    /// <summary>
    /// Largest remaining length of a packet before the login succeeded (the CONNECT, and anything sent
    /// before its CONNACK). A device's CONNECT is 100–200 bytes (client id, user name, the 32-character
    /// password, a will on its presence topic); 4 KiB leaves room for MQTT 5 properties.
    /// </summary>
    public int MaxPacketBytesBeforeLogin { get; init; } = 4096;

    /// <summary>
    /// Largest remaining length of a packet from a logged-in client: the publish payload limit
    /// (<see cref="EmbeddedBroker.MaxPayloadBytes"/>) plus room for the topic, packet id and properties.
    /// </summary>
    public int MaxPacketBytes { get; init; } = EmbeddedBroker.MaxPayloadBytes + 1024;

    /// <summary>
    /// From TCP accept to a successful CONNACK (TLS handshake included): a connection still not logged in
    /// then is closed. A SIM800 on a poor 2G link needs a few seconds for TLS and CONNECT; 20 s is generous.
    /// </summary>
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Connections logging in at once. A new connection beyond this closes the oldest pending login of
    /// the address holding the most of them, so a client that opens connections and stalls evicts its
    /// own first. Each costs at most a few tens of KiB (TLS buffers, one packet before login).
    /// </summary>
    public int MaxPendingLogins { get; init; } = 256;
}
