using PanicDevice.Core.Protocol;

namespace PanicDevice.Tests.Protocol;

/// <summary>
/// The topic names of docs/protocol.md and docs/mosquitto/pd-acl, and the parsing the receiver relies on to
/// tie a message to the device whose topic it came on.
/// </summary>
[TestClass]
public class TopicsTests
{
    [TestMethod]
    public void TopicsAreTheDocumentedOnes()
    {
        Assert.AreEqual("pd/v1/fob-0001/up", Topics.Uplink("fob-0001"));
        Assert.AreEqual("pd/v1/fob-0001/ack", Topics.Downlink("fob-0001"));
        Assert.AreEqual("pd/v1/fob-0001/presence", Topics.Presence("fob-0001"));
        Assert.AreEqual("pd/v1/+/up", Topics.AllUplinks);
        Assert.AreEqual("$share/pd-receivers/pd/v1/+/up", Topics.SharedAllUplinks);
    }

    [TestMethod]
    public void DeviceIdOfGivesBackTheIdOfEveryUplinkAndPresenceTopic()
    {
        string[] ids = { "a", "fob-0001", "wall.kiosk_17", "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345" };
        for (int i = 0; i < ids.Length; i++)
        {
            Assert.AreEqual(ids[i], Topics.DeviceIdOf(Topics.Uplink(ids[i])), "uplink of " + ids[i]);
            Assert.AreEqual(ids[i], Topics.DeviceIdOf(Topics.Presence(ids[i])), "presence of " + ids[i]);
        }
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("pd/v1/")]
    [DataRow("pd/v1//up")]
    [DataRow("pd/v1/fob-0001")]
    [DataRow("pd/v2/fob-0001/up")]
    [DataRow("PD/v1/fob-0001/up")]
    [DataRow("x/pd/v1/fob-0001/up")]
    [DataRow("pd/v1/fob-0001/up/extra")]
    [DataRow("pd/v1/site/fob-0001/up")]
    [DataRow("pd/v1/+/up")]
    [DataRow("pd/v1/#")]
    [DataRow("pd/v1/fob 1/up")]
    [DataRow("pd/v1/fob:wifi/up")]
    [DataRow("pd/v1/fob\u0141/up")]
    [DataRow("pd/v1/ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456/up")]
    public void DeviceIdOfRefusesTopicsThatNameNoSingleValidDevice(string topic)
    {
        // U+0141 has the low byte 0x41 ('A'): an id check on (byte)c alone would let it through as "fobA".
        Assert.IsNull(Topics.DeviceIdOf(topic), "\"" + topic + "\" gave a device id");
    }

    [TestMethod]
    public void DeviceIdOfRefusesNull()
    {
        Assert.IsNull(Topics.DeviceIdOf(null));
    }

    [TestMethod]
    public void ADeviceLogsInWithItsIdOrItsWifiClientIdAndNothingElse()
    {
        Assert.AreEqual("fob-0001", Topics.DeviceOfClient("fob-0001", "fob-0001"), "cellular client id");
        Assert.AreEqual("fob-0001:wifi", Topics.WifiClientId("fob-0001"));
        Assert.AreEqual("fob-0001", Topics.DeviceOfClient(Topics.WifiClientId("fob-0001"), "fob-0001"), "Wi-Fi client id");
        Assert.IsNull(Topics.DeviceOfClient("fob-0002", "fob-0001"), "another device's id");
        Assert.IsNull(Topics.DeviceOfClient("fob-0002:wifi", "fob-0001"), "another device's Wi-Fi id");
        Assert.IsNull(Topics.DeviceOfClient("fob-0001:wifi2", "fob-0001"), "an invented suffix");
        Assert.IsNull(Topics.DeviceOfClient("", ""), "empty user name");
        Assert.IsNull(Topics.DeviceOfClient(null, "fob-0001"), "no client id");
        Assert.IsNull(Topics.DeviceOfClient("fob-0001", null), "no user name");
        // The suffix's ':' is outside the id alphabet, so a Wi-Fi client id is never some other device's id.
        Assert.IsFalse(FrameCodec.IsDeviceIdChar((byte)':'), "':' is a device id character");
    }
}
