using PanicDevice.Bench.Engines;
using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Receiver;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Security;

/// <summary>Per-device rate limiting: routine frames are limited after the tag verified; alerts and cancels never.</summary>
[TestClass]
public class DeviceRateLimitTests
{
    private static readonly byte[] KeyA = SampleFrames.Key(0x10);
    private static readonly byte[] KeyH = SampleFrames.Key(0x70);
    private string dir = "";
    private DeviceRegistry registry = null!;
    private FrameStore store = null!;

    [TestInitialize]
    public void Open()
    {
        dir = Path.Combine(Path.GetTempPath(), "pd-rate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var db = new ReceiverDatabase(Path.Combine(dir, "r.db"));
        registry = new DeviceRegistry(db);
        registry.Upsert(new DeviceRecord { Id = "fob-a", Key = new DeviceKey(KeyA) });
        registry.Upsert(new DeviceRecord { Id = "fob-h", Key = new DeviceKey(KeyH) });
        store = new FrameStore(db);
    }

    [TestCleanup]
    public void Remove() => TempDirectory.Delete(dir);

    internal static Frame Routine(MessageKind kind, string id, uint counter)
    {
        Frame f = kind == MessageKind.Update ? SampleFrames.Alert(id, counter) : Frame.Create(kind, id, counter, 0);
        f.Kind = kind;
        f.TimeUtcSeconds = 1795000000;
        return f;
    }

    private IngestPipeline Pipeline(ManualClock clock) => new(registry, store, clock, new DeviceRateLimitOptions { PerSecond = 5, Burst = 20 });

    [TestMethod]
    public void RoutineFramesPastTheBurstAreRefusedAndCountedThenRefillAtTheSustainedRate()
    {
        var clock = new ManualClock();
        var p = Pipeline(clock);
        uint c = 1;
        for (int i = 0; i < 20; i++)
        {
            Assert.AreEqual(IngestStatus.Stored, p.Process(FrameCodec.Encode(Routine(i % 2 == 0 ? MessageKind.Heartbeat : MessageKind.Update, "fob-h", c++), KeyH), "fob-h", IngestPath.Mqtt).Status, "within the burst: " + i);
        }
        IngestResult over = p.Process(FrameCodec.Encode(Routine(MessageKind.Heartbeat, "fob-h", c++), KeyH), "fob-h", IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.Rejected, over.Status);
        Assert.AreEqual(IngestPipeline.RateLimited, over.Reason);
        Assert.IsNull(over.Ack, "no ack for a refused frame");
        Assert.AreEqual(20, store.CountFrames("fob-h"), "nothing stored past the burst");
        Assert.AreEqual(1L, p.Counts["rejected_RateLimited"]);

        clock.Advance(TimeSpan.FromSeconds(1));
        int stored = 0;
        for (int i = 0; i < 10; i++)
        {
            if (p.Process(FrameCodec.Encode(Routine(MessageKind.Heartbeat, "fob-h", c++), KeyH), "fob-h", IngestPath.Mqtt).Status == IngestStatus.Stored) stored++;
        }
        Assert.AreEqual(5, stored, "one second refills five tokens");

        // Another device is not affected by fob-h's empty bucket.
        Assert.AreEqual(IngestStatus.Stored, p.Process(FrameCodec.Encode(Routine(MessageKind.Heartbeat, "fob-a", 1), KeyA), "fob-a", IngestPath.Mqtt).Status);
    }

    [TestMethod]
    public void AlertsAndCancelsAreNeverLimitedEvenWhenTheDeviceIsFlooding()
    {
        var clock = new ManualClock();
        var p = Pipeline(clock);
        uint c = 1;
        for (int i = 0; i < 40; i++)
        {
            p.Process(FrameCodec.Encode(Routine(MessageKind.Heartbeat, "fob-h", c++), KeyH), "fob-h", IngestPath.Mqtt);
        }
        Assert.AreEqual(IngestPipeline.RateLimited, p.Process(FrameCodec.Encode(Routine(MessageKind.Heartbeat, "fob-h", c++), KeyH), "fob-h", IngestPath.Mqtt).Reason, "the bucket is empty");
        for (int i = 0; i < 30; i++)
        {
            IngestResult alert = p.Process(FrameCodec.Encode(SampleFrames.Alert("fob-h", c++), KeyH), "fob-h", IngestPath.Mqtt);
            Assert.AreEqual(IngestStatus.Stored, alert.Status, alert.Reason);
            Assert.IsNotNull(alert.Ack);
        }
        Frame cancel = Frame.Create(MessageKind.Cancel, "fob-h", c++, (byte)AlertCode.Cancel);
        cancel.TimeUtcSeconds = 1795000100;
        Assert.AreEqual(IngestStatus.Stored, p.Process(FrameCodec.Encode(cancel, KeyH), "fob-h", IngestPath.Sms).Status);
        Assert.AreEqual(30, store.CountFrames("fob-h", MessageKind.Alert));
    }

    [TestMethod]
    public void ForgedDuplicateAndReplayedFramesDoNotSpendTheRealDevicesBudget()
    {
        var clock = new ManualClock();
        var p = Pipeline(clock);
        byte[] first = FrameCodec.Encode(Routine(MessageKind.Heartbeat, "fob-a", 1000), KeyA);
        Assert.AreEqual(IngestStatus.Stored, p.Process(first, "fob-a", IngestPath.Mqtt).Status);
        for (uint i = 0; i < 200; i++)
        {
            // Claims to be fob-a, signed with another key: refused on the tag, before the bucket.
            Assert.AreEqual("BadTag", p.Process(FrameCodec.Encode(Routine(MessageKind.Heartbeat, "fob-a", 2000 + i), KeyH), null, IngestPath.Sms).Reason);
            // fob-a's own frame captured and sent again: a duplicate, acknowledged, token given back.
            Assert.AreEqual(IngestStatus.Duplicate, p.Process(first, null, IngestPath.Sms).Status);
        }
        Assert.AreEqual(IngestStatus.Stored, p.Process(FrameCodec.Encode(Routine(MessageKind.Heartbeat, "fob-a", 1500), KeyA), "fob-a", IngestPath.Mqtt).Status);
        Assert.AreEqual(IngestPipeline.CounterTooOld, p.Process(FrameCodec.Encode(Routine(MessageKind.Heartbeat, "fob-a", 1), KeyA), null, IngestPath.Sms).Reason, "an old counter");
        int stored = 0;
        for (uint i = 0; i < 18; i++)
        {
            if (p.Process(FrameCodec.Encode(Routine(MessageKind.Heartbeat, "fob-a", 3000 + i), KeyA), "fob-a", IngestPath.Mqtt).Status == IngestStatus.Stored) stored++;
        }
        Assert.AreEqual(18, stored, "the whole burst less the two new frames is still there");
        Assert.IsFalse(p.Counts.ContainsKey("rejected_RateLimited"));
    }

    [TestMethod]
    public void TheLimitIsConfigurableZeroTurnsItOffAndABadValueStopsStartup()
    {
        string data = Path.Combine(dir, "app");
        var ex = Assert.ThrowsExactly<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            PanicDevice.Receiver.ReceiverApp.Build(new[] { "--mqtt-port", "0", "--data", data, "--Receiver:DeviceRateLimit:Burst", "0" }));
        StringAssert.Contains(ex.Message, "DeviceRateLimit");
        var options = new PanicDevice.Receiver.ReceiverOptions();
        Assert.AreEqual(5.0, options.DeviceRateLimit.PerSecond);
        Assert.AreEqual(20, options.DeviceRateLimit.Burst);
        var off = new IngestPipeline(registry, store, new ManualClock(), new DeviceRateLimitOptions { PerSecond = 0 });
        for (uint i = 1; i <= 50; i++)
        {
            Assert.AreEqual(IngestStatus.Stored, off.Process(FrameCodec.Encode(Routine(MessageKind.Heartbeat, "fob-h", i), KeyH), "fob-h", IngestPath.Mqtt).Status);
        }
    }

