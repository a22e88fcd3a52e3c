using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Receiver.Supervision;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>Supervision events, on each store engine (the subclasses below).</summary>
public abstract class SupervisionMonitorTests
{
    protected abstract StoreEngine Engine { get; }

    [TestMethod]
    public void OverdueDeviceRaisesOneSilentEventClearedWhenItSpeaksAgain()
    {
        using var testStore = TestStore.Create(Engine);
        {
            var db = testStore.Db;
            var registry = new DeviceRegistry(db);
            byte[] key = SampleFrames.Key(0x61);
            registry.Upsert(new DeviceRecord { Id = "fob-1", Key = new DeviceKey(key), HeartbeatIntervalS = 600 });
            var now = new ManualTime { Now = DateTimeOffset.UtcNow };
            var monitor = new SupervisionMonitor(db, now);
            var pipeline = new IngestPipeline(registry, new FrameStore(db), now);
            void Heartbeat(uint counter, byte battery)
            {
                Frame f = Frame.Create(MessageKind.Heartbeat, "fob-1", counter, 0);
                f.BatteryPercent = battery;
                Assert.AreEqual(IngestStatus.Stored, pipeline.Process(FrameCodec.Encode(f, key), "fob-1", IngestPath.Mqtt).Status);
            }

            Heartbeat(1, 80);
            Assert.AreEqual(0, monitor.Check());
            now.Now += TimeSpan.FromSeconds(600) + SupervisionMonitor.Grace;
            Assert.AreEqual(0, monitor.Check(), "exactly at the interval plus grace: not yet overdue");
            now.Now += TimeSpan.FromSeconds(1);
            Assert.AreEqual(1, monitor.Check());
            Assert.AreEqual(0, monitor.Check(), "raised once, not once per check");
            Assert.AreEqual("device-silent", monitor.Open().Single().Event);

            Heartbeat(2, 15);
            monitor.Check();
            var open = monitor.Open();
            Assert.IsFalse(open.Any(e => e.Event == "device-silent"), "cleared by the heartbeat");
            Assert.AreEqual("low-battery", open.Single().Event);
            Heartbeat(3, 90);
            monitor.Check();
            Assert.IsEmpty(monitor.Open());
        }
    }
}

[TestClass]
public class SqliteSupervisionMonitorTests : SupervisionMonitorTests
{
    protected override StoreEngine Engine => StoreEngine.Sqlite;
}

[TestClass]
public class PostgresSupervisionMonitorTests : SupervisionMonitorTests
{
    protected override StoreEngine Engine => StoreEngine.Postgres;
}
