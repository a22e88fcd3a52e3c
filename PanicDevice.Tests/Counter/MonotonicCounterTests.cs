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
        public void AdvanceToMovesForwardPersistsFirstAndNeverGoesBack()
        {
            FlashRecordStore store = new FlashRecordStore();
            MonotonicCounter c = new MonotonicCounter(store, "ctr", 8);
            Assert.AreEqual(1u, c.Next());
            Assert.IsTrue(c.AdvanceTo(500), "a higher value moves the counter");
            // Power lost right after the jump, before any value of it was used: the reboot resumes past it.
            Assert.IsTrue(new MonotonicCounter(store, "ctr", 8).Peek() >= 500, "the jump was on flash before it took effect");
            Assert.AreEqual(500u, c.Next(), "the next value is the one asked for");
            Assert.IsFalse(c.AdvanceTo(200), "a lower value never moves the counter back");
            Assert.IsFalse(c.AdvanceTo(501), "nor the value it is already at");
            Assert.AreEqual(501u, c.Next());
            int writes = store.WriteCount;
            c.AdvanceTo(100);
            Assert.AreEqual(writes, store.WriteCount, "a refused jump writes nothing");
        }

        [TestMethod]
        public void AdvanceToRefusesToJumpIntoTheLastValuesOfTheKey()
        {
            FlashRecordStore store = new FlashRecordStore();
            MonotonicCounter c = new MonotonicCounter(store, "ctr", 8);
            c.Next();
            Expect.Throws(typeof(ArgumentOutOfRangeException), () => c.AdvanceTo(MonotonicCounter.AdvanceCeiling + 1), "one past the ceiling");
            Expect.Throws(typeof(ArgumentOutOfRangeException), () => c.AdvanceTo(uint.MaxValue), "the end of the space");
            Assert.AreEqual(2u, c.Next(), "a refused jump changes nothing");
            Assert.IsTrue(c.AdvanceTo(MonotonicCounter.AdvanceCeiling), "the ceiling itself is allowed");
            Assert.AreEqual(MonotonicCounter.AdvanceCeiling, c.Next());
            Assert.IsTrue(uint.MaxValue - MonotonicCounter.AdvanceCeiling > 60000000u, "tens of millions of values stay after any jump");
        }

        [TestMethod]
        public void PowerLossAtAnyByteOfAJumpNeverRepeatsAValue()
        {
            // The jump writes both records; tear either one at every byte, reboot, continue.
            for (int failingWrite = 0; failingWrite < 2; failingWrite++)
            {
                for (int tornAt = 0; tornAt <= 16; tornAt++)
                {
                    FlashRecordStore store = new FlashRecordStore();
                    Hashtable seen = new Hashtable();
                    MonotonicCounter c = new MonotonicCounter(store, "ctr", 4);
                    for (int i = 0; i < 6; i++)
                    {
                        seen.Add(c.Next(), true);
                    }
                    store.FailAfter(failingWrite, tornAt);
                    bool jumped = false;
                    try
                    {
                        jumped = c.AdvanceTo(1000);
                    }
                    catch (PowerLossException)
                    {
                    }
                    Assert.IsFalse(jumped, "the fault was injected");
                    MonotonicCounter rebooted = new MonotonicCounter(store, "ctr", 4);
                    uint first = rebooted.Next();
                    if (failingWrite == 1)
                    {
                        Assert.IsTrue(first >= 1000, "the first record held the jump: resumed at " + first.ToString());
                    }
                    Assert.IsFalse(seen.Contains(first), "value " + first.ToString() + " reused after a jump torn in write " + failingWrite.ToString() + " at byte " + tornAt.ToString());
                    seen.Add(first, true);
                    for (int i = 0; i < 20; i++)
                    {
                        uint v = rebooted.Next();
                        Assert.IsFalse(seen.Contains(v), "value " + v.ToString() + " reused after a jump torn in write " + failingWrite.ToString() + " at byte " + tornAt.ToString());
                        seen.Add(v, true);
                    }
                    // Whatever survived, asking again takes the counter past the jump for good.
                    rebooted.AdvanceTo(1000);
                    Assert.IsTrue(new MonotonicCounter(store, "ctr", 4).Next() >= 1000, "a repeated jump holds after another reboot");
                }
            }
        }

        [TestMethod]
        public void Crc32MatchesTheStandardCheckValue()
        {
            byte[] check = Hex.Ascii("123456789");
            Assert.AreEqual(0xCBF43926u, Crc32.Compute(check, 0, check.Length));
        }
    }
}
