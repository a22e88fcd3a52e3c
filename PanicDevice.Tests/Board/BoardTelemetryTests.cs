using PanicDevice.Core.Board;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Power;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Time;

namespace PanicDevice.Tests.Board;

[TestClass]
public class BoardTelemetryTests
{
    private sealed class Sensors : IBoardSensors
    {
        public double Ratio = 3900 / 2.0 / 3100.0;
        public int Reads;
        public bool ExternalPower { get; set; }
        public bool TamperOpen { get; set; }
        public double ReadBatteryRatio() { Reads++; return Ratio; }
    }

    private sealed class Network : INetworkStatus
    {
        public int SignalDbm { get; set; } = -81;
        public uint UtcSeconds(long nowMs) => 1_795_000_000u + (uint)(nowMs / 1000);
    }

    private sealed class Clock : IClock
    {
        public long NowMs { get; set; }
    }

    private static (BoardTelemetry T, Sensors S, Clock C) Rig()
    {
        var s = new Sensors();
        var c = new Clock();
        return (new BoardTelemetry(s, BatteryGauge.ForBoard(), new Network(), c), s, c);
    }

    [TestMethod]
    public void FramesCarryBatterySignalTimeAndTheSenseInputs()
    {
        var (t, s, c) = Rig();
        Assert.AreEqual(Frame.UnknownBattery, t.BatteryPercent, "no reading yet");
        t.Poll(0);
        Assert.AreEqual(BatteryGauge.PercentOf(3900), t.BatteryPercent);
        Assert.AreEqual(-81, t.SignalDbm);
        c.NowMs = 5_000;
        Assert.AreEqual(1_795_000_005u, t.UtcSeconds);
        Assert.AreEqual(0, t.Flags);
        s.ExternalPower = true;
        s.TamperOpen = true;
        Assert.AreEqual(FrameFlags.ExternalPower | FrameFlags.Tamper, t.Flags);
    }

    [TestMethod]
    public void TheBatteryIsSampledAtItsIntervalNotEveryPoll()
    {
        var (t, s, _) = Rig();
        for (long now = 0; now < 3 * BoardTelemetry.SampleIntervalMs; now += 20) t.Poll(now);
        Assert.AreEqual(3, s.Reads);
    }

    [TestMethod]
    public void TamperPowerLossAndLowBatteryAreReportedOnceWhenTheyChange()
    {
        var (t, s, _) = Rig();
        Assert.IsFalse(t.Poll(0), "a quiet board at boot is no news");
        s.TamperOpen = true;
        Assert.IsTrue(t.Poll(20), "tamper opened");
        Assert.IsFalse(t.Poll(40), "reported once");
        s.ExternalPower = true;
        Assert.IsTrue(t.Poll(60));
        s.ExternalPower = false;
        Assert.IsTrue(t.Poll(80), "mains lost");
        s.Ratio = 3650 / 2.0 / 3100.0;
        bool reported = false;
        for (long now = 100; now < 10 * BoardTelemetry.SampleIntervalMs; now += 1000) reported |= t.Poll(now);
        Assert.IsTrue(reported, "the battery went low");
        Assert.AreNotEqual(0, t.Flags & FrameFlags.LowBattery);
    }

    [TestMethod]
    public void ABoardThatBootsWithItsEnclosureOpenSaysSoAtOnce()
    {
        var (t, s, _) = Rig();
        s.TamperOpen = true;
        Assert.IsTrue(t.Poll(0));
    }

    [TestMethod]
    public void ABoardWithoutBatterySenseReportsUnknown()
    {
        var (t, s, _) = Rig();
        s.Ratio = -1;
        t.Poll(0);
        Assert.AreEqual(Frame.UnknownBattery, t.BatteryPercent);
        Assert.AreEqual(0, t.Gauge.Rejected, "no sense input is not a bad reading");
    }
}
