using PanicDevice.Core.Power;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Power
{
    [TestClass]
    public class BatteryGaugeTests
    {
        /// <summary>The ADC ratio the board's divider gives for a cell voltage (2× divider, 3,100 mV full scale).</summary>
        private static double RatioFor(int cellMv)
        {
            return cellMv / 2.0 / 3100.0;
        }

        private static void Fill(BatteryGauge g, int mv)
        {
            for (int i = 0; i < BatteryGauge.Window; i++)
            {
                g.AddReading(RatioFor(mv));
            }
        }

        /// <summary>DataRow takes no double on nanoFramework, so the ratios that no cell can give are named here.</summary>
        private static double RatioNamed(string name)
        {
            switch (name)
            {
                case "NaN": return double.NaN;
                case "+Infinity": return double.PositiveInfinity;
                case "-Infinity": return double.NegativeInfinity;
                case "-0.1": return -0.1;
                case "1.5": return 1.5;
                case "1.0": return 1.0;
                case "0.0": return 0.0;
                case "0.9": return 0.9;
                default:
                    Expect.Fail("no ratio named " + name);
                    return 0;
            }
        }

        [TestMethod]
        [DataRow(4200, 100)]
        [DataRow(4300, 100)]
        [DataRow(3840, 50)]
        [DataRow(3730, 20)]
        [DataRow(3720, 18)]
        [DataRow(3300, 0)]
        [DataRow(3100, 0)]
        public void RestVoltageMapsOntoTheLiIonCurve(int mv, int percent)
        {
            Assert.AreEqual(percent, (int)BatteryGauge.PercentOf(mv));
        }

        [TestMethod]
        public void PercentIsMonotonicInVoltage()
        {
            int last = -1;
            for (int mv = 3000; mv <= 4400; mv += 5)
            {
                int p = BatteryGauge.PercentOf(mv);
                Assert.IsTrue(p >= last, mv.ToString() + " mV gave " + p.ToString() + " % after " + last.ToString() + " %");
                last = p;
            }
        }

        [TestMethod]
        public void UnknownUntilTheFirstGoodReadingThenTheMeanOfTheWindow()
        {
            BatteryGauge g = BatteryGauge.ForBoard();
            Assert.AreEqual(Frame.UnknownBattery, g.Percent);
            Assert.AreEqual(-1, g.Millivolts);
            g.AddReading(RatioFor(4000));
            Expect.Near(4000, g.Millivolts, 2);
            g.AddReading(RatioFor(3800));
            Expect.Near(3900, g.Millivolts, 2, "two readings averaged");
            for (int i = 0; i < BatteryGauge.Window; i++)
            {
                g.AddReading(RatioFor(3700));
            }
            Expect.Near(3700, g.Millivolts, 2, "older readings leave the window");
        }

        [TestMethod]
        [DataRow("NaN")]
        [DataRow("-0.1")]
        [DataRow("1.5")]
        [DataRow("0.0")]       // a shorted or floating-low pin: 0 V is no cell
        [DataRow("0.9")]       // 5.6 V: no single cell
        [DataRow("+Infinity")]
        [DataRow("-Infinity")]
        [DataRow("1.0")]       // the pin at full scale: 6.2 V, a broken divider
        public void ReadingsNoCellCanGiveAreRefused(string ratio)
        {
            BatteryGauge g = BatteryGauge.ForBoard();
            g.AddReading(RatioNamed(ratio));
            Assert.AreEqual(1, g.Rejected, ratio + " was taken as a reading");
            Assert.AreEqual(Frame.UnknownBattery, g.Percent);
        }

        [TestMethod]
        [DataRow(3840)]
        [DataRow(3300)]
        [DataRow(3730)]
        [DataRow(4200)]
        [DataRow(2000)]
        [DataRow(4500)]
        [DataRow(3717)]
        public void ADividedCellVoltageReadsAsTheSameStateOfCharge(int cellMv)
        {
            // The firmware hands over the ADC ratio as a double; the rounding to whole millivolts must land on the
            // same value on both runtimes, so the state of charge in a frame never depends on where it was computed.
            BatteryGauge gauge = BatteryGauge.ForBoard();
            Assert.AreEqual(Frame.UnknownBattery, gauge.Percent, "unknown before the first reading");
            gauge.AddReading((cellMv / 2.0) / 3100.0);
            Assert.AreEqual(0, gauge.Rejected, cellMv.ToString() + " mV is a cell voltage");
            Assert.AreEqual(cellMv, gauge.Millivolts);
            Assert.AreEqual(BatteryGauge.PercentOf(cellMv), gauge.Percent);
            Assert.AreEqual(BatteryGauge.PercentOf(cellMv) <= 20, gauge.Low, "low at or below 20 %");
        }

        [TestMethod]
        [DataRow(1999)]
        [DataRow(4501)]
        public void JustOutsideTheCellRangeIsRefused(int cellMv)
        {
            BatteryGauge gauge = BatteryGauge.ForBoard();
            gauge.AddReading((cellMv / 2.0) / 3100.0);
            Assert.AreEqual(1, gauge.Rejected, cellMv.ToString() + " mV was taken as a cell voltage");
            Assert.AreEqual(-1, gauge.Millivolts);
        }

        [TestMethod]
        public void LowFlagHasHysteresisSoASagCannotMakeItFlap()
        {
            BatteryGauge g = new BatteryGauge(3100, 2000, 20);
            Fill(g, 3800);
            Assert.IsFalse(g.Low);
            Fill(g, 3725); // ~19 %
            Assert.IsTrue(g.Low);
            Fill(g, 3760); // 28 %: more than 5 points above the threshold
            Assert.IsFalse(g.Low, "more than 5 points above the threshold clears it");
            Fill(g, 3725);
            Assert.IsTrue(g.Low);
            Fill(g, 3745); // ~24 %: above the threshold, inside the hysteresis band
            Assert.IsTrue(g.Low, "inside the band it stays low");
        }

        [TestMethod]
        public void LowThresholdAndHysteresisEdgesAreExact()
        {
            // 3730 mV is exactly 20 % and 3732 mV the first voltage above it; 3750 mV is 25 % and 3752 mV the first above that.
            Assert.AreEqual(20, (int)BatteryGauge.PercentOf(3730));
            Assert.AreEqual(21, (int)BatteryGauge.PercentOf(3732));
            Assert.AreEqual(25, (int)BatteryGauge.PercentOf(3750));
            Assert.AreEqual(25, (int)BatteryGauge.PercentOf(3751));
            Assert.AreEqual(26, (int)BatteryGauge.PercentOf(3752));
            BatteryGauge g = BatteryGauge.ForBoard();
            Fill(g, 3732);
            Assert.IsFalse(g.Low, "just above the threshold is not low");
            Fill(g, 3730);
            Assert.IsTrue(g.Low, "the threshold itself is low");
            Fill(g, 3750);
            Assert.IsTrue(g.Low, "exactly 5 points above still low");
            Fill(g, 3752);
            Assert.IsFalse(g.Low, "6 points above clears it");
        }
    }
}
