using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Host;

namespace PanicDevice.Bench;

/// <summary>
/// One simulated device for the ingest benchmarks: an MQTTnet client (MQTT 3.1.1) logged in with its id
/// and the password derived from its key, subscribed to its ack topic, publishing signed alerts at QoS 1
/// and matching each verified ack to the alert's counter.
/// </summary>
public sealed class BenchDevice : IAsyncDisposable
{
    private readonly Dictionary<uint, TaskCompletionSource<bool>> pending = new();
    private readonly IMqttClient client;
    private readonly string uplink;
    private uint counter;

    public BenchDevice(string id, byte[] key)
    {
        Id = id;
        Key = key;
        uplink = Topics.Uplink(id);
        client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessage;
    }

    public string Id { get; }

    public byte[] Key { get; }

    /// <summary>Acks that did not verify or matched no alert in flight (should stay 0).</summary>
    public int Strays;

    /// <summary>The key a benchmark device with this id has: both sides derive it, so a child receiver process can register the same devices.</summary>
    public static byte[] KeyFor(string id) => SHA256.HashData(Encoding.UTF8.GetBytes("pd-bench-key/" + id));

    public static string IdFor(int i) => "bench-" + i.ToString("D6");

    /// <summary>How a benchmark device logs in: as the firmware does (MQTT 3.1.1, id and key-derived password).</summary>
    public static MqttClientOptions LoginOptions(string id, byte[] key, int port, TimeSpan timeout, string host = "127.0.0.1") =>
        new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(id)
            .WithCredentials(id, DeviceCredentials.MqttPassword(key))
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(timeout)
            .Build();

    public async Task ConnectAsync(int port, CancellationToken ct)
    {
        var options = LoginOptions(Id, Key, port, TimeSpan.FromSeconds(60));
        await client.ConnectAsync(options, ct);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.Downlink(Id), MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
    }

    /// <summary>Publishes the next signed alert and completes when its ack arrives (true) or after the timeout (false).</summary>
    public async Task<bool> AlertAsync(TimeSpan timeout)
    {
        uint c = Interlocked.Increment(ref counter);
        Frame f = Frame.Create(MessageKind.Alert, Id, c, (byte)AlertCode.Test);
        f.TimeUtcSeconds = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        byte[] payload = FrameCodec.Encode(f, Key);
        var acked = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (pending)
        {
            pending[c] = acked;
        }
        var message = new MqttApplicationMessageBuilder().WithTopic(uplink).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        try
        {
            await client.PublishAsync(message);
            return await acked.Task.WaitAsync(timeout);
        }
        catch (Exception ex) when (ex is TimeoutException or MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            lock (pending)
            {
                pending.Remove(c);
            }
        }
    }

    private Task OnMessage(MqttApplicationMessageReceivedEventArgs e)
    {
        byte[] payload = e.ApplicationMessage.Payload.ToArray();
        DecodeResult r = FrameCodec.DecodeAndVerify(payload, Key);
        TaskCompletionSource<bool>? acked = null;
        if (r.IsOk)
        {
            lock (pending)
            {
                pending.TryGetValue(r.Frame.Counter, out acked);
            }
        }
        if (acked == null)
        {
            Interlocked.Increment(ref Strays);
        }
        acked?.TrySetResult(true);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync();
            }
        }
        catch (Exception)
        {
            // the server may already be gone
        }
        client.DisposeDespiteCleanupRace();
    }
}

/// <summary>Latencies and counts of acks that completed inside the measurement window.</summary>
public sealed class LatencyRecorder
{
    private readonly object gate = new();
    private readonly List<double> latenciesMs = new();
    private long from;
    private long to = long.MaxValue;

    public int Failures;

    public void Window(long fromTimestamp, long toTimestamp)
    {
        from = fromTimestamp;
        to = toTimestamp;
    }

    /// <summary>Records one alert sent (or due) at <paramref name="start"/> and acked at <paramref name="end"/>; counted only if the ack falls in the window.</summary>
    public void Record(long start, long end)
    {
        if (end < from || end > to)
        {
            return;
        }
        double ms = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
        lock (gate)
        {
            latenciesMs.Add(ms);
        }
    }

    public int Count
    {
        get { lock (gate) return latenciesMs.Count; }
    }

    public double Percentile(double q)
    {
        lock (gate)
        {
            if (latenciesMs.Count == 0) return double.NaN;
            latenciesMs.Sort();
            return latenciesMs[Math.Clamp((int)Math.Ceiling(q * latenciesMs.Count) - 1, 0, latenciesMs.Count - 1)];
        }
    }
}
