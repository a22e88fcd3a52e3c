using System.Net;
using System.Net.Sockets;

namespace PanicDevice.Bench;

/// <summary>
/// A DC-09 receiver's socket on loopback: accepts connections, cuts what arrives into messages (LF to CR) and writes
/// back what <c>answer</c> returns for each (null: no answer). It can go down (not listening, connections dropped) and
/// come back on the same port. What a message means is the caller's: the benches' ARC and the tests' own.
/// </summary>
public sealed class Dc09Listener : IAsyncDisposable
{
    private readonly Func<byte[], byte[]?> answer;
    private readonly List<TcpClient> open = new();
    private TcpListener listener;
    private CancellationTokenSource stop = new();
    private Task accepting;

    /// <summary>Listens on <paramref name="port"/> (0: any free one, see <see cref="Port"/>).</summary>
    public Dc09Listener(Func<byte[], byte[]?> answer, int port = 0)
    {
        this.answer = answer;
        listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        accepting = AcceptAsync(listener, stop.Token);
    }

    public int Port { get; }

    /// <summary>Stops listening and drops every connection.</summary>
    public void Down()
    {
        stop.Cancel();
        listener.Stop();
        lock (open)
        {
            foreach (TcpClient c in open) c.Dispose();
            open.Clear();
        }
    }

    /// <summary>Listens again on the same port.</summary>
    public void Up()
    {
        stop = new CancellationTokenSource();
        listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Start();
        accepting = AcceptAsync(listener, stop.Token);
    }

    private async Task AcceptAsync(TcpListener l, CancellationToken cancel)
    {
        try
        {
            while (true)
            {
                TcpClient c = await l.AcceptTcpClientAsync(cancel);
                lock (open) open.Add(c);
                _ = ServeAsync(c, cancel);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
    }

    private async Task ServeAsync(TcpClient c, CancellationToken cancel)
    {
        using (c)
        {
            var frame = new List<byte>();
            var buffer = new byte[4096];
            try
            {
                NetworkStream s = c.GetStream();
                int n;
                while ((n = await s.ReadAsync(buffer, cancel)) > 0)
                {
                    for (int i = 0; i < n; i++)
                    {
                        if (frame.Count == 0 && buffer[i] != (byte)'\n') continue; // nothing before a message's LF is part of it
                        frame.Add(buffer[i]);
                        if (buffer[i] != (byte)'\r') continue;
                        byte[]? reply = answer(frame.ToArray());
                        frame.Clear();
                        if (reply != null) await s.WriteAsync(reply, cancel);
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Down();
        await accepting;
    }
}
