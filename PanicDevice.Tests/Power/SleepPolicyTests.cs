using PanicDevice.Core.Config;
using PanicDevice.Core.Power;
using PanicDevice.Core.Time;

namespace PanicDevice.Tests.Power;

[TestClass]
public class SleepPolicyTests
{
    private const long Boot = 0;
    private const long Later = 60_000;

    [TestMethod]
    public void AnIdleFobSleepsUntilItsNextDeadline()
    {
        Assert.AreEqual(3_600_000 - Later, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, false, 3_600_000));
        Assert.AreEqual(long.MaxValue, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, false, -1));
    }

    [TestMethod]
    public void AnythingInFlightKeepsItAwake()
    {
        Assert.AreEqual(0, SleepPolicy.SleepForMs(DeviceKind.Wall, Later, Boot, 0, false, true, false, false, -1), "wall units never sleep");
        Assert.AreEqual(0, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 1, false, true, false, false, -1), "a frame awaits its ack");
        Assert.AreEqual(0, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, true, true, false, false, -1), "an alert is active");
        Assert.AreEqual(0, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, false, false, false, -1), "a pattern is being timed");
        Assert.AreEqual(0, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, true, false, -1), "feedback is playing");
        Assert.AreEqual(0, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, true, -1), "a heartbeat waits for the data path");
        Assert.AreEqual(0, SleepPolicy.SleepForMs(DeviceKind.Fob, SleepPolicy.MinimumAwakeMs - 1, Boot, 0, false, true, false, false, -1), "just booted");
        Assert.AreEqual(0, SleepPolicy.SleepForMs(DeviceKind.Fob, Later, Boot, 0, false, true, false, false, Later + 1000), "deadline too close to be worth it");
    }

    [TestMethod]
    public void TheWakePressIsReplayedAsTheFirstPress()
    {
        CollectionAssert.AreEqual(Array.Empty<long>(), WakePress.EdgeTimes(false, true, 0, 900, 30));
        CollectionAssert.AreEqual(new long[] { 0 }, WakePress.EdgeTimes(true, true, 0, 900, 30), "still held: the hold is timed from boot");
        CollectionAssert.AreEqual(new long[] { 0, 900 }, WakePress.EdgeTimes(true, false, 0, 900, 30));
        CollectionAssert.AreEqual(new long[] { 0, 31 }, WakePress.EdgeTimes(true, false, 0, 10, 30), "never shorter than the debounce");
    }

    [TestMethod]
    public void StallWatchTripsOnlyAfterTheLimit()
    {
        var w = new StallWatch(60_000, 0);
        Assert.IsFalse(w.IsStalled(60_000));
        Assert.IsTrue(w.IsStalled(60_001));
        w.Kick(60_001);
        Assert.IsFalse(w.IsStalled(100_000));
    }
}
