using PanicDevice.Core.Net;

namespace PanicDevice.Host;

/// <summary>
/// Wraps a link and delays every byte by half a round-trip time each way, as a slow cellular data path
/// does (GPRS round trips are commonly around a second). Used by benchmarks and simulations.
/// </summary>
public sealed class DelayedTcpLink : ITcpLink
{
    private readonly ITcpLink inner;
    private readonly int oneWayMs;
    private readonly Queue<(long DueMs, byte[] Data)> outgoing = new();
    private readonly Queue<(long DueMs, byte[] Data)> incoming = new();
    private readonly byte[] buffer = new byte[4096];
    private byte[]? current;
    private int currentOffset;
    private long nowMs;

    public DelayedTcpLink(ITcpLink inner, int roundTripMs)
    {
        this.inner = inner;
        oneWayMs = roundTripMs / 2;
    }

    public TcpLinkState State => inner.State;

    public void Open(string host, int port, long nowMs)
    {
        outgoing.Clear();
        incoming.Clear();
        current = null;
        inner.Open(host, port, nowMs);
    }

    public void Close(long nowMs) => inner.Close(nowMs);

    public int Send(byte[] data, int offset, int count, long nowMs)
    {
        if (inner.State != TcpLinkState.Open)
        {
            return 0;
        }
        outgoing.Enqueue((nowMs + oneWayMs, data.AsSpan(offset, count).ToArray()));
        return count;
    }

    public int Receive(byte[] target, int offset, int count)
    {
        if (current == null)
        {
            if (incoming.Count == 0 || incoming.Peek().DueMs > nowMs)
            {
                return 0;
            }
            current = incoming.Dequeue().Data;
            currentOffset = 0;
        }
        int n = Math.Min(count, current.Length - currentOffset);
        Array.Copy(current, currentOffset, target, offset, n);
        currentOffset += n;
        if (currentOffset == current.Length)
        {
            current = null;
        }
        return n;
    }

    public void Poll(long nowMs)
    {
        this.nowMs = nowMs;
        inner.Poll(nowMs);
        while (outgoing.Count > 0 && outgoing.Peek().DueMs <= nowMs)
        {
            byte[] d = outgoing.Dequeue().Data;
            inner.Send(d, 0, d.Length, nowMs);
        }
        int n;
        while ((n = inner.Receive(buffer, 0, buffer.Length)) > 0)
        {
            incoming.Enqueue((nowMs + oneWayMs, buffer.AsSpan(0, n).ToArray()));
        }
    }
}
