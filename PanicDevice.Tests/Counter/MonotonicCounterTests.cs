using PanicDevice.Core.Counter;
using PanicDevice.Core.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Counter;

[TestClass]
public class MonotonicCounterTests
{
    [TestMethod]
    public void StartsAtOneAndIncrements()
    {
        var c = new MonotonicCounter(new FlashRecordStore(), "ctr", 8);
        Assert.AreEqual(1u, c.Next());
        Assert.AreEqual(2u, c.Next());
        Assert.AreEqual(3u, c.Peek());
    }

    [TestMethod]
    public void PersistsTheBlockEndBeforeHandingOutItsFirstValue()
    {
        var store = new FlashRecordStore();
        var c = new MonotonicCounter(store, "ctr", 8);
        Assert.AreEqual(0, store.WriteCount);
        c.Next();
        Assert.AreEqual(1, store.WriteCount, "the first value needs a reservation on flash");
        for (int i = 0; i < 7; i++) c.Next();
        Assert.AreEqual(1, store.WriteCount, "values 1..8 come from one reservation");
        c.Next();
        Assert.AreEqual(2, store.WriteCount);
    }

    [TestMethod]
    public void FlashWritesAreOnePerBlock()
    {
        var store = new FlashRecordStore();
        var c = new MonotonicCounter(store, "ctr", MonotonicCounter.DefaultBlockSize);
        for (int i = 0; i < 10_000; i++) c.Next();
        Assert.AreEqual((int)Math.Ceiling(10_000 / (double)MonotonicCounter.DefaultBlockSize), c.Writes);
    }

    [TestMethod]
    public void RebootsNeverRepeatAValue()
    {
        var store = new FlashRecordStore();
        var seen = new HashSet<uint>();
        var rng = new Random(3);
        uint last = 0;
        for (int boot = 0; boot < 300; boot++)
        {
            var c = new MonotonicCounter(store, "ctr", 16);
            int n = rng.Next(0, 40);
            for (int i = 0; i < n; i++)
            {
                uint v = c.Next();
                Assert.IsTrue(seen.Add(v), "value " + v + " repeated after boot " + boot);
                Assert.IsGreaterThan(last, v, "values only grow");
                last = v;
            }
        }
    }

    [TestMethod]
    public void PowerLossAtAnyByteOfAnyWriteNeverRepeatsAValue()
    {
        // For every write position and every tear point, lose power there, reboot, and continue.
        for (int failingWrite = 0; failingWrite < 6; failingWrite++)
        {
            for (int tornAt = 0; tornAt <= 16; tornAt++)
            {
                var store = new FlashRecordStore();
                var seen = new HashSet<uint>();
                store.FailAfter(failingWrite, tornAt);
                var c = new MonotonicCounter(store, "ctr", 4);
                bool lostPower = false;
                for (int i = 0; i < 40 && !lostPower; i++)
                {
                    try
                    {
                        Assert.IsTrue(seen.Add(c.Next()));
                    }
                    catch (PowerLossException)
                    {
                        lostPower = true;
                    }
                }
                Assert.IsTrue(lostPower, "the fault was injected");
                var rebooted = new MonotonicCounter(store, "ctr", 4);
                for (int i = 0; i < 40; i++)
                {
                    uint v = rebooted.Next();
                    Assert.IsTrue(seen.Add(v), "value " + v + " reused after power loss in write " + failingWrite + " at byte " + tornAt);
                }
            }
        }
    }

    [TestMethod]
    public void DecayedNewestRecordResumesPastEveryValueItCouldHaveCovered()
    {
        var store = new FlashRecordStore();
        var c = new MonotonicCounter(store, "ctr", 4);
        var used = new HashSet<uint>();
        for (int i = 0; i < 10; i++) used.Add(c.Next()); // reservations end at 5 (a), 9 (b), 13 (a)
        byte[] a = store.Read("ctr.a");
        a[5] ^= 0xFF; // the newest record decays after values up to 10 were used
        store.Write("ctr.a", a);
        uint resumed = new MonotonicCounter(store, "ctr", 4).Next();
        Assert.IsFalse(used.Contains(resumed), "resumed at a used value " + resumed);
        Assert.AreEqual(13u, resumed, "one block past the valid record, no further");
    }

    [TestMethod]
    public void DecayedOnlyRecordResumesPastTheFirstBlock()
    {
        var store = new FlashRecordStore();
        var c = new MonotonicCounter(store, "ctr", 4);
        for (int i = 0; i < 4; i++) c.Next(); // values 1..4 from the only record written (end 5)
        byte[] a = store.Read("ctr.a");
        a[7] ^= 0x01;
        store.Write("ctr.a", a);
        Assert.IsNull(store.Read("ctr.b"));
        Assert.AreEqual(5u, new MonotonicCounter(store, "ctr", 4).Next());
    }

    [TestMethod]
    public void BothRecordsCorruptRefusesRatherThanRestartingAtOne()
    {
        var store = new FlashRecordStore();
        var c = new MonotonicCounter(store, "ctr", 4);
        for (int i = 0; i < 6; i++) c.Next();
        store.Write("ctr.a", new byte[] { 1, 2, 3 });
        store.Write("ctr.b", new byte[16]);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new MonotonicCounter(store, "ctr", 4).Next());
        StringAssert.Contains(e.Message, "corrupt");
    }

    [TestMethod]
    public void Crc32MatchesTheStandardCheckValue()
    {
        byte[] check = System.Text.Encoding.ASCII.GetBytes("123456789");
        Assert.AreEqual(0xCBF43926u, Crc32.Compute(check, 0, check.Length));
    }
}
