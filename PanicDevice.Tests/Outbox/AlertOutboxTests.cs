using System;
using System.Collections;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Outbox;

[TestClass]
public class AlertOutboxTests
{
    private static byte[] FrameOf(MessageKind kind, uint counter)
    {
        byte code;
        switch (kind)
        {
            case MessageKind.Cancel:
                code = (byte)AlertCode.Cancel;
                break;
            case MessageKind.Heartbeat:
                code = 0;
                break;
            default:
                code = (byte)AlertCode.Panic;
                break;
        }
        Frame f = Frame.Create(kind, "fob-0001", counter, code);
        return FrameCodec.Encode(f, SampleFrames.Key(0));
    }

    private static uint CounterOf(OutboxEntry e)
    {
        return FrameCodec.Decode(e.Frame).Frame.Counter;
    }

    /// <summary>The frames' counters, oldest entry first, space-separated ("1 2 3").</summary>
    private static string Counters(AlertOutbox box)
    {
        OutboxEntry[] entries = box.Entries();
        string s = "";
        for (int i = 0; i < entries.Length; i++)
        {
            s += (i == 0 ? "" : " ") + CounterOf(entries[i]).ToString();
        }
        return s;
    }

    [TestMethod]
    public void AppendedFramesSurviveReopeningInOrder()
    {
        FlashRecordStore store = new FlashRecordStore();
        AlertOutbox box = new AlertOutbox(store, 8);
        box.Append(FrameOf(MessageKind.Alert, 1));
        box.Append(FrameOf(MessageKind.Update, 2));
        box.Append(FrameOf(MessageKind.Cancel, 3));

        AlertOutbox reopened = new AlertOutbox(store, 8);
        Assert.AreEqual("1 2 3", Counters(reopened));
        Expect.SameBytes(FrameOf(MessageKind.Alert, 1), reopened.Entries()[0].Frame);
    }

    [TestMethod]
    public void RemovedEntriesStayRemovedAndSequencesKeepGrowingAfterReopen()
    {
        FlashRecordStore store = new FlashRecordStore();
        AlertOutbox box = new AlertOutbox(store, 8);
        OutboxEntry first = box.Append(FrameOf(MessageKind.Alert, 1));
        box.Append(FrameOf(MessageKind.Alert, 2));
        box.Remove(first);
        AlertOutbox reopened = new AlertOutbox(store, 8);
        Assert.AreEqual(1, reopened.Count);
        OutboxEntry third = reopened.Append(FrameOf(MessageKind.Alert, 3));
        uint older = reopened.Entries()[0].Sequence;
        Assert.IsTrue(third.Sequence > older, "sequence " + third.Sequence.ToString() + " after " + older.ToString());
    }

    [TestMethod]
    public void FullOutboxSupersedesTheOldestFollowUpButNeverAnAlert()
    {
        AlertOutbox box = new AlertOutbox(new FlashRecordStore(), 4); // 3 usable
        box.Append(FrameOf(MessageKind.Alert, 1));
        box.Append(FrameOf(MessageKind.Update, 2));
        box.Append(FrameOf(MessageKind.Update, 3));
        box.Append(FrameOf(MessageKind.Update, 4));
        Assert.AreEqual("1 3 4", Counters(box));
        box.Append(FrameOf(MessageKind.Alert, 5));
        box.Append(FrameOf(MessageKind.Cancel, 6));
        Assert.AreEqual("1 5 6", Counters(box));
        Exception e = Expect.Throws(typeof(InvalidOperationException), () => box.Append(FrameOf(MessageKind.Alert, 7)));
        Expect.Contains("full", e.Message);
        Assert.AreEqual(3, box.Count, "a refused append changes nothing");
    }

