using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// A duplicate is the same bytes. A verified frame under a counter the store holds other bytes for (a device whose
/// counter restarted under the same key, or a cloned key), or under a counter older than the window with nothing
/// stored, is refused: never acknowledged, never stored as a frame or an alert, recorded once as a counter event with
/// its content, and answered with a signed Resync naming the counter to continue from. On each store engine.
/// </summary>
public abstract class CounterReuseTests
{
    private static readonly byte[] Key = SampleFrames.RandomKey(0x11);
    private const string Id = "fob-0001";
    private TestStore testStore = null!;
    private FrameStore store = null!;
    private DeviceRegistry registry = null!;
    private CounterEventBook events = null!;
    private IngestPipeline pipeline = null!;

    protected abstract StoreEngine Engine { get; }

    [TestInitialize]
    public void Open()
    {
        testStore = TestStore.Create(Engine);
        registry = new DeviceRegistry(testStore.Db);
        store = new FrameStore(testStore.Db);
        events = new CounterEventBook(testStore.Db);
        pipeline = new IngestPipeline(registry, store, TimeProvider.System);
        registry.Upsert(new DeviceRecord { Id = Id, Key = new DeviceKey(Key), Kind = DeviceKind.Fob, OwnerName = "Siti" });
    }

    [TestCleanup]
    public void Remove() => testStore?.Dispose();

    private static Frame Test(uint counter)
    {
        Frame f = SampleFrames.Alert(Id, counter);
        f.Code = (byte)AlertCode.Test;
        return f;
    }

    private static Frame Panic(uint counter)
    {
        Frame f = SampleFrames.Alert(Id, counter);
        f.TimeUtcSeconds += 600; // pressed ten minutes after the test
        f.LatitudeE7 = -62000000;
        f.LongitudeE7 = 1068000000;
        return f;
    }

    private static byte[] Signed(Frame f, byte[]? key = null) => FrameCodec.Encode(f, key ?? Key);

    private long Count(string sql) => testStore.Count(sql, ("@d", Id));

    [TestMethod]
    public void OtherBytesUnderAStoredCounterAreRefusedNeverAcknowledgedAsADuplicate()
    {
        Assert.AreEqual(IngestStatus.Stored, pipeline.Process(Signed(Test(1)), Id, IngestPath.Mqtt).Status);
        byte[] panic = Signed(Panic(1));
        IngestResult r = pipeline.Process(panic, Id, IngestPath.Mqtt);

        Assert.AreNotEqual(IngestStatus.Duplicate, r.Status, "a new panic under a used counter was taken for the stored test alert");
        Assert.IsNull(r.Ack, "acknowledged as stored, but it is not stored");
        Assert.AreEqual(IngestStatus.CounterRefused, r.Status);
        Assert.AreEqual(IngestPipeline.CounterReuse, r.Reason);
        Assert.AreEqual(1L, store.CountFrames(Id), "only the test alert is stored");
        Assert.AreEqual((long)AlertCode.Test, Count("SELECT code FROM frames WHERE device_id = @d AND counter = 1"), "the stored frame is untouched");
        Assert.AreEqual(1L, Count("SELECT COUNT(*) FROM alerts WHERE device_id = @d"), "no alert row for a frame that is not stored");
        Assert.AreEqual(1L, Count("SELECT COUNT(*) FROM dispatch_queue WHERE device_id = @d"), "and nothing dispatched for it");
        Assert.AreEqual(1L, pipeline.Counts["rejected_CounterReuse"]);
        Assert.AreEqual(1L, pipeline.AcksIssued, "one ack: the test alert's");

        DecodeResult answer = FrameCodec.DecodeAndVerify(r.Resync!, Key);
        Assert.AreEqual(DecodeStatus.Ok, answer.Status, "the Resync is signed with the device's key");
        Assert.AreEqual(MessageKind.Resync, answer.Frame.Kind);
        Assert.AreEqual(1u, answer.Frame.Counter, "it names the refused counter");
        Assert.AreEqual((byte)CounterProblem.Reused, answer.Frame.Code);
        Assert.AreEqual(2u, answer.Frame.NextCounter, "continue past the highest stored counter");
        Assert.AreEqual(FrameCodec.TagPrefix(panic), answer.Frame.AnsweredTag, "and it names the refused bytes");
        Assert.AreEqual(1L, pipeline.ResyncsIssued);
    }

