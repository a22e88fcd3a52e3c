using System;
using System.Collections;
using PanicDevice.Core.Counter;
using PanicDevice.Core.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Counter
{
    [TestClass]
    public class MonotonicCounterTests
    {
        [TestMethod]
        public void StartsAtOneAndIncrements()
        {
            MonotonicCounter c = new MonotonicCounter(new FlashRecordStore(), "ctr", 8);
            Assert.AreEqual(1u, c.Next());
            Assert.AreEqual(2u, c.Next());
            Assert.AreEqual(3u, c.Peek());
        }

        [TestMethod]
        public void PersistsTheBlockEndBeforeHandingOutItsFirstValue()
        {
            FlashRecordStore store = new FlashRecordStore();
            MonotonicCounter c = new MonotonicCounter(store, "ctr", 8);
            Assert.AreEqual(0, store.WriteCount);
            c.Next();
            Assert.AreEqual(1, store.WriteCount, "the first value needs a reservation on flash");
            for (int i = 0; i < 7; i++)
            {
                c.Next();
            }
            Assert.AreEqual(1, store.WriteCount, "values 1..8 come from one reservation");
            c.Next();
            Assert.AreEqual(2, store.WriteCount);
        }

        [TestMethod]
        public void FlashWritesAreOnePerBlock()
        {
            FlashRecordStore store = new FlashRecordStore();
            MonotonicCounter c = new MonotonicCounter(store, "ctr", MonotonicCounter.DefaultBlockSize);
            for (int i = 0; i < 10000; i++)
            {
                c.Next();
            }
            int blocks = (int)((10000 + MonotonicCounter.DefaultBlockSize - 1) / MonotonicCounter.DefaultBlockSize);
            Assert.AreEqual(blocks, c.Writes);
        }

        [TestMethod]
        public void RebootsNeverRepeatAValue()
        {
            FlashRecordStore store = new FlashRecordStore();
            Hashtable seen = new Hashtable();
            TestRandom rng = new TestRandom(3);
            uint last = 0;
            for (int boot = 0; boot < 300; boot++)
            {
                MonotonicCounter c = new MonotonicCounter(store, "ctr", 16);
                int n = rng.Next(0, 40);
                for (int i = 0; i < n; i++)
                {
                    uint v = c.Next();
                    Assert.IsFalse(seen.Contains(v), "value " + v.ToString() + " repeated after boot " + boot.ToString());
                    seen.Add(v, true);
                    Assert.IsTrue(v > last, "values only grow");
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
                    FlashRecordStore store = new FlashRecordStore();
                    Hashtable seen = new Hashtable();
                    store.FailAfter(failingWrite, tornAt);
                    MonotonicCounter c = new MonotonicCounter(store, "ctr", 4);
                    bool lostPower = false;
                    for (int i = 0; i < 40 && !lostPower; i++)
                    {
                        try
                        {
                            uint v = c.Next();
                            Assert.IsFalse(seen.Contains(v));
                            seen.Add(v, true);
                        }
                        catch (PowerLossException)
                        {
                            lostPower = true;
                        }
                    }
                    Assert.IsTrue(lostPower, "the fault was injected");
                    MonotonicCounter rebooted = new MonotonicCounter(store, "ctr", 4);
                    for (int i = 0; i < 40; i++)
                    {
                        uint v = rebooted.Next();
                        Assert.IsFalse(seen.Contains(v), "value " + v.ToString() + " reused after power loss in write " + failingWrite.ToString() + " at byte " + tornAt.ToString());
                        seen.Add(v, true);
                    }
                }
            }
        }

        [TestMethod]
        public void DecayedNewestRecordResumesPastEveryValueItCouldHaveCovered()
        {
            FlashRecordStore store = new FlashRecordStore();
            MonotonicCounter c = new MonotonicCounter(store, "ctr", 4);
            Hashtable used = new Hashtable();
            for (int i = 0; i < 10; i++)
            {
                used.Add(c.Next(), true); // reservations end at 5 (a), 9 (b), 13 (a)
            }
            byte[] a = store.Read("ctr.a");
            a[5] ^= 0xFF; // the newest record decays after values up to 10 were used
            store.Write("ctr.a", a);
            uint resumed = new MonotonicCounter(store, "ctr", 4).Next();
            Assert.IsFalse(used.Contains(resumed), "resumed at a used value " + resumed.ToString());
            Assert.AreEqual(13u, resumed, "one block past the valid record, no further");
        }

        [TestMethod]
        public void DecayedOnlyRecordResumesPastTheFirstBlock()
        {
            FlashRecordStore store = new FlashRecordStore();
            MonotonicCounter c = new MonotonicCounter(store, "ctr", 4);
            for (int i = 0; i < 4; i++)
            {
                c.Next(); // values 1..4 from the only record written (end 5)
            }
            byte[] a = store.Read("ctr.a");
            a[7] ^= 0x01;
            store.Write("ctr.a", a);
            Assert.IsNull(store.Read("ctr.b"));
            Assert.AreEqual(5u, new MonotonicCounter(store, "ctr", 4).Next());
        }

        [TestMethod]
        public void BothRecordsCorruptRefusesRatherThanRestartingAtOne()
        {
            FlashRecordStore store = new FlashRecordStore();
            MonotonicCounter c = new MonotonicCounter(store, "ctr", 4);
            for (int i = 0; i < 6; i++)
            {
                c.Next();
            }
            store.Write("ctr.a", new byte[] { 1, 2, 3 });
            store.Write("ctr.b", new byte[16]);
            Exception e = Expect.Throws(typeof(InvalidOperationException), () => new MonotonicCounter(store, "ctr", 4).Next());
            Expect.Contains("corrupt", e.Message);
        }

        [TestMethod]
        public void Crc32MatchesTheStandardCheckValue()
        {
            byte[] check = Hex.Ascii("123456789");
            Assert.AreEqual(0xCBF43926u, Crc32.Compute(check, 0, check.Length));
        }
    }
}