    [TestMethod]
    public void FlagsPersistAndTheEntryKeepsItsIdentity()
    {
        FlashRecordStore store = new FlashRecordStore();
        AlertOutbox box = new AlertOutbox(store, 4);
        OutboxEntry alert = box.Append(FrameOf(MessageKind.Alert, 1));
        box.SetFlags(alert, OutboxEntry.HumanSmsSent);
        Assert.IsTrue(alert.Has(OutboxEntry.HumanSmsSent), "the flag is on the caller's entry");
        AlertOutbox reopened = new AlertOutbox(store, 4);
        Assert.AreEqual(1, reopened.Count);
        Assert.IsTrue(reopened.Entries()[0].Has(OutboxEntry.HumanSmsSent), "the flag survived reopening");
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
                FlashRecordStore store = new FlashRecordStore();
                store.FailAfter(failingWrite, tornAt);
                Hashtable stored = new Hashtable();
                try
                {
                    AlertOutbox box = new AlertOutbox(store, 6);
                    OutboxEntry a1 = box.Append(FrameOf(MessageKind.Alert, 1));
                    stored.Add(1u, true);
                    OutboxEntry u2 = box.Append(FrameOf(MessageKind.Update, 2));
                    stored.Add(2u, true);
                    box.SetFlags(a1, OutboxEntry.HumanSmsSent);
                    OutboxEntry a3 = box.Append(FrameOf(MessageKind.Alert, 3));
                    stored.Add(3u, true);
                    box.SetFlags(a3, OutboxEntry.GatewaySmsSent);
                    box.Remove(u2);
                    stored.Remove(2u);
                    Expect.Fail("the fault was not injected");
                }
                catch (PowerLossException)
                {
                }
                string where = " after power loss in write " + failingWrite.ToString() + " at byte " + tornAt.ToString();
                AlertOutbox after = new AlertOutbox(store, 6);
                Hashtable found = new Hashtable();
                OutboxEntry[] entries = after.Entries();
                for (int i = 0; i < entries.Length; i++)
                {
                    uint counter = CounterOf(entries[i]);
                    Assert.IsFalse(found.Contains(counter), "entry " + counter.ToString() + " appears twice" + where);
                    found.Add(counter, true);
                    Assert.AreEqual((int)DecodeStatus.Ok, (int)FrameCodec.DecodeAndVerify(entries[i].Frame, SampleFrames.Key(0)).Status, "a stored frame was damaged" + where);
                }
                foreach (object c in stored.Keys)
                {
                    Assert.IsTrue(found.Contains(c), "entry " + c.ToString() + " lost" + where);
                }
            }
        }
    }

    [TestMethod]
    public void CrashBetweenCopyAndDeleteKeepsOneCopyWithTheNewerFlags()
    {
        FlashRecordStore store = new FlashRecordStore();
        AlertOutbox box = new AlertOutbox(store, 4);
        OutboxEntry alert = box.Append(FrameOf(MessageKind.Alert, 1));
        byte[] oldRecord = store.Read("ob.0");
        box.SetFlags(alert, OutboxEntry.HumanSmsSent);
        store.Write("ob.0", oldRecord); // as if the delete of the old copy never happened
        AlertOutbox reopened = new AlertOutbox(store, 4);
        Assert.AreEqual(1, reopened.Count);
        Assert.IsTrue(reopened.Entries()[0].Has(OutboxEntry.HumanSmsSent), "the copy without the flag was kept");
    }

    [TestMethod]
    public void ReplaceKeepsTheEntrysPlaceAndTakesTheNewFrameAndFlags()
    {
        FlashRecordStore store = new FlashRecordStore();
        AlertOutbox box = new AlertOutbox(store, 6);
        OutboxEntry test = box.Append(FrameOf(MessageKind.Alert, 1));
        OutboxEntry alert = box.Append(FrameOf(MessageKind.Alert, 2));
        box.Append(FrameOf(MessageKind.Update, 3));
        box.SetFlags(test, (byte)(OutboxEntry.HumanSmsSent | OutboxEntry.GatewaySmsSent));
        box.Replace(test, FrameOf(MessageKind.Alert, 70), OutboxEntry.HumanSmsSent);
        Assert.AreEqual("70 2 3", Counters(box), "the re-signed frame keeps the first place");
        Assert.AreEqual(70u, CounterOf(test), "the caller's entry holds the new frame");
        AlertOutbox reopened = new AlertOutbox(store, 6);
        Assert.AreEqual("70 2 3", Counters(reopened), "and so does flash");
        Assert.IsTrue(reopened.Entries()[0].Has(OutboxEntry.HumanSmsSent), "flags given are kept");
        Assert.IsFalse(reopened.Entries()[0].Has(OutboxEntry.GatewaySmsSent), "flags not given are gone");
        box.Remove(alert);
        Assert.AreEqual("70 3", Counters(new AlertOutbox(store, 6)));
    }

    [TestMethod]
    public void CrashBetweenReplaceAndDeleteKeepsTheReSignedFrame()
    {
        // The re-signed copy may carry fewer flags than the old one: the counter, not the flags, tells them apart.
        FlashRecordStore store = new FlashRecordStore();
        AlertOutbox box = new AlertOutbox(store, 4);
        OutboxEntry alert = box.Append(FrameOf(MessageKind.Alert, 1));
        box.SetFlags(alert, OutboxEntry.GatewaySmsSent);
        string oldSlot = "ob." + alert.Slot.ToString();
        byte[] oldRecord = store.Read(oldSlot);
        box.Replace(alert, FrameOf(MessageKind.Alert, 9), 0);
        store.Write(oldSlot, oldRecord); // as if the delete of the old copy never happened
        AlertOutbox reopened = new AlertOutbox(store, 4);
        Assert.AreEqual("9", Counters(reopened), "the refused frame came back instead of the re-signed one");
    }

    [TestMethod]
    public void PowerLossDuringReplaceKeepsTheOldOrTheNewFrameNeverNeitherNorBoth()
    {
        // Replace writes the copy, then deletes the old record: fail at each, tear the copy at every few bytes.
        for (int operation = 0; operation < 2; operation++)
        {
            for (int tornAt = 0; tornAt <= 100; tornAt += 9)
            {
                FlashRecordStore store = new FlashRecordStore();
                AlertOutbox box = new AlertOutbox(store, 4);
                OutboxEntry alert = box.Append(FrameOf(MessageKind.Alert, 1));
                box.Append(FrameOf(MessageKind.Cancel, 2));
                store.FailAtOperation(operation, tornAt);
                try
                {
                    box.Replace(alert, FrameOf(MessageKind.Alert, 50), 0);
                    Expect.Fail("the fault was not injected");
                }
                catch (PowerLossException)
                {
                }
                store.Revive();
                string left = Counters(new AlertOutbox(store, 4));
                Assert.IsTrue(left == "1 2" || left == "50 2", "after power loss in operation " + operation.ToString() + " at byte " + tornAt.ToString() + " the outbox holds " + left);
            }
        }
    }

    [TestMethod]
    public void GarbageRecordsAreDiscardedAndCounted()
    {
        FlashRecordStore store = new FlashRecordStore();
        AlertOutbox box = new AlertOutbox(store, 4);
        box.Append(FrameOf(MessageKind.Alert, 1));
        store.Write("ob.2", new byte[] { (byte)'O', (byte)'B', 1, 0, 0, 0, 0, 9, 200, 1, 2, 3 });
        store.Write("ob.3", new byte[0]);
        AlertOutbox reopened = new AlertOutbox(store, 4);
        Assert.AreEqual(1, reopened.Count);
        Assert.AreEqual(2, reopened.DiscardedCorrupt);
        Assert.IsNull(store.Read("ob.2"));
    }

    [TestMethod]
    public void RejectsNonFrames()
    {
        AlertOutbox box = new AlertOutbox(new FlashRecordStore(), 4);
        Expect.Throws(typeof(ArgumentException), () => box.Append(null), "no frame");
        Expect.Throws(typeof(ArgumentException), () => box.Append(new byte[FrameCodec.MaxFrameLength + 1]), "too long");
    }
}
