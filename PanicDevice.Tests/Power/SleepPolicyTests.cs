using PanicDevice.Core.Config;
using PanicDevice.Core.Power;
using PanicDevice.Core.Time;

namespace PanicDevice.Tests.Power
{
    [TestClass]
    public class SleepPolicyTests
    {
        private const long Boot = 0;
        private const long Later = 60000;

        /// <summary>"0,900" for the edge times, so a failure shows the whole list on either runtime.</summary>
        private static string Times(long[] times)
        {
            string text = "";
            for (int i = 0; i < times.Length; i++)
            {
                text += (i > 0 ? "," : "") + times[i].ToString();
            }
            return text;
        }

        [TestMethod]
        public void AnIdleFobSleepsUntilItsNextDeadline()
        {
            Assert.AreEqual(3600000 - Later, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, false, 3600000));
            Assert.AreEqual(long.MaxValue, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, false, -1));
        }

        [TestMethod]
        public void AnythingInFlightKeepsItAwake()
        {
            Assert.AreEqual(0L, SleepPolicy.SleepForMs(DeviceKind.Wall, Later, Boot, 0, false, true, false, false, -1), "wall units never sleep");
            Assert.AreEqual(0L, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 1, false, true, false, false, -1), "a frame awaits its ack");
            Assert.AreEqual(0L, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, true, true, false, false, -1), "an alert is active");
            Assert.AreEqual(0L, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, false, false, false, -1), "a pattern is being timed");
            Assert.AreEqual(0L, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, true, false, -1), "feedback is playing");
            Assert.AreEqual(0L, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, true, -1), "a heartbeat waits for the data path");
            Assert.AreEqual(0L, SleepPolicy.SleepForMs(DeviceKind.Fob, SleepPolicy.MinimumAwakeMs - 1, Boot, 0, false, true, false, false, -1), "just booted");
            Assert.AreEqual(0L, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, false, Later + 1000), "deadline too close to be worth it");
        }

        [TestMethod]
        public void LimitsAreExactAndADeadlineAlreadyDueNeverSleeps()
        {
            long awake = SleepPolicy.MinimumAwakeMs;
            Assert.AreEqual(long.MaxValue, SleepPolicy.SleepForMs(DeviceKind.Fob, awake, Boot, 0, false, true, false, false, -1), "awake exactly the minimum: may sleep");
            Assert.AreEqual((long)SleepPolicy.MinimumSleepMs, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, false, Later + SleepPolicy.MinimumSleepMs), "exactly the shortest sleep worth it");
            Assert.AreEqual(0L, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, false, Later + SleepPolicy.MinimumSleepMs - 1));
            Assert.AreEqual(0L, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, false, Later), "a deadline due now is handled awake");
            Assert.AreEqual(0L, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, false, Later - 5000), "an overdue deadline never turns into a sleep");
        }

        [TestMethod]
        public void TheWakePressIsReplayedAsTheFirstPress()
        {
            Assert.AreEqual("", Times(WakePress.EdgeTimes(false, true, 0, 900, 30)));
            Assert.AreEqual("0", Times(WakePress.EdgeTimes(true, true, 0, 900, 30)), "still held: the hold is timed from boot");
            Assert.AreEqual("0,900", Times(WakePress.EdgeTimes(true, false, 0, 900, 30)));
            Assert.AreEqual("0,31", Times(WakePress.EdgeTimes(true, false, 0, 10, 30)), "never shorter than the debounce");
        }

        [TestMethod]
        public void StallWatchTripsOnlyAfterTheLimit()
        {
            StallWatch w = new StallWatch(60000, 0);
            Assert.IsFalse(w.IsStalled(60000));
            Assert.IsTrue(w.IsStalled(60001));
            w.Kick(60001);
            Assert.IsFalse(w.IsStalled(100000));
        }
    }
}
