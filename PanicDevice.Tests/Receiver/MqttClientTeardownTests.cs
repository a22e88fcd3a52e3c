using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;
using MQTTnet.Protocol;
using PanicDevice.Bench;
using PanicDevice.Bench.Engines;
using PanicDevice.Core.Protocol;
using PanicDevice.Host;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Mqtt;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// MQTTnet 5.2's MqttClient.Dispose can throw ObjectDisposedException when it races the client's own clean-up after
/// a lost connection. Four crash-bench runs in about fifty stalled on it: a device's send loop had died on that
/// exception and its alerts were never sent again. The receiver's external-broker loop disposes clients the same way.
/// </summary>
[TestClass]
public class MqttClientTeardownTests
{
    [TestMethod]
    public void TheCleanupRaceOfDisposeIsTakenAndTheClientIsStillTornDown()
    {
        IMqttClient c = DisposeRaceMqttClient.Create();
        Assert.ThrowsExactly<ObjectDisposedException>(() => c.Dispose(), "the stand-in throws as MQTTnet's does");
        IMqttClient d = DisposeRaceMqttClient.Create();
        d.DisposeDespiteCleanupRace();
        Assert.AreEqual(1, ((DisposeRaceMqttClient)(object)d).Throws, "disposed once, the race's exception taken");
        Assert.ThrowsExactly<ObjectDisposedException>(() => d.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).Build()).GetAwaiter().GetResult(),
            "the client underneath is disposed");
    }

    [TestMethod]
    public void ADeviceLoopThatFailedIsReportedWithItsDeviceInsteadOfWaitedFor()
    {
        var loops = new DeviceLoops();
        loops.Add("crash-000007", Task.FromException(new ObjectDisposedException(null, "The CancellationTokenSource has been disposed.")));
        loops.Add("crash-000008", Task.FromCanceled(new CancellationToken(true)));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => loops.UntilAsync(() => false, TimeSpan.FromMinutes(5)).GetAwaiter().GetResult());
        StringAssert.Contains(e.Message, "crash-000007");
        StringAssert.Contains(e.Message, "ObjectDisposedException");

        var fine = new DeviceLoops();
        fine.Add("crash-000009", Task.CompletedTask);
        Assert.IsFalse(fine.UntilAsync(() => false, TimeSpan.FromMilliseconds(50)).GetAwaiter().GetResult(), "a loop that ended cleanly only times out");
    }

    [TestMethod]
    public async Task ReceiverKeepsReconnectingWhenDisposingAFailedClientThrowsTheCleanupRace()
    {
        int brokerPort = LoopbackPorts.Free();
        string dir = Directory.CreateTempSubdirectory("pd-teardown-").FullName;
        var db = new ReceiverDatabase(Path.Combine(dir, "r.db"));
        byte[] key = SampleFrames.Key(0x5a);
        var registry = new DeviceRegistry(db);
        registry.Upsert(new DeviceRecord { Id = "fob-teardown", Key = new DeviceKey(key) });
        var made = new List<IMqttClient>();
        var client = new ExternalBrokerClient(BrokerEndpoint.Parse("mqtt://127.0.0.1:" + brokerPort)!, null, null,
            new IngestPipeline(registry, new FrameStore(db), TimeProvider.System), NullLogger.Instance,
            minBackoff: TimeSpan.FromMilliseconds(50), maxBackoff: TimeSpan.FromMilliseconds(200),
            newClient: () =>
            {
                IMqttClient c = DisposeRaceMqttClient.Create();
                lock (made) made.Add(c);
                return c;
            });
        System.Diagnostics.Process? broker = null;
        try
        {
            await client.StartAsync();
            // no broker yet: each failed attempt drops its client, and every one of those disposals throws
            await Eventually.WaitFor(() => client.FailedAttempts >= 3, TimeSpan.FromSeconds(20), "three attempts at the absent broker");
            lock (made) Assert.IsGreaterThanOrEqualTo(2, made.Sum(c => ((DisposeRaceMqttClient)(object)c).Throws), "dropped clients' Dispose threw");

            // the receiver expects it on this port
            broker = MosquittoSessionTests.StartMosquitto(ref brokerPort, Directory.CreateDirectory(Path.Combine(dir, "mosquitto")).FullName, keepPort: true);
            if (broker == null)
            {
                Assert.Inconclusive("mosquitto is not installed (.ci/run installs it)");
            }
            await Eventually.WaitFor(() => client.IsSubscribed, TimeSpan.FromSeconds(20), "subscribed once the broker is up");

            var (device, acks) = await ExternalBrokerTests.Device(brokerPort, "fob-teardown");
            await device.PublishBinaryAsync(Topics.Uplink("fob-teardown"), FrameCodec.Encode(SampleFrames.Alert("fob-teardown", 4), key), MqttQualityOfServiceLevel.AtLeastOnce);
            Assert.IsTrue(acks.TryTake(out byte[]? ack, TimeSpan.FromSeconds(10)), "the alert is acked");
            Assert.AreEqual(4u, FrameCodec.DecodeAndVerify(ack!, key).Frame.Counter);
            await device.DisconnectAsync();
            device.Dispose();
        }
        finally
        {
            await client.DisposeAsync();
            if (broker != null)
            {
                if (!broker.HasExited) broker.Kill();
                broker.Dispose();
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TempDirectory.Delete(dir);
        }
    }
}
