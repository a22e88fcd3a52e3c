using PanicDevice.Bench.Engines;
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Bench;

/// <summary>
/// Ingest throughput and publish→ack latency. N simulated devices (MQTTnet clients, MQTT 3.1.1, QoS 1)
/// publish signed alerts through the receiver's embedded broker, which verifies, stores (SQLite WAL,
/// synchronous FULL) and acknowledges each one; the same clients first run against a bare MQTTnet
/// server that only echoes each publish to the sender's ack topic: the baseline, the broker's own QoS-1
/// round-trip rate. Closed loop by default (each device keeps <c>window</c> alerts in flight); with a
/// rate, open loop at a fixed offered load, latency measured from the moment each alert was due.
/// </summary>
public static class IngestBenchmark
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(30);

    public sealed record Figures(double PerSecond, double P50Ms, double P99Ms, int Acked, int Failures, int Strays);

    public static async Task<int> RunAsync(int devices, int seconds, int window, double rate, int warmupS)
    {
        string mode = rate > 0 ? "open loop, offered " + rate.ToString(CultureInfo.InvariantCulture) + " alerts/s" : "closed loop, window " + window + " per device";
        Console.WriteLine($"ingest: devices={devices} seconds={seconds} warmup_s={warmupS} {mode}; {Environment.ProcessorCount} cores");

        Figures baseline = await RunBareAsync(devices, seconds, window, rate, warmupS);
        Console.WriteLine($"baseline (bare MQTTnet server, QoS-1 echo to the ack topic): per_s={baseline.PerSecond:F0} p50_ms={baseline.P50Ms:F2} p99_ms={baseline.P99Ms:F2} acked={baseline.Acked} failures={baseline.Failures}");
        Figures ingest = await RunReceiverAsync(devices, seconds, window, rate, warmupS);
        Console.WriteLine($"receiver (embedded broker → pipeline → SQLite FULL → signed ack): per_s={ingest.PerSecond:F0} p50_ms={ingest.P50Ms:F2} p99_ms={ingest.P99Ms:F2} acked={ingest.Acked} failures={ingest.Failures} stray_acks={ingest.Strays}");

        string extra = rate > 0 ? $" offered_per_s={rate.ToString(CultureInfo.InvariantCulture)} baseline_p99_ms={baseline.P99Ms:F2}" : "";
        Console.WriteLine(FormattableString.Invariant(
            $"alerts_per_s={ingest.PerSecond:F0} baseline_per_s={baseline.PerSecond:F0} ratio={ingest.PerSecond / baseline.PerSecond:F2} p50_ms={ingest.P50Ms:F2} p99_ms={ingest.P99Ms:F2}{extra}"));
        return 0;
    }

    private static async Task<Figures> RunBareAsync(int devices, int seconds, int window, double rate, int warmupS)
    {
        int port = LoopbackPorts.Free();
        await using var broker = new EchoBroker(port);
        await broker.StartAsync();
        var clients = await ConnectAsync(devices, port);
        try
        {
            return await DriveAsync(clients, seconds, window, rate, warmupS);
        }
        finally
        {
            await DisposeAllAsync(clients);
        }
    }

    private static async Task<Figures> RunReceiverAsync(int devices, int seconds, int window, double rate, int warmupS)
    {
        string data = Path.Combine(Path.GetTempPath(), "pd-bench-ingest-" + Environment.ProcessId);
        int port = LoopbackPorts.Free();
        var receiver = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:" + LoopbackPorts.Free(), "--mqtt-port", port.ToString(), "--data", data, "--Logging:LogLevel:Default", "Warning" });
        var registry = receiver.Services.GetRequiredService<DeviceRegistry>();
        for (int i = 0; i < devices; i++)
        {
            string id = BenchDevice.IdFor(i);
            registry.Upsert(new DeviceRecord { Id = id, Key = new DeviceKey(BenchDevice.KeyFor(id)) });
        }
        await receiver.StartAsync();
        List<BenchDevice> clients = new();
        try
        {
            clients = await ConnectAsync(devices, port);
            Figures f = await DriveAsync(clients, seconds, window, rate, warmupS);
            var (batches, frames) = receiver.Services.GetRequiredService<FrameStore>().GroupCommits;
            Console.WriteLine(FormattableString.Invariant($"group commit: {batches} transactions, {frames} frames, mean batch {(batches == 0 ? 0 : frames / (double)batches):F1}"));
            return f;
        }
        finally
        {
            await DisposeAllAsync(clients);
            await receiver.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }

    public static async Task<List<BenchDevice>> ConnectAsync(int devices, int port, int parallel = 32)
    {
        var clients = new BenchDevice[devices];
        using var gate = new SemaphoreSlim(parallel);
        var tasks = new List<Task>();
        for (int i = 0; i < devices; i++)
        {
            int n = i;
            await gate.WaitAsync();
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    string id = BenchDevice.IdFor(n);
                    var d = new BenchDevice(id, BenchDevice.KeyFor(id));
                    await d.ConnectAsync(port, CancellationToken.None);
                    clients[n] = d;
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        await Task.WhenAll(tasks);
        return clients.ToList();
    }

    public static async Task DisposeAllAsync(IEnumerable<BenchDevice> clients)
    {
        await Task.WhenAll(clients.Where(c => c != null).Select(c => c.DisposeAsync().AsTask()));
    }

    private static async Task<Figures> DriveAsync(IReadOnlyList<BenchDevice> devices, int seconds, int window, double rate, int warmupS)
    {
        var recorder = new LatencyRecorder();
        long start = Stopwatch.GetTimestamp();
        long from = start + warmupS * Stopwatch.Frequency;
        long to = from + seconds * Stopwatch.Frequency;
        recorder.Window(from, to);
        var tasks = new List<Task>();
        if (rate <= 0)
        {
            foreach (BenchDevice d in devices)
            {
                for (int lane = 0; lane < window; lane++)
                {
                    tasks.Add(Task.Run(async () =>
                    {
                        while (Stopwatch.GetTimestamp() < to)
                        {
                            long t0 = Stopwatch.GetTimestamp();
                            bool ok = await d.AlertAsync(AckTimeout);
                            if (ok) recorder.Record(t0, Stopwatch.GetTimestamp());
                            else Interlocked.Increment(ref recorder.Failures);
                        }
                    }));
                }
            }
        }
        else
        {
            double interval = Stopwatch.Frequency / rate;
            double due = start;
            int next = 0;
            while (Stopwatch.GetTimestamp() < to)
            {
                long now = Stopwatch.GetTimestamp();
                while (due <= now)
                {
                    BenchDevice d = devices[next++ % devices.Count];
                    long intended = (long)due;
                    tasks.Add(Task.Run(async () =>
                    {
                        bool ok = await d.AlertAsync(AckTimeout);
                        if (ok) recorder.Record(intended, Stopwatch.GetTimestamp());
                        else Interlocked.Increment(ref recorder.Failures);
                    }));
                    due += interval;
                }
                await Task.Delay(1);
            }
        }
        await Task.WhenAll(tasks);
        int strays = devices.Sum(d => d.Strays);
        return new Figures(recorder.Count / (double)seconds, recorder.Percentile(0.50), recorder.Percentile(0.99), recorder.Count, recorder.Failures, strays);
    }
    /// <summary>The baseline: a bare MQTTnet server with the embedded broker's options that republishes every client publish, unchanged, to the sender's ack topic.</summary>
    private sealed class EchoBroker : IAsyncDisposable
    {
        private readonly MqttServer server;

        public EchoBroker(int port)
        {
            var factory = new MqttServerFactory();
            var options = factory.CreateServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(port).WithPersistentSessions().Build();
            server = factory.CreateMqttServer(options);
            server.InterceptingPublishAsync += async e =>
            {
                if (string.IsNullOrEmpty(e.ClientId))
                {
                    return;
                }
                var echo = new MqttApplicationMessageBuilder().WithTopic(Topics.Downlink(e.ClientId)).WithPayload(e.ApplicationMessage.Payload.ToArray())
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(echo), CancellationToken.None);
            };
        }

        public Task StartAsync() => server.StartAsync();

        public async ValueTask DisposeAsync()
        {
            await server.StopAsync(new MqttServerStopOptions());
            server.Dispose();
        }
    }
}