    [TestMethod]
    public void TheRefusedFrameReachesOperatorsOnceWithItsContentMarkedUnverified()
    {
        pipeline.Process(Signed(Test(1)), Id, IngestPath.Mqtt);
        byte[] panic = Signed(Panic(1));
        for (int retry = 0; retry < 3; retry++)
        {
            Assert.AreEqual(IngestStatus.CounterRefused, pipeline.Process(panic, Id, IngestPath.Mqtt).Status, "retry " + retry);
        }
        Assert.AreEqual(IngestStatus.CounterRefused, pipeline.Process(FrameText.ToBytes(FrameText.Encode(panic))!, null, IngestPath.Sms).Status, "its SMS copy");

        CounterEventView e = events.Recent(10).Single();
        Assert.AreEqual(Id, e.DeviceId);
        Assert.AreEqual(1u, e.Counter);
        Assert.AreEqual(CounterEventBook.Reused, e.Reason);
        Assert.AreEqual("alert", e.Kind);
        Assert.AreEqual("panic", e.Code, "operators see it is a panic");
        Assert.AreEqual(-6.2, e.Lat!.Value, 1e-9, "and where");
        Assert.AreEqual(106.8, e.Lon!.Value, 1e-9);
        Assert.AreEqual("gnss", e.Source);
        Assert.AreEqual(Panic(1).TimeUtcSeconds, e.DeviceTimeUtc);
        Assert.AreEqual("mqtt", e.Path);
        Assert.AreEqual(2u, e.NextCounter);
        Assert.IsTrue(e.Open);
        Assert.AreEqual(1L, events.CountOpen());
        Assert.AreEqual(4L, pipeline.Counts["rejected_CounterReuse"], "every refusal is counted");
    }

    [TestMethod]
    public void TheMessageReSentUnderTheNamedCounterIsStoredAndResolvesItsEvent()
    {
        pipeline.Process(Signed(Test(1)), Id, IngestPath.Mqtt);
        IngestResult refused = pipeline.Process(Signed(Panic(1)), Id, IngestPath.Mqtt);
        uint next = FrameCodec.Decode(refused.Resync!).Frame.NextCounter;

        IngestResult resent = pipeline.Process(Signed(Panic(next)), Id, IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.Stored, resent.Status);
        Assert.AreEqual(next, FrameCodec.DecodeAndVerify(resent.Ack!, Key).Frame.Counter, "acknowledged under its new counter");
        CounterEventView e = events.Recent(10).Single();
        Assert.AreEqual(next, e.ResentCounter, "the event knows where its message went");
        Assert.IsFalse(e.Open);
        Assert.AreEqual(0L, events.CountOpen());
        AlertView panic = new AlertBook(testStore.Db).Recent(10).Single(a => a.Kind == "panic");
        TimelineEntry resync = panic.Timeline.Single(t => t.Event == "counter-resync");
        StringAssert.Contains(resync.Detail, "first sent under counter 1");
    }

    [TestMethod]
    public void AnotherMessageUnderTheNewCounterLeavesTheEventOpen()
    {
        pipeline.Process(Signed(Test(1)), Id, IngestPath.Mqtt);
        pipeline.Process(Signed(Panic(1)), Id, IngestPath.Mqtt);
        Frame other = Panic(2);
        other.LatitudeE7 += 1; // not the refused message
        Assert.AreEqual(IngestStatus.Stored, pipeline.Process(Signed(other), Id, IngestPath.Mqtt).Status);
        Assert.IsTrue(events.Recent(10).Single().Open, "only the same content re-sent resolves an event");
    }

    [TestMethod]
    public void OtherBytesUnderAnOldCounterAfterTheWindowMovedOnAreReusedNotDuplicate()
    {
        pipeline.Process(Signed(Test(1)), Id, IngestPath.Mqtt);
        pipeline.Process(Signed(Test(1000)), Id, IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.Duplicate, pipeline.Process(Signed(Test(1)), Id, IngestPath.Mqtt).Status, "the same bytes are still a duplicate");
        IngestResult r = pipeline.Process(Signed(Panic(1)), Id, IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.CounterRefused, r.Status);
        Assert.AreEqual(IngestPipeline.CounterReuse, r.Reason);
        Assert.AreEqual(1001u, FrameCodec.Decode(r.Resync!).Frame.NextCounter);
        IngestResult old = pipeline.Process(Signed(Panic(2)), Id, IngestPath.Mqtt);
        Assert.AreEqual(IngestPipeline.CounterTooOld, old.Reason, "below the window with nothing stored");
        Assert.AreEqual((byte)CounterProblem.TooOld, FrameCodec.Decode(old.Resync!).Frame.Code);
        Assert.AreEqual(CounterEventBook.TooOld, events.Recent(1).Single().Reason);
    }

