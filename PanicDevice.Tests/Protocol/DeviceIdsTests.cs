using System;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol
{
    /// <summary>The device-id rule of docs/protocol.md, "Device ids", whose one home is DeviceIds.</summary>
    [TestClass]
    public class DeviceIdsTests
    {
        [TestMethod]
        [DataRow("a")]
        [DataRow("7")]
        [DataRow("fob-0001")]
        [DataRow("wall.kiosk_17")]
        [DataRow(".fob")]
        [DataRow("fob.")]
        [DataRow("..a")]
        [DataRow("-")]
        [DataRow("_")]
        [DataRow("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")]
        public void IdsOfTheAlphabetWithMoreThanDotsNameADevice(string id)
        {
            Assert.IsNull(DeviceIds.Problem(id), "\"" + id + "\": " + DeviceIds.Problem(id));
            Assert.IsNull(DeviceIds.WireProblem(id), "\"" + id + "\" on the wire");
        }

        [TestMethod]
        [DataRow(".")]
        [DataRow("..")]
        [DataRow("...")]
        [DataRow("................................")]
        public void IdsOfDotsOnlyNameNoDevice(string id)
        {
            // "." and ".." are path steps: /api/devices/../revoke reaches /api/revoke, so the device could never be revoked.
            Expect.Contains("must not be only dots", DeviceIds.Problem(id), "\"" + id + "\"");
        }

        [TestMethod]
        [DataRow("")]
        [DataRow("fob 1")]
        [DataRow("fob:wifi")]
        [DataRow("fob/1")]
        [DataRow("fob+")]
        [DataRow("fob#")]
        [DataRow("$SYS")]
        [DataRow("fob\u0141")]
        [DataRow("fob\u00e9")]
        [DataRow("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456")]
        public void IdsOutsideTheAlphabetOrTheLengthAreRefusedEverywhere(string id)
        {
            // U+0141 has the low byte 0x41 ('A'): a check on (byte)c alone would let it through.
            Assert.IsNotNull(DeviceIds.Problem(id), "\"" + id + "\"");
            Assert.IsNotNull(DeviceIds.WireProblem(id), "\"" + id + "\" on the wire");
        }

        [TestMethod]
        public void ANullIdIsRefusedWithTheLength()
        {
            Expect.Contains("must be 1..32 characters", DeviceIds.Problem(null));
            Expect.Contains("must be 1..32 characters", DeviceIds.WireProblem(null));
        }

        [TestMethod]
        public void TheAlphabetIsLettersDigitsDashUnderscoreAndDot()
        {
            // Everything else stays out: '+' '#' '/' (MQTT topics), ':' (Topics.WifiClientId), '$', space, non-ASCII.
            for (int c = 0; c < 0x3000; c++)
            {
                bool expected = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
                Assert.AreEqual(expected, DeviceIds.IsIdChar((char)c), "character " + c.ToString());
            }
        }

        [TestMethod]
        public void ADeviceNamedBeforeDotsOnlyWasRefusedStillReachesTheReceiverAndIsAnswered()
        {
            // Such a device may be in the field: its frames, its topic and the receiver's acknowledgement keep working.
            byte[] key = SampleFrames.Key(0);
            DecodeResult alert = FrameCodec.DecodeAndVerify(FrameCodec.Encode(SampleFrames.Alert(".."), key), key);
            Assert.AreEqual((int)DecodeStatus.Ok, (int)alert.Status, alert.Detail);
            Assert.AreEqual("..", alert.Frame.DeviceId);
            Assert.AreEqual("..", Topics.DeviceIdOf(Topics.Uplink("..")));
            DecodeResult ack = FrameCodec.DecodeAndVerify(FrameCodec.Encode(Frame.AckFor(alert.Frame, 1795000001), key), key);
            Assert.AreEqual((int)DecodeStatus.Ok, (int)ack.Status, ack.Detail);
        }
    }
}
