using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Core.App;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Protocol;
using PanicDevice.Host;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Api;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Delivery;
using PanicDevice.Tests.Receiver;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Mqtt;

/// <summary>
/// A device running the real Core (patterns, delivery, MQTT session) over a real socket against the
/// real receiver (embedded MQTTnet broker, pipeline, SQLite): press → stored → signed ack → outbox empty.
/// </summary>
[TestClass]
public class MqttSessionTests
{
    private static readonly byte[] Key = SampleFrames.Key(0x33);
    private const string Id = "fob-0100";

    private sealed class Device
    {
        public readonly Stopwatch Clock = Stopwatch.StartNew();
        public readonly MqttClientSession Session;
        public readonly PanicDeviceApp App;
        public readonly FakeSms Sms = new();
        public readonly FeedbackRecorder Feedback = new();
        public readonly MemoryRecordStore Flash = new();

        public Device(int brokerPort, string password, int smsDeadlineS = 20)
        {
            var options = new MqttSessionOptions
            {
                Host = "127.0.0.1", Port = brokerPort, ClientId = Id, Password = password,
                UplinkTopic = Topics.Uplink(Id), DownlinkTopic = Topics.Downlink(Id), WillTopic = Topics.Presence(Id),
                ReconnectMinMs = 200, ReconnectMaxMs = 1000, ConnectTimeoutMs = 5000,
            };
            Session = new MqttClientSession(options, new SocketTcpLink());
            var config = new DeviceConfig { DeviceId = Id, Key = Key, BrokerHost = "127.0.0.1", GuardianNumbers = new[] { "+6281200000001" }, GatewayNumber = "+6281299999999", SmsDeadlineS = smsDeadlineS };
            App = new PanicDeviceApp(config, null, Flash, Session, Sms, new FakeTelemetry(), new PlainSmsText(), Feedback);
            App.Start(Now);
        }

        public long Now => Clock.ElapsedMilliseconds;

        public void TripleTap()
        {
            for (int i = 0; i < 3; i++)
            {
                App.OnRawButtonEdge(true, Now);
                RunFor(120);
                App.OnRawButtonEdge(false, Now);
                RunFor(120);
            }
        }

        public void RunFor(int ms) => RunUntil(() => false, ms);

        public bool RunUntil(Func<bool> done, int timeoutMs)
        {
            long end = Now + timeoutMs;
            while (Now < end)
            {
                App.Poll(Now);
                if (done()) return true;
                Thread.Sleep(5);
            }
            return done();
        }
    }

    private static async Task<(WebApplication App, int Port, string Dir)> StartReceiver(int? port = null, string? dir = null)
    {
        dir ??= Path.Combine(Path.GetTempPath(), "pd-e2e-" + Guid.NewGuid().ToString("N"));
        int p = port ?? EmbeddedBrokerTests.FreePort();
        var app = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", p.ToString(), "--data", dir, "--operator-token", "operator-token-0123456789", "--gateway-token", "gateway-token-01234567890" });
        app.Services.GetRequiredService<DeviceRegistry>().Upsert(new DeviceRecord { Id = Id, Key = new DeviceKey(Key) });
        await app.StartAsync();
        return (app, p, dir);
    }

    private static async Task Stop(WebApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [TestMethod]
    public async Task PressIsStoredAcknowledgedAndTheOutboxEmpties()
    {
        var (receiver, port, dir) = await StartReceiver();
        try
        {
            var device = new Device(port, DeviceCredentials.MqttPassword(Key));
            Assert.IsTrue(device.RunUntil(() => device.Session.IsConnected, 10_000), "connected: " + device.Session.LastError);
            device.TripleTap();
            Assert.IsTrue(device.RunUntil(() => device.Feedback.Events.Contains(FeedbackEvent.Acknowledged), 10_000), "acknowledged");
            Assert.AreEqual(0, device.App.Engine.PendingCount, "outbox empty");
            Assert.AreEqual(1, receiver.Services.GetRequiredService<FrameStore>().CountFrames(Id));
            Assert.IsEmpty(device.Sms.Messages, "no SMS when the data path works");
            Assert.AreEqual("new", receiver.Services.GetRequiredService<AlertBook>().Recent(1).Single().State);
        }
        finally
        {
            await Stop(receiver);
        }
    }

    [TestMethod]
    public async Task BrokerDownMeansSmsAtTheDeadlineThenDeliveryOnceWhenItReturns()
    {
        int port = EmbeddedBrokerTests.FreePort();
        var device = new Device(port, DeviceCredentials.MqttPassword(Key), smsDeadlineS: 2);
        device.TripleTap();
        Assert.IsTrue(device.RunUntil(() => device.Sms.Messages.Count >= 3, 5_000), "SMS fallback at the deadline");
        CollectionAssert.AreEqual(new[] { "112", "+6281200000001", "+6281299999999" }, device.Sms.Messages.Select(m => m.Number).ToArray());
        Assert.AreEqual(DecodeStatus.Ok, FrameCodec.DecodeAndVerify(FrameText.ToBytes(device.Sms.Messages[2].Text)!, Key).Status, "the gateway SMS carries the signed frame");
        Assert.IsNotNull(device.Session.LastError, "the session knows why it is not connected");

        var (receiver, _, dir) = await StartReceiver(port);
        try
        {
            Assert.IsTrue(device.RunUntil(() => device.Feedback.Events.Contains(FeedbackEvent.Acknowledged), 15_000), "delivered after the broker returned: " + device.Session.LastError);
            device.RunFor(500);
            Assert.AreEqual(1, receiver.Services.GetRequiredService<FrameStore>().CountFrames(Id), "exactly once");
            Assert.AreEqual(0, device.App.Engine.PendingCount);
        }
        finally
        {
            await Stop(receiver);
        }
    }

    [TestMethod]
    public async Task WrongPasswordIsRefusedWithAReasonAndBackedOff()
    {
        var (receiver, port, _) = await StartReceiver();
        try
        {
            var device = new Device(port, "not-the-password");
            device.RunFor(2500);
            Assert.IsFalse(device.Session.IsConnected);
            StringAssert.Contains(device.Session.LastError, "bad user name or password");
            Assert.IsLessThan(8, device.Session.Reconnects, "backoff, not a tight loop: " + device.Session.Reconnects);
        }
        finally
        {
            await Stop(receiver);
        }
    }
}