    [TestMethod]
    public async Task AFloodingDeviceIsLimitedWhileAnotherDevicesAlertsAreAllStoredAndAckedPromptly()
    {
        await using var rig = await BrokerFixture.StartAsync(new[] { ("fob-a", KeyA), ("fob-h", KeyH) }, new DeviceRateLimitOptions { PerSecond = 5, Burst = 20 });
        var (port, pipeline, store) = (rig.Port, rig.Pipeline, rig.Store);
        using IMqttClient hostile = await MqttConnect.DeviceAsync(port, "fob-h", KeyH);
        using IMqttClient good = await MqttConnect.DeviceAsync(port, "fob-a", KeyA);
        var hostileAcks = new MqttConnect.AckCollector(hostile, KeyH);
        var goodAcks = new MqttConnect.AckCollector(good, KeyA);
        await hostile.SubscribeAsync(Topics.Downlink("fob-h"), MqttQualityOfServiceLevel.AtLeastOnce);
        await good.SubscribeAsync(Topics.Downlink("fob-a"), MqttQualityOfServiceLevel.AtLeastOnce);

        var started = System.Diagnostics.Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var flood = Task.Run(async () =>
        {
            uint c = 1;
            while (!stop.IsCancellationRequested)
            {
                var kind = c % 2 == 0 ? MessageKind.Heartbeat : MessageKind.Update;
                await hostile.PublishBinaryAsync(Topics.Uplink("fob-h"), FrameCodec.Encode(Routine(kind, "fob-h", c++), KeyH), MqttQualityOfServiceLevel.AtMostOnce);
            }
            return c;
        });
        var worst = TimeSpan.Zero;
        for (uint i = 1; i <= 10; i++)
        {
            var sent = System.Diagnostics.Stopwatch.StartNew();
            await good.PublishBinaryAsync(Topics.Uplink("fob-a"), FrameCodec.Encode(SampleFrames.Alert("fob-a", i), KeyA), MqttQualityOfServiceLevel.AtLeastOnce);
            await goodAcks.WaitForAsync(i, TimeSpan.FromSeconds(5));
            worst = sent.Elapsed > worst ? sent.Elapsed : worst;
        }
        // The flooding device's own alert still gets through, stored and acknowledged.
        await hostile.PublishBinaryAsync(Topics.Uplink("fob-h"), FrameCodec.Encode(SampleFrames.Alert("fob-h", 4_000_000), KeyH), MqttQualityOfServiceLevel.AtLeastOnce);
        await hostileAcks.WaitForAsync(4_000_000, TimeSpan.FromSeconds(5));
        stop.Cancel();
        uint sentByHostile = await flood;
        double seconds = started.Elapsed.TotalSeconds;

        Assert.AreEqual(10, store.CountFrames("fob-a", MessageKind.Alert), "every alert of the other device stored");
        Assert.IsLessThan(TimeSpan.FromSeconds(3), worst, "each alert acknowledged promptly despite the flood");
        Assert.AreEqual(1, store.CountFrames("fob-h", MessageKind.Alert));
        long routine = store.CountFrames("fob-h") - 1;
        Assert.IsGreaterThan(100u, sentByHostile, "the flood really flooded");
        Assert.IsLessThanOrEqualTo(20 + 5 * seconds + 2, (double)routine, $"routine frames stored within burst + rate ({routine} in {seconds:0.0} s of {sentByHostile})");
        Assert.IsGreaterThan(0L, pipeline.Counts.GetValueOrDefault("rejected_RateLimited"));
    }
}

