using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

/// <summary>
/// Every call that signs or checks with the device key leaves the caller's key array as it was, so the next
/// call with the same array signs alike. nanoFramework's HMACSHA256(byte[] key) keeps the caller's array and
/// its Dispose() clears it: a device that signed through it sent its first frame correctly and every later
/// one under a key of zeros. The device holds one key array for its whole run, as these tests do.
/// </summary>
[TestClass]
public class SigningKeyTests
{
    /// <summary>The MQTT password docs/protocol.md gives for the key 00..1f.</summary>
    private const string DocumentedPassword = "/RhPFsEWLeLCBmf9N/78d+W7d4i/zdFn";

    [TestMethod]
    public void ComputeTagLeavesTheKeyUnchangedAndSignsAlikeTwice()
    {
        byte[] key = SampleFrames.Key(0);
        byte[] signed = Hex.Bytes(AlertGnssVector.SignedHex);
        byte[] first = FrameSigner.ComputeTag(key, signed, signed.Length);
        Expect.SameBytes(SampleFrames.Key(0), key, "ComputeTag changed the caller's key");
        byte[] second = FrameSigner.ComputeTag(key, signed, signed.Length);
        Expect.SameBytes(first, second, "a second tag with the same key array differs from the first");
        Assert.AreEqual(AlertGnssVector.TagHex, Hex.Of(second), "the tag is the documented one");
    }

    [TestMethod]
    public void EncodeLeavesTheKeyUnchangedAndSignsAlikeTwice()
    {
        byte[] key = SampleFrames.Key(0);
        byte[] first = FrameCodec.Encode(AlertGnssVector.Fields(), key);
        Expect.SameBytes(SampleFrames.Key(0), key, "Encode changed the caller's key");
        byte[] second = FrameCodec.Encode(AlertGnssVector.Fields(), key);
        Expect.SameBytes(first, second, "the second frame encoded with the same key array differs from the first");
        Assert.AreEqual(AlertGnssVector.SignedHex + AlertGnssVector.TagHex, Hex.Of(second), "the frame is the documented one");
    }

    [TestMethod]
    public void DecodeAndVerifyLeavesTheKeyAndTheFrameUnchangedAndVerifiesAlikeTwice()
    {
        byte[] key = SampleFrames.Key(0);
        byte[] wire = Hex.Bytes(AlertGnssVector.SignedHex + AlertGnssVector.TagHex);
        DecodeResult first = FrameCodec.DecodeAndVerify(wire, key);
        Assert.AreEqual((int)DecodeStatus.Ok, (int)first.Status, "first verification: " + first.Detail);
        Expect.SameBytes(SampleFrames.Key(0), key, "DecodeAndVerify changed the caller's key");
        Expect.SameBytes(Hex.Bytes(AlertGnssVector.SignedHex + AlertGnssVector.TagHex), wire, "DecodeAndVerify changed the frame bytes");
        DecodeResult second = FrameCodec.DecodeAndVerify(wire, key);
        Assert.AreEqual((int)DecodeStatus.Ok, (int)second.Status, "second verification with the same key array: " + second.Detail);
    }

    [TestMethod]
    public void MqttPasswordLeavesTheKeyUnchangedAndIsAlikeTwice()
    {
        byte[] key = SampleFrames.Key(0);
        string first = DeviceCredentials.MqttPassword(key);
        Expect.SameBytes(SampleFrames.Key(0), key, "MqttPassword changed the caller's key");
        string second = DeviceCredentials.MqttPassword(key);
        Assert.AreEqual(first, second, "the second password from the same key array differs from the first");
        Assert.AreEqual(DocumentedPassword, second, "the password is the documented one");
    }
}
