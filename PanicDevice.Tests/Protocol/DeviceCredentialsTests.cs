using System;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

/// <summary>
/// The MQTT password rules that need no document (its documented value is checked by ProtocolVectorTests
/// on the host and by SigningKeyTests on both runtimes).
/// </summary>
[TestClass]
public class DeviceCredentialsTests
{
    [TestMethod]
    public void PasswordsDifferPerKeyAndOtherKeyLengthsAreRefused()
    {
        string password = DeviceCredentials.MqttPassword(SampleFrames.Key(0));
        Assert.AreEqual(32, password.Length, "24 bytes of base64 are 32 characters");
        Assert.AreNotEqual(password, DeviceCredentials.MqttPassword(SampleFrames.Key(1)), "two keys gave one password");
        Expect.Throws(typeof(ArgumentException), () => DeviceCredentials.MqttPassword(new byte[16]), "16-byte key");
        Expect.Throws(typeof(ArgumentException), () => DeviceCredentials.MqttPassword(new byte[31]), "31-byte key");
        Expect.Throws(typeof(ArgumentException), () => DeviceCredentials.MqttPassword(new byte[33]), "33-byte key");
        Expect.Throws(typeof(ArgumentException), () => DeviceCredentials.MqttPassword(null), "no key");
    }

    [TestMethod]
    public void PasswordLabelCanNeverBeTheSignedPartOfAFrame()
    {
        // One key signs frames and derives the password: if the label could be a frame's signed bytes, a
        // captured frame's tag would hand out the broker password. Signed bytes start with the version byte
        // and are MinFrameLength - TagLength .. MaxFrameLength - TagLength long.
        byte[] label = Hex.Ascii(DeviceCredentials.MqttPasswordLabel);
        bool frameLength = label.Length >= FrameCodec.MinFrameLength - FrameCodec.TagLength && label.Length <= FrameCodec.MaxFrameLength - FrameCodec.TagLength;
        Assert.IsFalse(label[0] == FrameCodec.Version && frameLength, "the password label has the shape of a frame's signed bytes");
    }
}
