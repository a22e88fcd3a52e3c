using PanicDevice.Core.Board;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Power;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Time;

namespace PanicDevice.Tests.Board
{
    [TestClass]
    public class BoardTelemetryTests
    {
        private sealed class Sensors : IBoardSensors
        {
            public double Ratio = 3900 / 2.0 / 3100.0;
            public int Reads;
            public bool ExternalPower { get; set; }
            public bool TamperOpen { get; set; }

            public double ReadBatteryRatio()
            {
                Reads++;
                return Ratio;
            }
        }

        private sealed class Network : INetworkStatus
        {
            public int SignalDbm { get; set; } = -81;

            public uint UtcSeconds(long nowMs)
            {
                return 1795000000u + (uint)(nowMs / 1000);
            }
        }

        private sealed class Clock : IClock
        {
            public long NowMs { get; set; }
        }

        /// <summary>Telemetry over stand-in sensors, network and clock, for one test.</summary>
        private sealed class Rig
        {
            public readonly Sensors S = new Sensors();
            public readonly Network N = new Network();
            public readonly Clock C = new Clock();
            public readonly BoardTelemetry T;

            public Rig()
            {
                T = new BoardTelemetry(S, BatteryGauge.ForBoard(), N, C);
            }
        }

        [TestMethod]
        public void FramesCarryBatterySignalTimeAndTheSenseInputs()
        {
            Rig rig = new Rig();
            BoardTelemetry t = rig.T;
            Assert.AreEqual(Frame.UnknownBattery, t.BatteryPercent, "no reading yet");
            t.Poll(0);
            Assert.AreEqual(BatteryGauge.PercentOf(3900), t.BatteryPercent);
            Assert.AreEqual(-81, (int)t.SignalDbm);
            rig.C.NowMs = 5000;
            Assert.AreEqual(1795000005u, t.UtcSeconds);
            Assert.AreEqual(0, (int)t.Flags);
            rig.S.ExternalPower = true;
            rig.S.TamperOpen = true;
            Assert.AreEqual(FrameFlags.ExternalPower | FrameFlags.Tamper, (int)t.Flags);
        }

        [TestMethod]
        public void TheBatteryIsSampledAtItsIntervalNotEveryPoll()
        {
            Rig rig = new Rig();
            for (long now = 0; now < 3 * BoardTelemetry.SampleIntervalMs; now += 20)
            {
                rig.T.Poll(now);
            }
            Assert.AreEqual(3, rig.S.Reads);
        }

        [TestMethod]
        public void TamperPowerLossAndLowBatteryAreReportedOnceWhenTheyChange()
        {
            Rig rig = new Rig();
            BoardTelemetry t = rig.T;
            Sensors s = rig.S;
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
            for (long now = 100; now < 10 * BoardTelemetry.SampleIntervalMs; now += 1000)
            {
                reported |= t.Poll(now);
            }
            Assert.IsTrue(reported, "the battery went low");
            Assert.AreNotEqual(0, t.Flags & FrameFlags.LowBattery);
        }

        [TestMethod]
        public void ABoardThatBootsWithItsEnclosureOpenSaysSoAtOnce()
        {
            Rig rig = new Rig();
            rig.S.TamperOpen = true;
            Assert.IsTrue(rig.T.Poll(0));
        }

        [TestMethod]
        public void ABoardWithoutBatterySenseReportsUnknown()
        {
            Rig rig = new Rig();
            rig.S.Ratio = -1;
            rig.T.Poll(0);
            Assert.AreEqual(Frame.UnknownBattery, rig.T.BatteryPercent);
            Assert.AreEqual(0, rig.T.Gauge.Rejected, "no sense input is not a bad reading");
        }
    }
}
