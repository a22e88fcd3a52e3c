using PanicDevice.Core.Power;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Tests.Power;

[TestClass]
public class BatteryGaugeTests
{
    /// <summary>The ADC ratio the board's divider gives for a cell voltage (2× divider, 3,100 mV full scale).</summary>
    private static double RatioFor(int cellMv) => cellMv / 2.0 / 3100.0;

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
        Assert.AreEqual(percent, BatteryGauge.PercentOf(mv));
    }

    [TestMethod]
    public void PercentIsMonotonicInVoltage()
    {
        int last = -1;
        for (int mv = 3000; mv <= 4400; mv += 5)
        {
            int p = BatteryGauge.PercentOf(mv);
            Assert.IsGreaterThanOrEqualTo(last, p, $"{mv} mV gave {p} % after {last} %");
            last = p;
        }
    }

    [TestMethod]
    public void UnknownUntilTheFirstGoodReadingThenTheMeanOfTheWindow()
    {
        var g = BatteryGauge.ForBoard();
        Assert.AreEqual(Frame.UnknownBattery, g.Percent);
        Assert.AreEqual(-1, g.Millivolts);
        g.AddReading(RatioFor(4000));
        Assert.AreEqual(4000, g.Millivolts, 2);
        g.AddReading(RatioFor(3800));
        Assert.AreEqual(3900, g.Millivolts, 2, "two readings averaged");
        for (int i = 0; i < BatteryGauge.Window; i++) g.AddReading(RatioFor(3700));
        Assert.AreEqual(3700, g.Millivolts, 2, "older readings leave the window");
    }

    [TestMethod]
    [DataRow(double.NaN)]
    [DataRow(-0.1)]
    [DataRow(1.5)]
    [DataRow(0.0)]      // a shorted or floating-low pin: 0 V is no cell
    [DataRow(0.9)]      // 5.6 V: no single cell
    public void ReadingsNoCellCanGiveAreRefused(double ratio)
    {
        var g = BatteryGauge.ForBoard();
        g.AddReading(ratio);
        Assert.AreEqual(1, g.Rejected);
        Assert.AreEqual(Frame.UnknownBattery, g.Percent);
    }

    [TestMethod]
    public void LowFlagHasHysteresisSoASagCannotMakeItFlap()
    {
        var g = new BatteryGauge(3100, 2000, 20);
        void Fill(int mv) { for (int i = 0; i < BatteryGauge.Window; i++) g.AddReading(RatioFor(mv)); }
        Fill(3800);
        Assert.IsFalse(g.Low);
        Fill(3725); // ~19 %
        Assert.IsTrue(g.Low);
        Fill(3760); // 28 %: more than 5 points above the threshold
        Assert.IsFalse(g.Low, "more than 5 points above the threshold clears it");
        Fill(3725);
        Assert.IsTrue(g.Low);
        Fill(3745); // ~24 %: above the threshold, inside the hysteresis band
        Assert.IsTrue(g.Low, "inside the band it stays low");
    }
}