/// <summary>A clock that moves only when told.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private long ticks;
    public override DateTimeOffset GetUtcNow() => now;
    public override long GetTimestamp() => ticks;
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public void Advance(TimeSpan by)
    {
        now += by;
        ticks += by.Ticks;
    }
}

/// <summary>Real MQTTnet device clients for the security tests.</summary>
public static class MqttConnect
{
    public static async Task<IMqttClient> DeviceAsync(int port, string id, byte[] key) => await ClientAsync(port, id, id, DeviceCredentials.MqttPassword(key));

    public static async Task<IMqttClient> ClientAsync(int port, string clientId, string user, string password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId)
            .WithCredentials(user, password).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).WithTimeout(TimeSpan.FromSeconds(10)).Build();
        var result = await client.ConnectAsync(options);
        Assert.AreEqual(MqttClientConnectResultCode.Success, result.ResultCode, "login as " + user);
        return client;
    }

    /// <summary>Whether the broker accepts this login (a refusal may come back as a result code or as an exception).</summary>
    public static async Task<bool> LogsInAsync(int port, string clientId, string user, string password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(clientId)
            .WithCredentials(user, password).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).WithTimeout(TimeSpan.FromSeconds(10)).Build();
        try
        {
            return (await client.ConnectAsync(options)).ResultCode == MqttClientConnectResultCode.Success && client.IsConnected;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException)
        {
            return false;
        }
    }

    /// <summary>Collects the verified acks a device receives, by counter.</summary>
    public sealed class AckCollector
    {
        private readonly object gate = new();
        private readonly Dictionary<uint, TaskCompletionSource> waiting = new();
        public List<string> Topics { get; } = new();

        public AckCollector(IMqttClient client, byte[] key)
        {
            client.ApplicationMessageReceivedAsync += e =>
            {
                lock (gate)
                {
                    Topics.Add(e.ApplicationMessage.Topic);
                    DecodeResult r = FrameCodec.DecodeAndVerify(e.ApplicationMessage.Payload.ToArray(), key);
                    if (r.IsOk && r.Frame.Kind == MessageKind.Ack) Slot(r.Frame.Counter).TrySetResult();
                }
                return Task.CompletedTask;
            };
        }

        private TaskCompletionSource Slot(uint counter)
        {
            if (!waiting.TryGetValue(counter, out var t))
            {
                t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiting[counter] = t;
            }
            return t;
        }

        public Task WaitForAsync(uint counter, TimeSpan timeout)
        {
            Task t;
            lock (gate) t = Slot(counter).Task;
            return t.WaitAsync(timeout);
        }
    }
}
