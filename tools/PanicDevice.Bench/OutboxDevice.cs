using System.Buffers;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Host;

namespace PanicDevice.Bench;

/// <summary>First verified ack on a connection made after the latest restart (acks still in flight from the killed process do not count).</summary>
public sealed class AckClock
{
    private long acked;
    private int epoch;
    private TaskCompletionSource<long> firstAfterRestart = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Acked => Interlocked.Read(ref acked);

    public int Epoch => Volatile.Read(ref epoch);

    public void Restarted()
    {
        Interlocked.Exchange(ref firstAfterRestart, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        Interlocked.Increment(ref epoch);
    }

    public void Ack(int connectionEpoch, bool first)
    {
        long now = Stopwatch.GetTimestamp();
        // the restart's first ack is marked before the count moves, so a waiter that sees nothing left also sees it
        if (connectionEpoch == Epoch) Volatile.Read(ref firstAfterRestart).TrySetResult(now);
        if (first && Interlocked.Increment(ref acked) == Volatile.Read(ref actionAt))
        {
            Interlocked.Exchange(ref action, null)?.Invoke();
        }
    }

    private long actionAt = long.MaxValue;
    private Action? action;

    /// <summary>
    /// Runs <paramref name="act"/> once, on the thread that counts the <paramref name="count"/>th first ack (at once if
    /// that many have come). The crash bench kills the receiver this way: a loop polling the count on a loaded machine
    /// once saw its threshold only after the whole burst was acked, and the restarted receiver had nothing left to do.
    /// </summary>
    public void At(long count, Action act)
    {
        Volatile.Write(ref action, act);
        Volatile.Write(ref actionAt, count);
        if (Acked >= count)
        {
            Interlocked.Exchange(ref action, null)?.Invoke();
        }
    }

    /// <summary>Withdraws the action of <see cref="At"/>; false when it has already run (or is running).</summary>
    public bool CancelAt()
    {
        Volatile.Write(ref actionAt, long.MaxValue);
        return Interlocked.Exchange(ref action, null) != null;
    }

    /// <summary>
    /// When the first ack on a connection made after the latest restart came; null when none came within the timeout, or
    /// when <paramref name="nothingLeft"/> turned true without one: every alert was acked before the kill took effect (a
    /// starved bench can see the kill threshold late), so there is no recovery to measure and none will come.
    /// </summary>
    public async Task<long?> FirstAckAfterRestartAsync(TimeSpan timeout, Func<bool>? nothingLeft = null)
    {
        Task<long> first = Volatile.Read(ref firstAfterRestart).Task;
        var sw = Stopwatch.StartNew();
        while (!first.IsCompleted && sw.Elapsed < timeout && nothingLeft?.Invoke() != true)
        {
            await Task.WhenAny(first, Task.Delay(10));
        }
        return first.IsCompleted ? first.Result : null;
    }
}

/// <summary>One device with the outbox's behaviour: numbered alerts, each sent until its ack verifies, surviving reconnects.</summary>
public sealed class OutboxDevice : IDisposable
{
    private readonly object gate = new();
    private readonly List<byte[]> frames = new();
    private readonly List<bool> acked = new();
    private readonly List<long> sentAt = new(); // 0: due now
    private readonly List<long> ackedAt = new(); // Stopwatch timestamp of the first verified ack; 0: none yet
    private readonly int port;
    private readonly int window;
    private readonly long resendTicks;
    private readonly AckClock clock;
    private readonly SemaphoreSlim wake = new(0);
    private readonly string uplink;
    private IMqttClient? client;
    private int connectionEpoch = -1;
    private int nextNew; // index of the first alert never sent
    private int outstanding;

    public int Strays;

    /// <summary>The broker's address (loopback unless a test puts the broker elsewhere).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Called with the counter when an alert's first verified ack arrives (a test checks the store at that moment).</summary>
    public Action<OutboxDevice, uint>? FirstAck { get; init; }

    public OutboxDevice(string id, byte[] key, int port, int window, TimeSpan resendAfter, AckClock clock)
    {
        Id = id;
        Key = key;
        this.port = port;
        this.window = window;
        resendTicks = (long)(resendAfter.TotalSeconds * Stopwatch.Frequency);
        this.clock = clock;
        uplink = Topics.Uplink(id);
    }

    public string Id { get; }

    public byte[] Key { get; }

    public int Enqueued
    {
        get { lock (gate) return frames.Count; }
    }

    public bool IsAcked(uint counter)
    {
        lock (gate) return counter >= 1 && counter <= acked.Count && acked[(int)counter - 1];
    }

    public bool IsConnected => client?.IsConnected == true;

