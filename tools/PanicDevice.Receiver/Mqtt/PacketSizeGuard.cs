namespace PanicDevice.Receiver.Mqtt;

/// <summary>
/// Follows the MQTT framing of what one client sends (fixed header byte, 1–4 length bytes, body) and stops
/// the stream at the first packet that breaks a rule: before login the first packet must be a CONNECT and
/// no packet may declare more than <see cref="BrokerLimits.MaxPacketBytesBeforeLogin"/>; after login, more
/// than <see cref="BrokerLimits.MaxPacketBytes"/>. MQTTnet allocates a packet's whole body as soon as it has
/// the length field, so the check has to see the length before MQTTnet does: the byte that completes (or
/// pushes over the limit) the length of an offending packet is never passed on.
/// </summary>
internal sealed class PacketSizeGuard(int maxBeforeLogin, int maxAfterLogin)
{
    private enum Part
    {
        Header,
        Length,
        Body,
    }

    private Part part = Part.Header;
    private bool first = true;
    private int lengthBytes;
    private int multiplier;
    private long length;
    private long bodyLeft;
    private volatile bool loggedIn;

    /// <summary>Set once the server has accepted the login: from then on the larger limit applies.</summary>
    public bool LoggedIn
    {
        get => loggedIn;
        set => loggedIn = value;
    }

    /// <summary>Why the stream was stopped (a /metrics reason), or null while it flows.</summary>
    public string? Refusal { get; private set; }

    /// <summary>The length the offending packet declared so far (for the log line).</summary>
    public long DeclaredLength => length;

    /// <summary>
    /// Takes bytes just read from the client and returns how many of them may be passed on: all of them,
    /// or, when a packet in them breaks a rule, only the whole packets before it (then nothing more, ever).
    /// </summary>
    public int Admit(ReadOnlySpan<byte> bytes)
    {
        if (Refusal != null)
        {
            return 0;
        }
        int packetStart = 0; // of the packet being read, within these bytes (0 when it began in an earlier read)
        for (int i = 0; i < bytes.Length; i++)
        {
            switch (part)
            {
                case Part.Header:
                    packetStart = i;
                    if (first && bytes[i] >> 4 != 1)
                    {
                        return Refuse("first_packet_not_connect", packetStart);
                    }
                    first = false;
                    part = Part.Length;
                    length = 0;
                    lengthBytes = 0;
                    multiplier = 1;
                    break;
                case Part.Length:
                    length += (bytes[i] & 0x7F) * (long)multiplier;
                    lengthBytes++;
                    // Later length bytes only add: over the limit now is over the limit for good.
                    if (length > (LoggedIn ? maxAfterLogin : maxBeforeLogin))
                    {
                        return Refuse(LoggedIn ? "packet_too_large" : "packet_too_large_before_login", packetStart);
                    }
                    if ((bytes[i] & 0x80) == 0)
                    {
                        bodyLeft = length;
                        part = bodyLeft == 0 ? Part.Header : Part.Body;
                    }
                    else if (lengthBytes == 4)
                    {
                        return Refuse("malformed_length", packetStart);
                    }
                    else
                    {
                        multiplier *= 128;
                    }
                    break;
                case Part.Body:
                    int take = (int)Math.Min(bodyLeft, bytes.Length - i);
                    bodyLeft -= take;
                    i += take - 1;
                    if (bodyLeft == 0)
                    {
                        part = Part.Header;
                    }
                    break;
            }
        }
        return bytes.Length;
    }

    private int Refuse(string reason, int packetStart)
    {
        Refusal = reason;
        return packetStart;
    }
}
