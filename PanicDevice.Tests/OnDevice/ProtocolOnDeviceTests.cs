#if NANOFRAMEWORK_1_0
using nanoFramework.TestFramework;
#else
using Microsoft.VisualStudio.TestTools.UnitTesting;
#endif
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Storage;

namespace PanicDevice.Tests.OnDevice
{
    /// <summary>
    /// Core's wire format, HMAC and checksums on the runtime they ship on. This folder builds twice: in the
    /// host suite (MSTest) and as OnDevice/PanicDevice.Tests.OnDevice.nfproj (nanoFramework.TestFramework, on nanoCLR or a
    /// board), so it keeps to what both frameworks share: instance test methods without state, AreEqual /
    /// IsTrue / IsNull, no Assert.Fail, no DataRow, no LINQ or generics.
    /// </summary>
    [TestClass]
    public class ProtocolOnDeviceTests
    {
        [TestMethod]
        public void HmacSha256MatchesRfc4231TestCase2()
        {
            byte[] data = OnDeviceHex.Ascii("what do ya want for nothing?");
            string tag = OnDeviceHex.Of(FrameSigner.ComputeTag(OnDeviceHex.Ascii("Jefe"), data, data.Length));
            Assert.AreEqual("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", tag);
        }

        [TestMethod]
        public void Crc32MatchesTheCheckValue()
        {
            byte[] data = OnDeviceHex.Ascii("123456789");
            Assert.AreEqual(0xCBF43926u, Crc32.Compute(data, 0, data.Length));
        }

        [TestMethod]
        public void AlertVectorEncodesByteExactAndVerifies()
        {
            // docs/protocol.md, vector alert-gnss
            byte[] key = OnDeviceHex.Bytes("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
            Frame f = Frame.Create(MessageKind.Alert, "fob-0001", 1, (byte)AlertCode.Panic);
            f.TimeUtcSeconds = 1795000000;
            f.LatitudeE7 = -61753924;
            f.LongitudeE7 = 1068271528;
            f.AccuracyM = 8;
            f.FixAgeS = 3;
            f.Source = LocationSource.Gnss;
            f.BatteryPercent = 87;
            f.SignalDbm = -71;
            byte[] wire = FrameCodec.Encode(f, key);
            Assert.AreEqual("010108666f622d3030303100000001016afd86c0fc51b5bc3fac87a8000800030157b900"
                + "52e81bf2b57579648f9db9de4350da28d1701505ba226f4a871ed3bbc69d1b29", OnDeviceHex.Of(wire));
            Assert.AreEqual("PD1:AQEIZm9iLTAwMDEAAAABAWr9hsD8UbW8P6yHqAAIAAMBV7kAUugb8rV1eWSPnbneQ1DaKNFwFQW6Im9Khx7Tu8adGyk=", FrameText.Encode(wire));

            DecodeResult ok = FrameCodec.DecodeAndVerify(wire, key);
            Assert.IsTrue(ok.Status == DecodeStatus.Ok, "the vector verifies");
            Assert.AreEqual(-61753924, ok.Frame.LatitudeE7);

            wire[20] ^= 0x01;
            Assert.IsTrue(FrameCodec.DecodeAndVerify(wire, key).Status == DecodeStatus.BadTag, "one flipped bit is a bad tag");
        }
    }
}
