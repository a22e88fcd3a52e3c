using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace PanicDevice.Receiver.Mqtt;

/// <summary>
/// One client's byte channel under MQTTnet (TCP, or TLS over it). What the client sends passes a
/// <see cref="PacketSizeGuard"/> before MQTTnet sees it; the first packet the server writes is its CONNACK,
/// and a successful one tells the guard (the larger limit applies from then on) and the owner (the login
/// is no longer pending).
/// </summary>
internal sealed class GuardedChannel(Stream stream, EndPoint localEndPoint, EndPoint remoteEndPoint, PacketSizeGuard guard,
    Action onLoggedIn, Action<PacketSizeGuard> onRefused) : IMqttChannel
{
    private int written;
    private int refused;

    public X509Certificate2? ClientCertificate => null; // no client certificates: devices log in with a password

    public EndPoint RemoteEndPoint => remoteEndPoint;

    public EndPoint LocalEndPoint => localEndPoint;

    public bool IsSecureConnection => stream is SslStream;

    public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask; // accepted, already connected

    public Task DisconnectAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (guard.Refusal != null)
        {
            return 0;
        }
        int n;
        try
        {
            n = await stream.ReadAsync(buffer.AsMemory(offset, count), cancellationToken);
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        catch (IOException e) when (e.InnerException is SocketException s)
        {
            // as MQTTnet's own TCP channel does: its reader treats socket errors as a closed connection
            ExceptionDispatchInfo.Capture(s).Throw();
            throw;
        }
        int allowed = n == 0 ? 0 : guard.Admit(buffer.AsSpan(offset, n));
        if (guard.Refusal != null && Interlocked.Exchange(ref refused, 1) == 0)
        {
            onRefused(guard);
            Dispose();
        }
        return allowed;
    }

    public async Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref written, 1) == 0 && IsSuccessfulConnAck(buffer))
        {
            // Before the CONNACK leaves: the client may send its first PUBLISH as soon as it has it.
            guard.LoggedIn = true;
            onLoggedIn();
        }
        try
        {
            foreach (ReadOnlyMemory<byte> segment in buffer)
            {
                await stream.WriteAsync(segment, cancellationToken);
            }
        }
        catch (ObjectDisposedException)
        {
            throw new MQTTnet.Exceptions.MqttCommunicationException("The TCP connection is closed.");
        }
    }

    /// <summary>A CONNACK (3.1.1 or 5) whose return / reason code is 0: fixed header 0x20, remaining length, flags, code.</summary>
    public static bool IsSuccessfulConnAck(ReadOnlySequence<byte> packet)
    {
        Span<byte> head = stackalloc byte[7];
        int n = (int)Math.Min(packet.Length, head.Length);
        packet.Slice(0, n).CopyTo(head);
        if (n < 4 || head[0] != 0x20)
        {
            return false;
        }
        int i = 1;
        while (i < n && (head[i] & 0x80) != 0)
        {
            i++;
        }
        // i is the last length byte; then the acknowledge flags, then the code
        return i + 2 < n && head[i + 2] == 0x00;
    }

    public void Dispose()
    {
        try
        {
            stream.Dispose();
        }
        catch (IOException)
        {
            // the other end is gone already
        }
    }
}
