#if NANOFRAMEWORK_1_0
using nanoFramework.TestFramework;
#else
using Microsoft.VisualStudio.TestTools.UnitTesting;
#endif
using PanicDevice.Core.Power;

namespace PanicDevice.Tests.OnDevice
{
    /// <summary>
    /// The battery arithmetic on the device's runtime: floating point and integer division must give the same
    /// state of charge there. (The Wi-Fi/cellular failover runs on the device in Delivery/DualUplinkTests.)
    /// </summary>
    [TestClass]
    public class PowerAndPathsOnDeviceTests
    {
        [TestMethod]
        public void ADividedCellVoltageReadsAsTheSameStateOfCharge()
        {
            BatteryGauge gauge = BatteryGauge.ForBoard();
            Assert.AreEqual((byte)0xFF, gauge.Percent, "unknown before the first reading");
            // 3,840 mV behind the 1:2 divider, at 3,100 mV full scale.
            gauge.AddReading(1920.0 / 3100.0);
            Assert.AreEqual(3840, gauge.Millivolts);
            Assert.AreEqual((byte)50, gauge.Percent);
            Assert.IsFalse(gauge.Low);
            gauge.AddReading(double.NaN);
            Assert.AreEqual(1, gauge.Rejected, "NaN from a broken ADC read is refused");
        }
    }
}