    [TestMethod]
    public void AnSmsCopyIsComparedByItsDecodedBytes()
    {
        byte[] test = Signed(Test(4));
        pipeline.Process(test, Id, IngestPath.Mqtt);
        // A gateway's line breaks and the URL-safe alphabet change the text, not the frame.
        string text = FrameText.Encode(test).Replace('+', '-').Replace('/', '_');
        text = text[..30] + "\r\n" + text[30..];
        Assert.AreEqual(IngestStatus.Duplicate, pipeline.Process(FrameText.ToBytes(text)!, null, IngestPath.Sms).Status, "the same frame by SMS");
        IngestResult other = pipeline.Process(FrameText.ToBytes(FrameText.Encode(Signed(Panic(4))))!, null, IngestPath.Sms);
        Assert.AreEqual(IngestStatus.CounterRefused, other.Status, "another frame by SMS");
        Assert.AreEqual("sms", events.Recent(1).Single().Path);
    }

    [TestMethod]
    public void ADeviceGivenANewKeyWhoseCounterStartedAgainIsToldToContinueAboveItsOldFrames()
    {
        for (uint c = 1; c <= 3; c++) pipeline.Process(Signed(Test(c)), Id, IngestPath.Mqtt);
        byte[] newKey = SampleFrames.RandomKey(0x12);
        registry.Upsert(new DeviceRecord { Id = Id, Key = new DeviceKey(newKey), Kind = DeviceKind.Fob, OwnerName = "Siti" });
        IngestResult r = pipeline.Process(Signed(Panic(1), newKey), Id, IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.CounterRefused, r.Status, "counter 1 holds the old key's frame: never a duplicate of it");
        Assert.IsNull(r.Ack);
        Assert.AreEqual(4u, FrameCodec.DecodeAndVerify(r.Resync!, newKey).Frame.NextCounter, "past the old frames, though the new key's window is empty");
        Assert.AreEqual(IngestStatus.Stored, pipeline.Process(Signed(Panic(4), newKey), Id, IngestPath.Mqtt).Status);
    }

    [TestMethod]
    public void ARefusedHeartbeatIsResolvedByTheNextStoredHeartbeat()
    {
        Frame beat = Frame.Create(MessageKind.Heartbeat, Id, 1, 0);
        pipeline.Process(Signed(beat), Id, IngestPath.Mqtt);
        beat.BatteryPercent = 50;
        Assert.AreEqual(IngestStatus.CounterRefused, pipeline.Process(Signed(beat), Id, IngestPath.Mqtt).Status);
        Assert.IsTrue(events.Recent(1).Single().Open);
        beat.Counter = 2; // the device answers a Resync about a heartbeat with a fresh heartbeat
        beat.BatteryPercent = 49;
        Assert.AreEqual(IngestStatus.Stored, pipeline.Process(Signed(beat), Id, IngestPath.Mqtt).Status);
        Assert.AreEqual(2u, events.Recent(1).Single().ResentCounter);
    }

    [TestMethod]
    public void AnOperatorAcknowledgesAnEventOnce()
    {
        pipeline.Process(Signed(Test(1)), Id, IngestPath.Mqtt);
        pipeline.Process(Signed(Panic(1)), Id, IngestPath.Mqtt);
        long id = events.Recent(1).Single().Id;
        CounterEventView seen = events.Acknowledge(id, "dina")!;
        Assert.AreEqual("dina", seen.AcknowledgedBy);
        Assert.IsFalse(seen.Open);
        Assert.AreEqual("dina", events.Acknowledge(id, "budi")!.AcknowledgedBy, "the first acknowledgement stands");
        Assert.IsNull(events.Acknowledge(id + 100, "dina"));
    }
}

[TestClass]
public class SqliteCounterReuseTests : CounterReuseTests
{
    protected override StoreEngine Engine => StoreEngine.Sqlite;
}

[TestClass]
public class PostgresCounterReuseTests : CounterReuseTests
{
    protected override StoreEngine Engine => StoreEngine.Postgres;
}
