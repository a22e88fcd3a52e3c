using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>Alert projection and operator actions, on each store engine (the subclasses below).</summary>
public abstract class AlertBookTests
{
    private static readonly byte[] Key = SampleFrames.Key(0x11);
    private TestStore testStore = null!;
    private IngestPipeline pipeline = null!;
    private AlertBook alerts = null!;

    protected abstract StoreEngine Engine { get; }

    [TestInitialize]
    public void Open()
    {
        testStore = TestStore.Create(Engine);
        var db = testStore.Db;
        var registry = new DeviceRegistry(db);
        registry.Upsert(new DeviceRecord { Id = "fob-1", Key = new DeviceKey(Key) });
        pipeline = new IngestPipeline(registry, new FrameStore(db), TimeProvider.System);
        alerts = new AlertBook(db);
    }

    [TestCleanup]
    public void Remove()
    {
        testStore?.Dispose();
    }

    private void Send(MessageKind kind, uint counter, byte code, int lat = 0, LocationSource source = LocationSource.None, IngestPath path = IngestPath.Mqtt)
    {
        Frame f = Frame.Create(kind, "fob-1", counter, code);
        f.Source = source;
        f.LatitudeE7 = source == LocationSource.None ? 0 : lat;
        f.AccuracyM = source == LocationSource.None ? Frame.Unknown16 : (ushort)20;
        var r = pipeline.Process(FrameCodec.Encode(f, Key), path == IngestPath.Mqtt ? "fob-1" : null, path);
        Assert.AreNotEqual(IngestStatus.Rejected, r.Status, r.Reason);
    }

    [TestMethod]
    public void AlertWithoutAPositionIsListedLikeAnyOther()
    {
        Send(MessageKind.Alert, 1, (byte)AlertCode.Panic);
        AlertView a = alerts.Recent(10).Single();
        Assert.AreEqual("new", a.State);
        Assert.IsNull(a.Lat);
        Assert.AreEqual("none", a.Source);
        Assert.AreEqual("position unknown", a.Timeline.Single().Detail);
    }

    [TestMethod]
    public void FollowUpsMoveTheAlertAndATimelineRecordsEachPath()
    {
        Send(MessageKind.Alert, 1, (byte)AlertCode.Panic, -61753924, LocationSource.Gnss, IngestPath.Sms);
        Send(MessageKind.Update, 2, (byte)AlertCode.Panic, -61760000, LocationSource.Gnss);
        AlertView a = alerts.Recent(10).Single();
        Assert.AreEqual(-6.176, a.Lat!.Value, 1e-9);
        CollectionAssert.AreEqual(new[] { "received-sms", "follow-up-mqtt" }, a.Timeline.Select(t => t.Event).ToArray());
    }

    [TestMethod]
    public void DuplicateFrameAddsNoSecondAlertOrTimelineEntry()
    {
        Send(MessageKind.Alert, 1, (byte)AlertCode.Panic);
        Send(MessageKind.Alert, 1, (byte)AlertCode.Panic, path: IngestPath.Sms);
        AlertView a = alerts.Recent(10).Single();
        Assert.HasCount(1, a.Timeline);
    }

    [TestMethod]
    public void DuressCancelKeepsTheAlertOpenAndFlagsItWhileACancelClosesIt()
    {
        Send(MessageKind.Alert, 1, (byte)AlertCode.Panic);
        Send(MessageKind.Cancel, 2, (byte)AlertCode.DuressCancel);
        AlertView duress = alerts.Recent(10).Single();
        Assert.IsTrue(duress.Duress);
        Assert.IsTrue(AlertStates.IsOpen(duress.State), "coercion: the alert stays open");
        Assert.AreEqual("duress", duress.Timeline.Last().Event);

        alerts.Act(duress.Id, "resolve", null, "dina"); // closed: the next press is an emergency of its own
        Send(MessageKind.Alert, 3, (byte)AlertCode.Panic);
        Send(MessageKind.Cancel, 4, (byte)AlertCode.Cancel);
        AlertView cancelled = alerts.Recent(1).Single();
        Assert.AreEqual("cancelled", cancelled.State);
        Assert.IsFalse(cancelled.Duress);
    }

