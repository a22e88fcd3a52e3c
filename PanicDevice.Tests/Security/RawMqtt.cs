using System.Net.Sockets;
using System.Text;

namespace PanicDevice.Tests.Security;

/// <summary>MQTT 3.1.1 packets written byte by byte, for clients that misbehave on purpose.</summary>
public static class RawMqtt
{
    /// <summary>A CONNECT with user name and password, keep-alive 60 s, clean session; the password is padded with '0' to make the remaining length <paramref name="remainingLength"/> when given.</summary>
    public static byte[] Connect(string clientId, string user, string password, int? remainingLength = null)
    {
        var body = new List<byte> { 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0xC2, 0x00, 0x3C };
        int fixedPart = body.Count + 2 + Encoding.UTF8.GetByteCount(clientId) + 2 + Encoding.UTF8.GetByteCount(user) + 2;
        if (remainingLength is { } wanted)
        {
            password = password.PadRight(wanted - fixedPart, '0');
        }
        foreach (string field in new[] { clientId, user, password })
        {
            byte[] b = Encoding.UTF8.GetBytes(field);
            body.Add((byte)(b.Length >> 8));
            body.Add((byte)b.Length);
            body.AddRange(b);
        }
        var packet = new List<byte> { 0x10 };
        packet.AddRange(RemainingLength(body.Count));
        packet.AddRange(body);
        return packet.ToArray();
    }

    /// <summary>The variable-length "remaining length" field (1–4 bytes).</summary>
    public static byte[] RemainingLength(int length)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(length % 128);
            length /= 128;
            bytes.Add(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);
        return bytes.ToArray();
    }

    /// <summary>
    /// Waits for the server to close the connection: Closed is true when a read ends (0 bytes or a reset)
    /// within <paramref name="within"/>, false on timeout; Received is what came before (a CONNACK, say).
    /// </summary>
    public static async Task<(bool Closed, byte[] Received)> ClosedAsync(NetworkStream s, TimeSpan within)
    {
        var received = new List<byte>();
        byte[] buffer = new byte[64];
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while (true)
            {
                int n = await s.ReadAsync(buffer, timeout.Token);
                if (n == 0)
                {
                    return (true, received.ToArray());
                }
                received.AddRange(buffer.AsSpan(0, n).ToArray());
            }
        }
        catch (OperationCanceledException)
        {
            return (false, received.ToArray());
        }
        catch (IOException)
        {
            return (true, received.ToArray()); // reset by the server
        }
    }
}
