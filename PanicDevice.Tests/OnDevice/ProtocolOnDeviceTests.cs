using PanicDevice.Core.Sms;

namespace PanicDevice.Tests.OnDevice
{
    /// <summary>
    /// The SMS checks of the old device-only protocol tests, waiting for the Sms folder's conversion to shared
    /// tests. The protocol checks that were here (RFC 4231 case 2, the CRC-32 check value, the alert-gnss
    /// vector) now run on both runtimes from Protocol/ and Counter/.
    /// </summary>
    [TestClass]
    public class ProtocolOnDeviceTests
    {
        [TestMethod]
        public void CoordinatesPrintExactlyForTheSms()
        {
            Assert.AreEqual("-6.175392", AlertSmsComposer.DegreesE7(-61753924));
            Assert.AreEqual("106.827153", AlertSmsComposer.DegreesE7(1068271528));
            Assert.AreEqual("0.000000", AlertSmsComposer.DegreesE7(-4));
        }

        [TestMethod]
        public void SmsPduMatchesThePublishedHellohelloVector()
        {
            SmsPdu[] parts = SmsPduEncoder.Encode("+46708251358", "hellohello", 1);
            Assert.AreEqual(1, parts.Length);
            Assert.AreEqual("0011000B916407281553F80000AA0AE8329BFD4697D9EC37", parts[0].Hex);
            Assert.AreEqual(23, parts[0].TpduLength);
        }
    }
}
