using System.Net;
using System.Net.Sockets;

namespace PanicDevice.Tests.Support;

/// <summary>
/// A loopback TCP relay that can black-hole the traffic it carries: while partitioned, connections stay
/// open but no byte moves in either direction (what a dead link or a dropped route looks like to both
/// ends; only a keep-alive notices), and connections accepted meanwhile are not passed on. Healing lets
/// the held bytes flow again, as TCP retransmission would.
/// </summary>
public sealed class TcpRelay : IDisposable
{
    private readonly TcpListener listener;
    private readonly IPEndPoint target;
    private readonly CancellationTokenSource stop = new();
    private readonly List<TcpClient> connections = new();
    private volatile TaskCompletionSource healed = Healed();

    public TcpRelay(IPEndPoint target)
    {
        this.target = target;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptAsync);
    }

    /// <summary>The loopback port clients connect to instead of the target.</summary>
    public int Port { get; }

    public bool IsPartitioned => !healed.Task.IsCompleted;

    /// <summary>Connections accepted so far (a client that reconnected shows up as another one).</summary>
    public int Accepted { get; private set; }

    public void Partition()
    {
        if (!IsPartitioned) healed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Heal() => healed.TrySetResult();

    private static TaskCompletionSource Healed()
    {
        var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        t.SetResult();
        return t;
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Accepted++;
            _ = Task.Run(() => CarryAsync(inbound));
        }
    }

    private async Task CarryAsync(TcpClient inbound)
    {
        // MQTT is small packets, each awaited: without NoDelay, Nagle and delayed ACKs would hold them back.
        inbound.NoDelay = true;
        var outbound = new TcpClient { NoDelay = true };
        lock (connections)
        {
            connections.Add(inbound);
            connections.Add(outbound);
        }
        try
        {
            await healed.Task.WaitAsync(stop.Token); // a connection attempt during the partition gets nowhere
            await outbound.ConnectAsync(target, stop.Token);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            Task up = PumpAsync(inbound.GetStream(), outbound.GetStream(), either.Token);
            Task down = PumpAsync(outbound.GetStream(), inbound.GetStream(), either.Token);
            await Task.WhenAny(up, down);
            either.Cancel();
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken cancel)
    {
        byte[] buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n;
                try
                {
                    n = await from.ReadAsync(buffer, cancel);
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    n = 0;
                }
                // hold the bytes, or the close, until healed (the rest waits in the kernel's buffers)
                await healed.Task.WaitAsync(cancel);
                if (n == 0) return;
                await to.WriteAsync(buffer.AsMemory(0, n), cancel);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        lock (connections)
        {
            foreach (TcpClient c in connections) c.Dispose();
        }
    }
}