    /// <summary>Counters sent at least once and not yet acked: what a receiver that dies now may have taken with it.</summary>
    public List<uint> InFlight()
    {
        var list = new List<uint>();
        lock (gate)
        {
            for (int i = 0; i < nextNew; i++)
            {
                if (!acked[i]) list.Add((uint)i + 1);
            }
        }
        return list;
    }

    /// <summary>When the first verified ack for this counter arrived (a Stopwatch timestamp), or null.</summary>
    public long? AckedAt(uint counter)
    {
        lock (gate) return counter >= 1 && counter <= ackedAt.Count && ackedAt[(int)counter - 1] != 0 ? ackedAt[(int)counter - 1] : null;
    }

    public void Enqueue(int count)
    {
        lock (gate)
        {
            for (int i = 0; i < count; i++)
            {
                uint counter = (uint)frames.Count + 1;
                Frame f = Frame.Create(MessageKind.Alert, Id, counter, (byte)AlertCode.Test);
                f.TimeUtcSeconds = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                frames.Add(FrameCodec.Encode(f, Key));
                acked.Add(false);
                sentAt.Add(0);
                ackedAt.Add(0);
            }
        }
        wake.Release();
    }

    public async Task RunAsync(CancellationToken stop)
    {
        TimeSpan backoff = TimeSpan.FromMilliseconds(50);
        while (!stop.IsCancellationRequested)
        {
            if (client is not { IsConnected: true })
            {
                if (await ConnectAsync(stop))
                {
                    backoff = TimeSpan.FromMilliseconds(50);
                }
                else
                {
                    await Task.Delay(backoff, stop).ContinueWith(_ => { });
                    backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 500));
                    continue;
                }
            }
            List<byte[]> due = Due();
            if (due.Count > 0)
            {
                IMqttClient c = client!;
                try
                {
                    await Task.WhenAll(due.Select(p => c.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(uplink).WithPayload(p)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), stop)));
                }
                catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
                {
                    // the receiver went away: reconnect; what was not acked stays due
                    continue;
                }
            }
            await wake.WaitAsync(TimeSpan.FromMilliseconds(100), stop).ContinueWith(_ => { });
        }
    }

    /// <summary>Alerts to send now: unacked ones never sent on this connection or past the resend time, then new ones while the window has room.</summary>
    private List<byte[]> Due()
    {
        long now = Stopwatch.GetTimestamp();
        var due = new List<byte[]>();
        lock (gate)
        {
            for (int i = 0; i < nextNew; i++)
            {
                if (!acked[i] && (sentAt[i] == 0 || now - sentAt[i] > resendTicks))
                {
                    sentAt[i] = now;
                    due.Add(frames[i]);
                }
            }
            while (outstanding < window && nextNew < frames.Count)
            {
                sentAt[nextNew] = now;
                due.Add(frames[nextNew++]);
                outstanding++;
            }
        }
        return due;
    }

    private async Task<bool> ConnectAsync(CancellationToken stop)
    {
        client?.DisposeDespiteCleanupRace();
        int epoch = clock.Epoch;
        var c = new MqttClientFactory().CreateMqttClient();
        c.ApplicationMessageReceivedAsync += e => OnMessage(e, epoch);
        client = c;
        var options = BenchDevice.LoginOptions(Id, Key, port, TimeSpan.FromSeconds(10), Host);
        try
        {
            await c.ConnectAsync(options, stop);
            await c.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.Downlink(Id), MqttQualityOfServiceLevel.AtLeastOnce).Build(), stop);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException or MQTTnet.Adapter.MqttConnectingFailedException)
        {
            return false;
        }
        connectionEpoch = epoch;
        lock (gate)
        {
            // a new connection: everything in flight is sent again now (its acks may have gone with the old one)
            for (int i = 0; i < nextNew; i++) sentAt[i] = 0;
        }
        return true;
    }

    private Task OnMessage(MqttApplicationMessageReceivedEventArgs e, int epoch)
    {
        DecodeResult r = FrameCodec.DecodeAndVerify(e.ApplicationMessage.Payload.ToArray(), Key);
        if (!r.IsOk)
        {
            Interlocked.Increment(ref Strays);
            return Task.CompletedTask;
        }
        uint counter = r.Frame.Counter;
        bool first = false;
        lock (gate)
        {
            if (counter < 1 || counter > nextNew)
            {
                Interlocked.Increment(ref Strays);
                return Task.CompletedTask;
            }
            if (!acked[(int)counter - 1])
            {
                acked[(int)counter - 1] = true;
                ackedAt[(int)counter - 1] = Stopwatch.GetTimestamp();
                outstanding--;
                first = true;
            }
        }
        clock.Ack(epoch, first);
        if (first) FirstAck?.Invoke(this, counter);
        wake.Release();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        client?.DisposeDespiteCleanupRace();
        wake.Dispose();
    }
}
