using System.Globalization;
using System.Net.Sockets;

namespace PanicDevice.Receiver.Dispatch.Dc09;

/// <summary>How one message to an ARC ended.</summary>
internal enum Dc09Result
{
    /// <summary>The ARC acknowledged it: delivered.</summary>
    Acked,
    /// <summary>The ARC will not take it as it is (DUH, or a NAK again after resending with its time): retrying the same bytes cannot help; operators must look at the account's settings.</summary>
    Refused,
    /// <summary>No usable answer (unreachable, closed, silent, garbled): send again later.</summary>
    Failed,
}

/// <summary>The outcome of <see cref="Dc09Link.SendAsync"/>, with why for anything but an ACK (never the key).</summary>
internal sealed record Dc09Outcome(Dc09Result Result, int Sequence, string Detail);

/// <summary>
/// One ARC receiver over TCP, one message at a time. The connection stays open between messages and is opened again
/// after any failure. Each message gets the next sequence number (0001–9999, then 0001 again). A NAK that carries the
/// ARC's time means our timestamp was outside its window: the message is sent once more, same sequence, stamped with
/// the ARC's clock, and that offset is kept for the messages after it. A second NAK, or a DUH, is a refusal.
/// </summary>
internal sealed class Dc09Link : IAsyncDisposable
{
    private const int MaxReplyBytes = 4 + 4 + 0xFFF + 2;

    private readonly string host;
    private readonly int port;
    private readonly TimeProvider time;
    private readonly TimeSpan replyTimeout;
    private TcpClient? client;
    private int sequence;
    private TimeSpan arcClockOffset;

    public Dc09Link(string host, int port, TimeProvider? time = null, TimeSpan? replyTimeout = null)
    {
        this.host = host;
        this.port = port;
        this.time = time ?? TimeProvider.System;
        this.replyTimeout = replyTimeout ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>How far the ARC's clock is from ours, as its last NAK said.</summary>
    public TimeSpan ArcClockOffset => arcClockOffset;

    /// <summary>Where this link goes, as operators may read it (no account, no key).</summary>
    public string Address => host + ":" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Sends one message for <paramref name="account"/> (<see cref="Dc09Frame.Build"/>'s <paramref name="id"/>, data,
    /// extended data) and reads the ARC's answer. The accounts of many sites share one connection, as a receiver
    /// line takes them.
    /// </summary>
    public Task<Dc09Outcome> SendAsync(Dc09Account account, string id, string data, IReadOnlyList<string> extended, CancellationToken cancel)
    {
        sequence = sequence % 9999 + 1;
        return ExchangeAsync(account, id, sequence, data, extended, cancel);
    }

    /// <summary>
    /// A link test (<c>"NULL"</c>, sequence 0000, no data) for <paramref name="account"/>: an ARC that ACKs it is
    /// reachable and holds the account's key, so a dead line is found before an alarm needs it.
    /// </summary>
    public Task<Dc09Outcome> TestAsync(Dc09Account account, CancellationToken cancel) =>
        ExchangeAsync(account, Dc09Frame.Null, 0, "", Array.Empty<string>(), cancel);

    private async Task<Dc09Outcome> ExchangeAsync(Dc09Account account, string id, int sequence, string data, IReadOnlyList<string> extended, CancellationToken cancel)
    {
        bool resent = false;
        while (true)
        {
            byte[] frame = Dc09Frame.Build(id, sequence, account, data, extended, time.GetUtcNow().UtcDateTime + arcClockOffset);
            Dc09Reply reply;
            try
            {
                reply = await ExchangeAsync(account, sequence, frame, cancel);
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException or FormatException or ObjectDisposedException)
            {
                Close();
                return new Dc09Outcome(Dc09Result.Failed, sequence, e.Message);
            }
            switch (reply.Kind)
            {
                case Dc09ReplyKind.Ack:
                    return new Dc09Outcome(Dc09Result.Acked, sequence, "");
                case Dc09ReplyKind.Nak when !resent && reply.ReceiverTimeUtc is { } arcNow:
                    arcClockOffset = arcNow - time.GetUtcNow().UtcDateTime;
                    resent = true;
                    continue;
                case Dc09ReplyKind.Nak:
                    return new Dc09Outcome(Dc09Result.Refused, sequence, "NAK" + (resent ? " again with the ARC's own time: wrong key or account?" : ""));
                default:
                    return new Dc09Outcome(Dc09Result.Refused, sequence, "DUH: the ARC did not understand the message");
            }
        }
    }

    private async Task<Dc09Reply> ExchangeAsync(Dc09Account account, int sequence, byte[] frame, CancellationToken cancel)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(replyTimeout);
        try
        {
            if (client is not { Connected: true })
            {
                Close();
                client = new TcpClient { NoDelay = true };
                await client.ConnectAsync(host, port, deadline.Token);
            }
            NetworkStream stream = client.GetStream();
            await stream.WriteAsync(frame, deadline.Token);
            var reply = new List<byte>(64);
            var one = new byte[256];
            while (true)
            {
                int n = await stream.ReadAsync(one, deadline.Token);
                if (n == 0)
                {
                    throw new IOException("the ARC closed the connection without an answer");
                }
                for (int i = 0; i < n; i++)
                {
                    if (reply.Count == 0 && one[i] != (byte)'\n')
                    {
                        continue; // anything before a frame's LF is not part of it
                    }
                    reply.Add(one[i]);
                    if (one[i] == (byte)'\r')
                    {
                        return Dc09Reply.Parse(reply.ToArray(), account, sequence);
                    }
                    if (reply.Count > MaxReplyBytes)
                    {
                        throw new FormatException("the ARC's answer is longer than a DC-09 message can be");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"no answer from the ARC within {replyTimeout.TotalSeconds:0.#} s"));
        }
    }

    private void Close()
    {
        client?.Dispose();
        client = null;
    }

    public ValueTask DisposeAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }
}
