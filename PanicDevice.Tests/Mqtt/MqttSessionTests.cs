using PanicDevice.Bench.Engines;
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
using PanicDevice.Core.Feedback;

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

    private static SimulatedDevice Device(int brokerPort, string? password = null, int smsDeadlineS = 20) =>
        new(new DeviceConfig
        {
            DeviceId = Id, Key = Key, BrokerHost = "127.0.0.1", BrokerPort = brokerPort, OwnerName = "Siti",
            GuardianNumbers = new[] { "+6281200000001" }, GatewayNumber = "+6281299999999", SmsDeadlineS = smsDeadlineS,
        }, _ => { }, password, reconnectMinMs: 200);

    private static void TripleTap(SimulatedDevice d)
    {
        for (int i = 0; i < 3; i++) d.Tap(120, 120);
    }

    private static async Task<(WebApplication App, int Port, string Dir)> StartReceiver(int? port = null, string? dir = null)
    {
        dir ??= Path.Combine(Path.GetTempPath(), "pd-e2e-" + Guid.NewGuid().ToString("N"));
        int p = port ?? LoopbackPorts.Free();
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
            var device = Device(port);
            Assert.IsTrue(device.RunUntil(() => device.Session.IsConnected, TimeSpan.FromSeconds(10)), "connected: " + device.Session.LastError);
            TripleTap(device);
            Assert.IsTrue(device.RunUntil(() => device.Feedback.Contains(FeedbackEvent.Acknowledged), TimeSpan.FromSeconds(10)), "acknowledged");
            Assert.AreEqual(0, device.App.Engine.PendingCount, "outbox empty");
            Assert.AreEqual(1, receiver.Services.GetRequiredService<FrameStore>().CountFrames(Id));
            Assert.IsEmpty(device.SmsSent, "no SMS when the data path works");
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
        int port = LoopbackPorts.Free();
        var device = Device(port, smsDeadlineS: 2);
        TripleTap(device);
        Assert.IsTrue(device.RunUntil(() => device.SmsSent.Count >= 3, TimeSpan.FromSeconds(5)), "SMS fallback at the deadline");
        CollectionAssert.AreEqual(new[] { "112", "+6281200000001", "+6281299999999" }, device.SmsSent.Select(m => m.Number).ToArray());
        Assert.AreEqual(DecodeStatus.Ok, FrameCodec.DecodeAndVerify(FrameText.ToBytes(device.SmsSent[2].Text)!, Key).Status, "the gateway SMS carries the signed frame");
        Assert.IsNotNull(device.Session.LastError, "the session knows why it is not connected");

        var (receiver, _, dir) = await StartReceiver(port);
        try
        {
            Assert.IsTrue(device.RunUntil(() => device.Feedback.Contains(FeedbackEvent.Acknowledged), TimeSpan.FromSeconds(15)), "delivered after the broker returned: " + device.Session.LastError);
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
            var device = Device(port, "not-the-password");
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
