using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

/// <summary>A documented vector checked byte for byte on both runtimes (the device has no docs/protocol.md to read).</summary>
[TestClass]
public class EmbeddedVectorTests
{
    [TestMethod]
    public void AlertVectorEncodesByteExactAndVerifies()
    {
        byte[] key = Hex.Bytes(AlertGnssVector.KeyHex);
        byte[] wire = FrameCodec.Encode(AlertGnssVector.Fields(), key);
        Assert.AreEqual(AlertGnssVector.SignedHex + AlertGnssVector.TagHex, Hex.Of(wire), "encoded bytes");
        Assert.AreEqual(AlertGnssVector.Sms, FrameText.Encode(wire), "SMS text");

        DecodeResult ok = FrameCodec.DecodeAndVerify(wire, key);
        Assert.AreEqual((int)DecodeStatus.Ok, (int)ok.Status, "the vector verifies: " + ok.Detail);
        SampleFrames.AssertSameFields(AlertGnssVector.Fields(), ok.Frame);
        DecodeResult fromText = FrameText.Decode(AlertGnssVector.Sms);
        Assert.AreEqual((int)DecodeStatus.Ok, (int)fromText.Status, "the SMS text decodes: " + fromText.Detail);
        SampleFrames.AssertSameFields(AlertGnssVector.Fields(), fromText.Frame);

        wire[20] ^= 0x01;
        Assert.AreEqual((int)DecodeStatus.BadTag, (int)FrameCodec.DecodeAndVerify(wire, key).Status, "one flipped bit is a bad tag");
    }
}
