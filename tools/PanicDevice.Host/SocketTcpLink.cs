using System.Net.Sockets;
using PanicDevice.Core.Net;

namespace PanicDevice.Host;

/// <summary>
/// Core's <see cref="ITcpLink"/> over a host socket, never blocking the caller: Open starts an
/// asynchronous connect that Poll observes, Receive reads only what is already buffered.
/// </summary>
public sealed class SocketTcpLink : ITcpLink, IDisposable
{
    private Socket? socket;
    private Task? connecting;

    public TcpLinkState State { get; private set; } = TcpLinkState.Closed;

    /// <summary>Why the last connection failed, for diagnostics.</summary>
    public string? LastError { get; private set; }

    public void Open(string host, int port, long nowMs)
    {
        Close(nowMs);
        socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        connecting = socket.ConnectAsync(host, port);
        State = TcpLinkState.Opening;
    }

    public void Close(long nowMs)
    {
        try
        {
            socket?.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
        socket = null;
        connecting = null;
        State = TcpLinkState.Closed;
    }

    public int Send(byte[] data, int offset, int count, long nowMs)
    {
        if (State != TcpLinkState.Open || socket == null)
        {
            return 0;
        }
        try
        {
            return socket.Send(data, offset, count, SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Fail(e);
            return 0;
        }
    }

    public int Receive(byte[] buffer, int offset, int count)
    {
        if (State != TcpLinkState.Open || socket == null)
        {
            return 0;
        }
        try
        {
            if (socket.Available == 0)
            {
                // Poll for readability tells a closed peer (readable, zero bytes) from an idle one.
                if (socket.Poll(0, SelectMode.SelectRead))
                {
                    Fail(null);
                }
                return 0;
            }
            return socket.Receive(buffer, offset, Math.Min(count, socket.Available), SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Fail(e);
            return 0;
        }
    }

    public void Poll(long nowMs)
    {
        if (State == TcpLinkState.Opening && connecting != null && connecting.IsCompleted)
        {
            if (connecting.IsCompletedSuccessfully)
            {
                State = TcpLinkState.Open;
            }
            else
            {
                Fail(connecting.Exception?.InnerException);
            }
        }
    }

    private void Fail(Exception? e)
    {
        LastError = e?.Message ?? "connection closed by the peer";
        State = TcpLinkState.Failed;
    }

    public void Dispose() => Close(0);
}
