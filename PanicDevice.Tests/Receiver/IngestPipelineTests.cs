using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>The ingest pipeline over a real store, on each store engine (the subclasses below).</summary>
public abstract class IngestPipelineTests
{
    private static readonly byte[] Key = SampleFrames.Key(0x10);
    private TestStore testStore = null!;
    private ReceiverDatabase db = null!;
    private DeviceRegistry registry = null!;
    private FrameStore store = null!;
    private IngestPipeline pipeline = null!;

    protected abstract StoreEngine Engine { get; }

    [TestInitialize]
    public void Open()
    {
        testStore = TestStore.Create(Engine);
        db = testStore.Db;
        registry = new DeviceRegistry(db);
        store = new FrameStore(db);
        pipeline = new IngestPipeline(registry, store, TimeProvider.System);
        registry.Upsert(new DeviceRecord { Id = "fob-0001", Key = new DeviceKey(Key), Kind = DeviceKind.Fob, OwnerName = "Siti" });
    }

    [TestCleanup]
    public void Remove()
    {
        testStore?.Dispose();
    }

    private static byte[] Alert(uint counter, byte[]? key = null, string id = "fob-0001") => FrameCodec.Encode(SampleFrames.Alert(id, counter), key ?? Key);

    [TestMethod]
    public void ValidAlertIsStoredThenAcknowledgedWithASignedAckForItsCounter()
    {
        IngestResult r = pipeline.Process(Alert(5), "fob-0001", IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.Stored, r.Status);
        Assert.AreEqual(1, store.CountFrames("fob-0001"));
        Assert.AreEqual(1, store.CountDispatchEvents("fob-0001", 5));
        DecodeResult ack = FrameCodec.DecodeAndVerify(r.Ack!, Key);
        Assert.AreEqual(DecodeStatus.Ok, ack.Status);
        Assert.AreEqual(MessageKind.Ack, ack.Frame.Kind);
        Assert.AreEqual(5u, ack.Frame.Counter);
        Assert.AreEqual("mqtt", store.PathOf("fob-0001", 5));
    }

    [TestMethod]
    public void SameFrameByMqttAndSmsIsStoredAndDispatchedOnceAndAcknowledgedBothTimes()
    {
        byte[] frame = Alert(9);
        IngestResult viaSms = pipeline.Process(FrameText.ToBytes(FrameText.Encode(frame))!, null, IngestPath.Sms);
        IngestResult viaMqtt = pipeline.Process(frame, "fob-0001", IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.Stored, viaSms.Status);
        Assert.AreEqual(IngestStatus.Duplicate, viaMqtt.Status);
        Assert.IsNotNull(viaMqtt.Ack);
        Assert.AreEqual(1, store.CountFrames("fob-0001"));
        Assert.AreEqual(1, store.CountDispatchEvents("fob-0001", 9));
        Assert.AreEqual("sms", store.PathOf("fob-0001", 9));
    }

    [TestMethod]
    public void EveryRejectionHasItsReasonAndStoresNothing()
    {
        registry.Upsert(new DeviceRecord { Id = "fob-0002", Key = new DeviceKey(SampleFrames.Key(0x20)), Enabled = false });
        byte[] good = Alert(3);
        byte[] forged = Alert(3, SampleFrames.Key(0x77));
        byte[] truncated = good[..^1];
        byte[] oversized = new byte[4096];
        var cases = new (byte[] Payload, string? Topic, string Reason)[]
        {
            (forged, "fob-0001", "BadTag"),
            (truncated, "fob-0001", "Truncated"),
            (oversized, "fob-0001", "TooLong"),
            (Alert(3, id: "fob-9999"), "fob-9999", "UnknownDevice"),
            (Alert(3, SampleFrames.Key(0x20), "fob-0002"), "fob-0002", "RevokedDevice"),
            (good, "fob-0003", "TopicMismatch"),
            (FrameCodec.Encode(Frame.AckFor(SampleFrames.Alert(), 1), Key), "fob-0001", "UnknownKind"),
            (Array.Empty<byte>(), "fob-0001", "Empty"),
        };
        foreach (var (payload, topic, reason) in cases)
        {
            IngestResult r = pipeline.Process(payload, topic, IngestPath.Mqtt);
            Assert.AreEqual(IngestStatus.Rejected, r.Status, reason);
            Assert.AreEqual(reason, r.Reason);
            Assert.IsNull(r.Ack, "no acknowledgement for a rejected frame");
        }
        Assert.AreEqual(0, store.CountFrames("fob-0001"));
        Assert.AreEqual(1, pipeline.Counts["rejected_BadTag"]);
    }

