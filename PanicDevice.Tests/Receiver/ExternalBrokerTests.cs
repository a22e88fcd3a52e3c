using PanicDevice.Bench.Engines;
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Mqtt;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// External broker mode against Debian's mosquitto (MQTTnet's own server has no shared subscriptions):
/// receivers subscribe through $share/pd-receivers/…, split the uplinks, store each frame once and
/// answer each device with its signed ack. Without mosquitto these tests report Inconclusive.
/// </summary>
[TestClass]
public class ExternalBrokerTests
{
    private const string OperatorToken = "operator-token-external-0001";
    private readonly List<string> dirs = new();
    private readonly List<WebApplication> apps = new();
    private readonly List<Process> brokers = new();

    [TestCleanup]
    public async Task Cleanup()
    {
        foreach (WebApplication app in apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        foreach (Process p in brokers)
        {
            if (!p.HasExited) p.Kill();
            p.Dispose();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (string d in dirs)
        {
            if (Directory.Exists(d)) Directory.Delete(d, true);
        }
    }

    private string NewDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "pd-ext-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        dirs.Add(d);
        return d;
    }

    private Process StartMosquittoOrInconclusive(ref int port)
    {
        Process? p = MosquittoSessionTests.StartMosquitto(ref port, NewDir());
        if (p == null)
        {
            Assert.Inconclusive("mosquitto is not installed (.ci/run installs it)");
        }
        brokers.Add(p);
        return p;
    }

    private static byte[] KeyOf(int device) => SampleFrames.Key((byte)(0x70 + device * 8));

    private static string IdOf(int device) => "fob-ext-" + device;

    /// <summary>A receiver in external mode, with the devices registered; started but maybe not yet connected.</summary>
    private async Task<WebApplication> StartReceiver(int brokerPort, int devices, int? mqttPort = null)
    {
        var args = new List<string> { "--urls", "http://127.0.0.1:0", "--data", NewDir(), "--broker", "mqtt://127.0.0.1:" + brokerPort,
            "--operator-token", OperatorToken, "--Logging:LogLevel:Default", "Warning" };
        if (mqttPort != null)
        {
            args.AddRange(new[] { "--mqtt-port", mqttPort.Value.ToString() });
        }
        WebApplication app = ReceiverApp.Build(args.ToArray());
        apps.Add(app);
        var registry = app.Services.GetRequiredService<DeviceRegistry>();
        for (int d = 0; d < devices; d++)
        {
            registry.Upsert(new DeviceRecord { Id = IdOf(d), Key = new DeviceKey(KeyOf(d)) });
        }
        await app.StartAsync();
        return app;
    }

    private static async Task WaitSubscribed(WebApplication app, TimeSpan within)
    {
        var client = app.Services.GetRequiredService<ExternalBrokerClient>();
        await Eventually.WaitFor(() => client.IsSubscribed, within, "receiver " + client.ClientId + " subscribing");
    }

    /// <summary>A device stand-in on mosquitto: subscribed to its ack topic, collecting what arrives.</summary>
    private static Task<(IMqttClient Client, BlockingCollection<byte[]> Acks)> Device(int brokerPort, int device) => Device(brokerPort, IdOf(device));

    /// <summary>A device stand-in with this id on the broker at <paramref name="brokerPort"/> (MQTT 3.1.1, like the firmware).</summary>
    internal static async Task<(IMqttClient Client, BlockingCollection<byte[]> Acks)> Device(int brokerPort, string id)
    {
        var acks = new BlockingCollection<byte[]>();
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            acks.Add(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", brokerPort).WithClientId(id)
            .WithProtocolVersion(MqttProtocolVersion.V311).Build());
        await client.SubscribeAsync(Topics.Downlink(id), MqttQualityOfServiceLevel.AtLeastOnce);
        return (client, acks);
    }

    [TestMethod]
    public async Task TwoReceiversShareTheUplinksAndEachFrameIsStoredOnceAndAcked()
    {
        const int devices = 6, perDevice = 10; // 60 frames: more than mosquitto lets one receiver hold unacknowledged (20)
        int brokerPort = LoopbackPorts.Free();
        StartMosquittoOrInconclusive(ref brokerPort);
        WebApplication a = await StartReceiver(brokerPort, devices);
        WebApplication b = await StartReceiver(brokerPort, devices);
        await WaitSubscribed(a, TimeSpan.FromSeconds(10));
        await WaitSubscribed(b, TimeSpan.FromSeconds(10));
        Assert.AreNotEqual(a.Services.GetRequiredService<ExternalBrokerClient>().ClientId, b.Services.GetRequiredService<ExternalBrokerClient>().ClientId);
        StringAssert.StartsWith(a.Services.GetRequiredService<ExternalBrokerClient>().ClientId, "pd-receiver-");

        var clients = new List<(IMqttClient Client, BlockingCollection<byte[]> Acks)>();
        for (int d = 0; d < devices; d++)
        {
            clients.Add(await Device(brokerPort, d));
        }
        for (uint counter = 1; counter <= perDevice; counter++)
        {
            for (int d = 0; d < devices; d++)
            {
                byte[] frame = FrameCodec.Encode(SampleFrames.Alert(IdOf(d), counter), KeyOf(d));
                await clients[d].Client.PublishBinaryAsync(Topics.Uplink(IdOf(d)), frame, MqttQualityOfServiceLevel.AtLeastOnce);
            }
        }

        for (int d = 0; d < devices; d++)
        {
            var acked = new HashSet<uint>();
            for (int i = 0; i < perDevice; i++)
            {
                Assert.IsTrue(clients[d].Acks.TryTake(out byte[]? ack, TimeSpan.FromSeconds(10)), IdOf(d) + " got " + acked.Count + " acks of " + perDevice);
                DecodeResult r = FrameCodec.DecodeAndVerify(ack!, KeyOf(d));
                Assert.AreEqual(DecodeStatus.Ok, r.Status, "the ack is signed with the device's key");
                Assert.AreEqual(MessageKind.Ack, r.Frame.Kind);
                Assert.AreEqual(IdOf(d), r.Frame.DeviceId);
                Assert.IsTrue(acked.Add(r.Frame.Counter), "one ack per alert, not " + r.Frame.Counter + " twice");
            }
            Assert.IsFalse(clients[d].Acks.TryTake(out _, TimeSpan.FromMilliseconds(d == 0 ? 300 : 0)), "no extra ack: no frame processed by both receivers");
        }

        FrameStore storeA = a.Services.GetRequiredService<FrameStore>(), storeB = b.Services.GetRequiredService<FrameStore>();
        long inA = 0, inB = 0;
        for (int d = 0; d < devices; d++)
        {
            for (uint counter = 1; counter <= perDevice; counter++)
            {
                bool atA = storeA.PathOf(IdOf(d), counter) != null, atB = storeB.PathOf(IdOf(d), counter) != null;
                Assert.IsTrue(atA ^ atB, IdOf(d) + " #" + counter + " is stored by exactly one receiver (A " + atA + ", B " + atB + ")");
                Assert.AreEqual("mqtt", storeA.PathOf(IdOf(d), counter) ?? storeB.PathOf(IdOf(d), counter));
            }
            inA += storeA.CountFrames(IdOf(d));
            inB += storeB.CountFrames(IdOf(d));
        }
        Assert.AreEqual((long)devices * perDevice, inA + inB);
        Assert.IsGreaterThan(0L, inA, "the shared subscription gave receiver A some frames");
        Assert.IsGreaterThan(0L, inB, "the shared subscription gave receiver B some frames");

        foreach (var c in clients)
        {
            await c.Client.DisconnectAsync();
        }
    }

    [TestMethod]
    public async Task ExternalModeDoesNotStartTheEmbeddedBrokerAndPushesOperatorFramesThroughTheBroker()
    {
        int brokerPort = LoopbackPorts.Free(), mqttPort = LoopbackPorts.Free();
        StartMosquittoOrInconclusive(ref brokerPort);
        WebApplication app = await StartReceiver(brokerPort, 1, mqttPort);
        await WaitSubscribed(app, TimeSpan.FromSeconds(10));
        Assert.IsNull(app.Services.GetService<EmbeddedBroker>());
        Assert.ThrowsExactly<SocketException>(() => new TcpClient("127.0.0.1", mqttPort).Dispose(), "nothing listens on --mqtt-port in external mode");

        var (device, acks) = await Device(brokerPort, 0);
        IDeviceDownlink downlink = app.Services.GetRequiredService<IDeviceDownlink>();
        Assert.IsInstanceOfType<ExternalBrokerClient>(downlink);
        var record = app.Services.GetRequiredService<DeviceRegistry>().Find(IdOf(0))!;
        await downlink.PublishToDeviceAsync(IdOf(0), PanicDevice.Receiver.Api.AlertEndpoints.StatusFrame(record, 5, AlertStatus.ResponderAssigned));
        Assert.IsTrue(acks.TryTake(out byte[]? status, TimeSpan.FromSeconds(10)), "the status frame reached the device through mosquitto");
        DecodeResult r = FrameCodec.DecodeAndVerify(status!, KeyOf(0));
        Assert.AreEqual(MessageKind.Status, r.Frame.Kind);
        Assert.AreEqual(5u, r.Frame.Counter);
        await device.DisconnectAsync();
    }

    [TestMethod]
    public async Task ReceiverStartsWhileTheBrokerIsDownAndConnectsWhenItComesUp()
    {
        int brokerPort = LoopbackPorts.Free();
        if (!File.Exists("/usr/sbin/mosquitto") && !File.Exists("/usr/bin/mosquitto"))
        {
            Assert.Inconclusive("mosquitto is not installed (.ci/run installs it)");
        }
        var started = Stopwatch.StartNew();
        WebApplication app = await StartReceiver(brokerPort, 1);
        Assert.IsLessThan(5000L, started.ElapsedMilliseconds, "start-up does not wait for the broker");
        var client = app.Services.GetRequiredService<ExternalBrokerClient>();
        await Eventually.WaitFor(() => client.FailedAttempts >= 2, TimeSpan.FromSeconds(20), "two attempts at the absent broker");
        Assert.IsFalse(client.IsSubscribed, "no broker yet");

        StartMosquittoOrInconclusive(ref brokerPort);
        await WaitSubscribed(app, TimeSpan.FromSeconds(20));
        var (device, acks) = await Device(brokerPort, 0);
        await device.PublishBinaryAsync(Topics.Uplink(IdOf(0)), FrameCodec.Encode(SampleFrames.Alert(IdOf(0), 3), KeyOf(0)), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.IsTrue(acks.TryTake(out byte[]? ack, TimeSpan.FromSeconds(10)), "acked once the broker was up");
        Assert.AreEqual(3u, FrameCodec.DecodeAndVerify(ack!, KeyOf(0)).Frame.Counter);
        Assert.AreEqual(1, app.Services.GetRequiredService<FrameStore>().CountFrames(IdOf(0)));
        await device.DisconnectAsync();
    }

    [TestMethod]
    public async Task ReceiverReconnectsWhenTheBrokerRestarts()
    {
        int brokerPort = LoopbackPorts.Free();
        Process broker = StartMosquittoOrInconclusive(ref brokerPort);
        WebApplication app = await StartReceiver(brokerPort, 1);
        await WaitSubscribed(app, TimeSpan.FromSeconds(10));
        broker.Kill();
        broker.WaitForExit();
        var client = app.Services.GetRequiredService<ExternalBrokerClient>();
        await Eventually.WaitFor(() => !client.IsSubscribed, TimeSpan.FromSeconds(10), "noticing the broker went away");

        StartMosquittoOrInconclusive(ref brokerPort);
        await WaitSubscribed(app, TimeSpan.FromSeconds(20));
        var (device, acks) = await Device(brokerPort, 0);
        await device.PublishBinaryAsync(Topics.Uplink(IdOf(0)), FrameCodec.Encode(SampleFrames.Alert(IdOf(0), 9), KeyOf(0)), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.IsTrue(acks.TryTake(out byte[]? ack, TimeSpan.FromSeconds(10)), "acked after the broker came back (subscription renewed)");
        Assert.AreEqual(9u, FrameCodec.DecodeAndVerify(ack!, KeyOf(0)).Frame.Counter);
        await device.DisconnectAsync();
    }

    [TestMethod]
    public async Task DocumentedMosquittoAclKeepsDevicesOnTheirOwnTopicsAndLetsTheReceiverShare()
    {
        const string receiverPassword = "receiver-password-0001";
        string dir = NewDir(), passwords = Path.Combine(dir, "pd-passwords");
        if (!File.Exists("/usr/bin/mosquitto_passwd"))
        {
            Assert.Inconclusive("mosquitto_passwd is not installed (.ci/run installs mosquitto)");
        }
        foreach (var (user, password) in new[] { ("pd-receiver", receiverPassword), (IdOf(0), DeviceCredentials.MqttPassword(KeyOf(0))), (IdOf(1), DeviceCredentials.MqttPassword(KeyOf(1))) })
        {
            var args = File.Exists(passwords) ? new[] { "-b", passwords, user, password } : new[] { "-c", "-b", passwords, user, password };
            using var tool = Process.Start(new ProcessStartInfo("/usr/bin/mosquitto_passwd", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            tool.WaitForExit();
            Assert.AreEqual(0, tool.ExitCode, tool.StandardError.ReadToEnd());
        }
        int brokerPort = LoopbackPorts.Free();
        Process? broker = MosquittoSessionTests.StartMosquitto(ref brokerPort, dir,
            "allow_anonymous false\npersistence false\npassword_file " + passwords + "\nacl_file " + RepoFiles.DataFile("pd-acl") + "\n");
        if (broker == null)
        {
            Assert.Inconclusive("mosquitto is not installed (.ci/run installs it)");
        }
        brokers.Add(broker);

        WebApplication wrong = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--data", NewDir(), "--broker", "mqtt://127.0.0.1:" + brokerPort,
            "--broker-user", "pd-receiver", "--broker-password", "not-the-password", "--Logging:LogLevel:Default", "None" });
        apps.Add(wrong);
        await wrong.StartAsync();
        WebApplication app = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--data", NewDir(), "--broker", "mqtt://127.0.0.1:" + brokerPort,
            "--broker-user", "pd-receiver", "--broker-password", receiverPassword, "--Logging:LogLevel:Default", "Warning" });
        apps.Add(app);
        var registry = app.Services.GetRequiredService<DeviceRegistry>();
        registry.Upsert(new DeviceRecord { Id = IdOf(0), Key = new DeviceKey(KeyOf(0)) });
        registry.Upsert(new DeviceRecord { Id = IdOf(1), Key = new DeviceKey(KeyOf(1)) });
        await app.StartAsync();
        await WaitSubscribed(app, TimeSpan.FromSeconds(10));

        var acks = new BlockingCollection<byte[]>();
        var device = new MqttClientFactory().CreateMqttClient();
        device.ApplicationMessageReceivedAsync += e =>
        {
            acks.Add(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };
        await device.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", brokerPort).WithClientId(IdOf(0))
            .WithCredentials(IdOf(0), DeviceCredentials.MqttPassword(KeyOf(0))).WithProtocolVersion(MqttProtocolVersion.V311).Build());
        var own = await device.SubscribeAsync(Topics.Downlink(IdOf(0)), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.AreEqual(MqttClientSubscribeResultCode.GrantedQoS1, own.Items.Single().ResultCode);
        await device.PublishBinaryAsync(Topics.Uplink(IdOf(0)), FrameCodec.Encode(SampleFrames.Alert(IdOf(0), 1), KeyOf(0)), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.IsTrue(acks.TryTake(out byte[]? ack, TimeSpan.FromSeconds(10)), "the device's own uplink is acked");
        Assert.AreEqual(DecodeStatus.Ok, FrameCodec.DecodeAndVerify(ack!, KeyOf(0)).Status);

        // Speaking for device 1 (even with device 1's valid frame) or reading its acks is the broker's to refuse.
        await device.PublishBinaryAsync(Topics.Uplink(IdOf(1)), FrameCodec.Encode(SampleFrames.Alert(IdOf(1), 1), KeyOf(1)), MqttQualityOfServiceLevel.AtLeastOnce);
        // (mosquitto 2.0 may grant the SUBACK and then withhold the messages: what counts is that nothing arrives.)
        await device.SubscribeAsync(Topics.Downlink(IdOf(1)), MqttQualityOfServiceLevel.AtLeastOnce);
        await app.Services.GetRequiredService<IDeviceDownlink>().PublishToDeviceAsync(IdOf(1),
            PanicDevice.Receiver.Api.AlertEndpoints.StatusFrame(registry.Find(IdOf(1))!, 1, AlertStatus.Resolved));
        // Sentinel: an uplink of its own after those. Its ack is the next thing device 0 reads; an ack or status meant
        // for device 1, sent before it, would have arrived first (and fail device 0's key).
        await device.PublishBinaryAsync(Topics.Uplink(IdOf(0)), FrameCodec.Encode(SampleFrames.Alert(IdOf(0), 2), KeyOf(0)), MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.IsTrue(acks.TryTake(out byte[]? next, TimeSpan.FromSeconds(10)), "the device's next uplink is acked");
        DecodeResult nextAck = FrameCodec.DecodeAndVerify(next!, KeyOf(0));
        Assert.AreEqual(DecodeStatus.Ok, nextAck.Status, "device 0 reads neither an ack nor a status meant for device 1");
        Assert.AreEqual(2u, nextAck.Frame.Counter, "the next thing device 0 reads is its own second ack");
        Assert.AreEqual(0, app.Services.GetRequiredService<FrameStore>().CountFrames(IdOf(1)), "another device's uplink never reached the receiver");
        Assert.IsFalse(wrong.Services.GetRequiredService<ExternalBrokerClient>().IsSubscribed, "a receiver with the wrong password is refused");
        await device.DisconnectAsync();
    }

    [TestMethod]
    [DataRow("http://broker.example.org:1883")]
    [DataRow("mqtt://")]
    [DataRow("broker.example.org:1883")]
    [DataRow("mqtt://broker.example.org:0")]
    [DataRow("mqtt://broker.example.org/pd")]
    [DataRow("mqtt://receiver:hunter2-secret@broker.example.org:1883")]
    public void ExternalBrokerUrlThatIsNotMqttIsAClearErrorWithoutSecrets(string url)
    {
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => ReceiverApp.Build(new[] { "--broker", url, "--data", NewDir() }));
        Assert.AreEqual(BrokerEndpoint.Expected, e.Failures.Single());
        Assert.DoesNotContain("hunter2", e.Message);
    }

    [TestMethod]
    public void ExternalBrokerUrlsDefaultTheirPortsBySchemeAndNeedAUserForAPassword()
    {
        Assert.AreEqual(new BrokerEndpoint("broker.example.org", 1883, false), BrokerEndpoint.Parse("mqtt://broker.example.org"));
        Assert.AreEqual(new BrokerEndpoint("broker.example.org", 8883, true), BrokerEndpoint.Parse("mqtts://broker.example.org"));
        Assert.AreEqual(new BrokerEndpoint("10.0.0.5", 1884, false), BrokerEndpoint.Parse("mqtt://10.0.0.5:1884/"));
        Assert.AreEqual("mqtts://broker.example.org:8883", BrokerEndpoint.Parse("mqtts://broker.example.org")!.ToString());
        var e = Assert.ThrowsExactly<OptionsValidationException>(() =>
            ReceiverApp.Build(new[] { "--broker", "mqtt://127.0.0.1", "--broker-password", "hunter2-secret", "--data", NewDir() }));
        StringAssert.Contains(e.Message, "--broker-password needs --broker-user");
        Assert.DoesNotContain("hunter2", e.Message);
    }
}
