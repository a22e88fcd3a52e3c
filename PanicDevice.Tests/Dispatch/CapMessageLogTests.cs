using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Dispatch;

/// <summary>Numbering of an alert's CAP messages when two receivers change the alert at once, on each engine (the subclasses below).</summary>
public abstract class CapMessageLogTests
{
    protected abstract StoreEngine Engine { get; }

    private static readonly byte[] Key = SampleFrames.Key(0x60);

    private static Frame FollowUp(string id, uint counter)
    {
        Frame f = SampleFrames.Alert(id, counter);
        f.Kind = MessageKind.Update;
        f.LatitudeE7 += 1000;
        return f;
    }

    [TestMethod]
    public async Task AnOperatorAndADeviceChangingOneAlertAtOnceTakeConsecutiveNumbers()
    {
        const int Alerts = 24;
        using var store = TestStore.Create(Engine);
        using ReceiverDatabase other = store.OpenAnother(); // the device's frames arrive at a second receiver
        var registry = new DeviceRegistry(store.Db);
        for (int i = 0; i < Alerts; i++)
        {
            registry.Upsert(new DeviceRecord { Id = "fob-" + i, Key = new DeviceKey(Key) });
        }
        var devices = new IngestPipeline(new DeviceRegistry(other), new FrameStore(other), TimeProvider.System);
        var operators = new AlertBook(store.Db);
        var log = new CapMessageLog(store.Db);
        for (int i = 0; i < Alerts; i++)
        {
            Assert.AreEqual(IngestStatus.Stored, devices.Process(FrameCodec.Encode(SampleFrames.Alert("fob-" + i, 1), Key), "fob-" + i, IngestPath.Mqtt).Status);
        }
        Dictionary<string, long> ids = operators.Recent(Alerts).ToDictionary(a => a.DeviceId, a => a.Id);

        // Each alert: the operator's acknowledgement and the device's follow-up released together.
        foreach (var (device, id) in ids)
        {
            using var start = new Barrier(2);
            await Task.WhenAll(
                Task.Run(() => { start.SignalAndWait(); operators.Act(id, "acknowledge", null, "op"); }),
                Task.Run(() =>
                {
                    start.SignalAndWait();
                    Assert.AreEqual(IngestStatus.Stored, devices.Process(FrameCodec.Encode(FollowUp(device, 2), Key), device, IngestPath.Mqtt).Status);
                }));
        }

        foreach (long id in ids.Values)
        {
            IReadOnlyList<CapMessageRecord> messages = log.For(id);
            CollectionAssert.AreEqual(new[] { 1, 2, 3 }, messages.Select(m => m.Seq).ToArray(), "alert " + id);
            CollectionAssert.AreEquivalent(new[] { CapEvent.Alert, AlertStates.Acknowledged, CapEvent.Position }, messages.Select(m => m.Event).ToArray(), "alert " + id);
        }
    }
}

[TestClass]
public class SqliteCapMessageLogTests : CapMessageLogTests
{
    protected override StoreEngine Engine => StoreEngine.Sqlite;
}

[TestClass]
public class PostgresCapMessageLogTests : CapMessageLogTests
{
    protected override StoreEngine Engine => StoreEngine.Postgres;
}
