using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Outbox;

[TestClass]
public class AlertOutboxTests
{
    private static readonly byte[] Key = SampleFrames.Key(0);

    private static byte[] FrameOf(MessageKind kind, uint counter)
    {
        byte code = kind switch
        {
            MessageKind.Cancel => (byte)AlertCode.Cancel,
            MessageKind.Heartbeat => 0,
            _ => (byte)AlertCode.Panic,
        };
        Frame f = Frame.Create(kind, "fob-0001", counter, code);
        return FrameCodec.Encode(f, Key);
    }

    private static uint CounterOf(OutboxEntry e) => FrameCodec.Decode(e.Frame).Frame.Counter;

    [TestMethod]
    public void AppendedFramesSurviveReopeningInOrder()
    {
        var store = new FlashRecordStore();
        var box = new AlertOutbox(store, 8);
        box.Append(FrameOf(MessageKind.Alert, 1));
        box.Append(FrameOf(MessageKind.Update, 2));
        box.Append(FrameOf(MessageKind.Cancel, 3));

        var reopened = new AlertOutbox(store, 8);
        CollectionAssert.AreEqual(new uint[] { 1, 2, 3 }, reopened.Entries().Select(CounterOf).ToArray());
        CollectionAssert.AreEqual(FrameOf(MessageKind.Alert, 1), reopened.Entries()[0].Frame);
    }

    [TestMethod]
    public void RemovedEntriesStayRemovedAndSequencesKeepGrowingAfterReopen()
    {
        var store = new FlashRecordStore();
        var box = new AlertOutbox(store, 8);
        var first = box.Append(FrameOf(MessageKind.Alert, 1));
        box.Append(FrameOf(MessageKind.Alert, 2));
        box.Remove(first);
        var reopened = new AlertOutbox(store, 8);
        Assert.AreEqual(1, reopened.Count);
        var third = reopened.Append(FrameOf(MessageKind.Alert, 3));
        Assert.IsGreaterThan(reopened.Entries()[0].Sequence, third.Sequence);
    }

    [TestMethod]
    public void FullOutboxSupersedesTheOldestFollowUpButNeverAnAlert()
    {
        var box = new AlertOutbox(new FlashRecordStore(), 4); // 3 usable
        box.Append(FrameOf(MessageKind.Alert, 1));
        box.Append(FrameOf(MessageKind.Update, 2));
        box.Append(FrameOf(MessageKind.Update, 3));
        box.Append(FrameOf(MessageKind.Update, 4));
        CollectionAssert.AreEqual(new uint[] { 1, 3, 4 }, box.Entries().Select(CounterOf).ToArray());
        box.Append(FrameOf(MessageKind.Alert, 5));
        box.Append(FrameOf(MessageKind.Cancel, 6));
        CollectionAssert.AreEqual(new uint[] { 1, 5, 6 }, box.Entries().Select(CounterOf).ToArray());
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => box.Append(FrameOf(MessageKind.Alert, 7)));
        StringAssert.Contains(e.Message, "full");
        Assert.AreEqual(3, box.Count, "a refused append changes nothing");
    }

    [TestMethod]
    public void FlagsPersistAndTheEntryKeepsItsIdentity()
    {
        var store = new FlashRecordStore();
        var box = new AlertOutbox(store, 4);
        var alert = box.Append(FrameOf(MessageKind.Alert, 1));
        box.SetFlags(alert, OutboxEntry.HumanSmsSent);
        Assert.IsTrue(alert.Has(OutboxEntry.HumanSmsSent));
        var reopened = new AlertOutbox(store, 4);
        Assert.AreEqual(1, reopened.Count);
        Assert.IsTrue(reopened.Entries()[0].Has(OutboxEntry.HumanSmsSent));
        box.Remove(alert);
        Assert.AreEqual(0, box.Count);
        Assert.AreEqual(0, new AlertOutbox(store, 4).Count);
    }

    [TestMethod]
    public void PowerLossDuringAnyWriteNeverLosesAnEarlierEntry()
    {
        // Script: append A1, append U2, flag A1, append A3, flag A3, remove U2.
        for (int failingWrite = 0; failingWrite < 4; failingWrite++)
        {
            for (int tornAt = 0; tornAt <= 120; tornAt += 7)
            {
                var store = new FlashRecordStore();
                store.FailAfter(failingWrite, tornAt);
                var stored = new HashSet<uint>();
                try
                {
                    var box = new AlertOutbox(store, 6);
                    var a1 = box.Append(FrameOf(MessageKind.Alert, 1)); stored.Add(1);
                    var u2 = box.Append(FrameOf(MessageKind.Update, 2)); stored.Add(2);
                    box.SetFlags(a1, OutboxEntry.HumanSmsSent);
                    var a3 = box.Append(FrameOf(MessageKind.Alert, 3)); stored.Add(3);
                    box.SetFlags(a3, OutboxEntry.GatewaySmsSent);
                    box.Remove(u2); stored.Remove(2);
                    Assert.Fail("the fault was not injected");
                }
                catch (PowerLossException)
                {
                }
                var after = new AlertOutbox(store, 6);
                var counters = after.Entries().Select(CounterOf).ToList();
                foreach (uint c in stored)
                {
                    Assert.Contains(c, counters, "entry " + c + " lost after power loss in write " + failingWrite + " at byte " + tornAt);
                }
                Assert.AreEqual(counters.Count, counters.Distinct().Count(), "an entry appears twice");
                foreach (var e in after.Entries())
                {
                    Assert.AreEqual(DecodeStatus.Ok, FrameCodec.DecodeAndVerify(e.Frame, Key).Status, "a stored frame was damaged");
                }
            }
        }
    }

    [TestMethod]
    public void CrashBetweenCopyAndDeleteKeepsOneCopyWithTheNewerFlags()
    {
        var store = new FlashRecordStore();
        var box = new AlertOutbox(store, 4);
        var alert = box.Append(FrameOf(MessageKind.Alert, 1));
        byte[] oldRecord = store.Read("ob.0");
        box.SetFlags(alert, OutboxEntry.HumanSmsSent);
        store.Write("ob.0", oldRecord); // as if the delete of the old copy never happened
        var reopened = new AlertOutbox(store, 4);
        Assert.AreEqual(1, reopened.Count);
        Assert.IsTrue(reopened.Entries()[0].Has(OutboxEntry.HumanSmsSent));
    }

    [TestMethod]
    public void GarbageRecordsAreDiscardedAndCounted()
    {
        var store = new FlashRecordStore();
        var box = new AlertOutbox(store, 4);
        box.Append(FrameOf(MessageKind.Alert, 1));
        store.Write("ob.2", new byte[] { (byte)'O', (byte)'B', 1, 0, 0, 0, 0, 9, 200, 1, 2, 3 });
        store.Write("ob.3", new byte[0]);
        var reopened = new AlertOutbox(store, 4);
        Assert.AreEqual(1, reopened.Count);
        Assert.AreEqual(2, reopened.DiscardedCorrupt);
        Assert.IsNull(store.Read("ob.2"));
    }

    [TestMethod]
    public void RejectsNonFrames()
    {
        var box = new AlertOutbox(new FlashRecordStore(), 4);
        Assert.ThrowsExactly<ArgumentException>(() => box.Append(null));
        Assert.ThrowsExactly<ArgumentException>(() => box.Append(new byte[FrameCodec.MaxFrameLength + 1]));
    }
}