    [TestMethod]
    public void APressAgainJoinsTheOpenIncidentNamedByItsMostUrgentPressAndAClosedOneDoesNot()
    {
        pipeline = new IngestPipeline(new DeviceRegistry(testStore.Db), new FrameStore(testStore.Db, AlertBook.SuggestedIncidentWindow), TimeProvider.System);
        Send(MessageKind.Alert, 1, (byte)AlertCode.Panic);
        Send(MessageKind.Alert, 2, (byte)AlertCode.HoldUp, -61760000, LocationSource.Gnss);
        Send(MessageKind.Update, 3, (byte)AlertCode.Panic, -61770000, LocationSource.Gnss);
        Send(MessageKind.Alert, 4, (byte)AlertCode.Panic);
        AlertView a = alerts.Recent(10).Single();
        Assert.AreEqual("hold-up", a.Kind, "the most urgent press names the incident");
        Assert.AreEqual(1u, a.Counter);
        Assert.AreEqual(4u, a.LastCounter, "operators' status frames go to the press the device waits on");
        Assert.AreEqual(-6.177, a.Lat!.Value, 1e-9, "a press without a fix leaves the last one");
        CollectionAssert.AreEqual(new[] { "received-mqtt", "pressed-again-mqtt", "follow-up-mqtt", "pressed-again-mqtt" }, a.Timeline.Select(t => t.Event).ToArray());
        Assert.AreEqual("hold-up · -6.176000,0.000000 ±20 m (gnss)", a.Timeline[1].Detail);

        Send(MessageKind.Alert, 5, (byte)AlertCode.Test);
        Send(MessageKind.Alert, 6, (byte)AlertCode.ButtonFault);
        CollectionAssert.AreEqual(new[] { "button-fault", "test", "hold-up" }, alerts.Recent(10).Select(x => x.Kind).ToArray(),
            "an exercise and a fault report never merge with an emergency");

        alerts.Act(a.Id, "resolve", null, "dina");
        Send(MessageKind.Alert, 7, (byte)AlertCode.Panic);
        Assert.HasCount(4, alerts.Recent(10), "after it was closed, a press is a new emergency");
    }

    [TestMethod]
    public void APressAfterTheWindowOrWithJoiningOffIsAnAlertOfItsOwn()
    {
        var time = new ManualTime { Now = DateTimeOffset.UtcNow };
        var registry = new DeviceRegistry(testStore.Db);
        var windowed = new IngestPipeline(registry, new FrameStore(testStore.Db, TimeSpan.FromMinutes(10)), time);
        void Press(IngestPipeline p, uint counter) =>
            Assert.AreEqual(IngestStatus.Stored, p.Process(FrameCodec.Encode(Frame.Create(MessageKind.Alert, "fob-1", counter, (byte)AlertCode.Panic), Key), "fob-1", IngestPath.Mqtt).Status);
        Press(windowed, 1);
        time.Now += TimeSpan.FromMinutes(9);
        Press(windowed, 2);
        Assert.HasCount(1, alerts.Recent(10), "within ten minutes: one incident");
        time.Now += TimeSpan.FromMinutes(2);
        Press(windowed, 3);
        Assert.HasCount(2, alerts.Recent(10), "eleven minutes after it opened: a new alert");

        var separate = new IngestPipeline(registry, new FrameStore(testStore.Db, TimeSpan.Zero), time);
        Press(separate, 4);
        Assert.HasCount(3, alerts.Recent(10), "--incident-window 0: every press its own alert");
    }

    [TestMethod]
    public void OperatorActionsChangeStateAndAreTimelined()
    {
        Send(MessageKind.Alert, 1, (byte)AlertCode.HoldUp);
        long id = alerts.Recent(1).Single().Id;
        Assert.AreEqual("acknowledged", alerts.Act(id, "acknowledge", null, "dina")!.State);
        AlertView assigned = alerts.Act(id, "assign", "Patrol 7", "dina")!;
        Assert.AreEqual("assigned", assigned.State);
        Assert.AreEqual("Patrol 7", assigned.Responder);
        Assert.AreEqual("resolved", alerts.Act(id, "resolve", null, "dina")!.State);
        CollectionAssert.AreEqual(new[] { "received-mqtt", "acknowledge", "assign", "resolve" }, alerts.Find(id)!.Timeline.Select(t => t.Event).ToArray());
        Assert.IsNull(alerts.Act(999, "resolve", null, "dina"));
        Assert.AreEqual("hold-up", alerts.Find(id)!.Kind);
    }
}

[TestClass]
public class SqliteAlertBookTests : AlertBookTests
{
    protected override StoreEngine Engine => StoreEngine.Sqlite;
}

[TestClass]
public class PostgresAlertBookTests : AlertBookTests
{
    protected override StoreEngine Engine => StoreEngine.Postgres;
}