    [TestMethod]
    public void NeverSeenCounterOlderThanTheWindowIsRefusedAsTooOld()
    {
        pipeline.Process(Alert(1), "fob-0001", IngestPath.Mqtt);
        pipeline.Process(Alert(2 + ReplayWindow.Size), "fob-0001", IngestPath.Mqtt);
        IngestResult replay = pipeline.Process(Alert(2), "fob-0001", IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.CounterRefused, replay.Status, "not stored, and never acknowledged");
        Assert.AreEqual(IngestPipeline.CounterTooOld, replay.Reason);
        Assert.IsNull(replay.Ack);
        IngestResult inside = pipeline.Process(Alert(3), "fob-0001", IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.Stored, inside.Status, "the oldest counter the window covers is still new");
        Assert.AreEqual(3, store.CountFrames("fob-0001"));
    }

    [TestMethod]
    public void StoredFrameRetriedAfterTheWindowMovedOnIsAcknowledgedAgain()
    {
        pipeline.Process(Alert(1), "fob-0001", IngestPath.Mqtt);
        pipeline.Process(Alert(1000), "fob-0001", IngestPath.Mqtt);
        IngestResult again = pipeline.Process(Alert(1), "fob-0001", IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.Duplicate, again.Status, "its ack was lost; the device must get one");
        Assert.IsNotNull(again.Ack);
        Assert.AreEqual(1, store.CountDispatchEvents("fob-0001", 1));
    }

    [TestMethod]
    public void TwoReceiversRacingForTheSameFramesStoreEachExactlyOnce()
    {
        // The second receiver opens the store itself (its own connection pool, as another process would).
        using ReceiverDatabase other = testStore.OpenAnother();
        var second = new IngestPipeline(new DeviceRegistry(other), new FrameStore(other), TimeProvider.System);
        var frames = Enumerable.Range(1, 200).Select(i => Alert((uint)i)).ToArray();
        var outcomes = new System.Collections.Concurrent.ConcurrentBag<IngestStatus>();
        Parallel.Invoke(
            () => { foreach (var f in frames) outcomes.Add(pipeline.Process(f, "fob-0001", IngestPath.Mqtt).Status); },
            () => { foreach (var f in frames) outcomes.Add(second.Process(f, "fob-0001", IngestPath.Sms).Status); });
        Assert.AreEqual(200, outcomes.Count(o => o == IngestStatus.Stored));
        Assert.AreEqual(200, outcomes.Count(o => o == IngestStatus.Duplicate));
        Assert.AreEqual(200, store.CountFrames("fob-0001"));
        for (uint c = 1; c <= 200; c++) Assert.AreEqual(1, store.CountDispatchEvents("fob-0001", c));
    }

    [TestMethod]
    public void StoredFramesSurviveReopeningTheStore()
    {
        pipeline.Process(Alert(42), "fob-0001", IngestPath.Mqtt);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        using var reopened = testStore.OpenAnother();
        Assert.AreEqual(1, new FrameStore(reopened).CountFrames("fob-0001"));
        var again = new IngestPipeline(new DeviceRegistry(reopened), new FrameStore(reopened), TimeProvider.System);
        Assert.AreEqual(IngestStatus.Duplicate, again.Process(Alert(42), "fob-0001", IngestPath.Mqtt).Status, "the replay window was persisted");
    }

    [TestMethod]
    public void DeviceKeyNeverShowsInTextForms()
    {
        DeviceRecord d = registry.Find("fob-0001")!;
        string hex = Convert.ToHexString(Key);
        Assert.IsFalse(d.Key.ToString().Contains(hex, StringComparison.OrdinalIgnoreCase));
        Assert.IsFalse(d.ToString()!.Contains(hex, StringComparison.OrdinalIgnoreCase));
        Assert.AreEqual("[device key]", $"{d.Key}");
    }
}

[TestClass]
public class SqliteIngestPipelineTests : IngestPipelineTests
{
    protected override StoreEngine Engine => StoreEngine.Sqlite;
}

[TestClass]
public class PostgresIngestPipelineTests : IngestPipelineTests
{
    protected override StoreEngine Engine => StoreEngine.Postgres;
}
