using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Dispatch.Dc09;

namespace PanicDevice.Tests.Dispatch;

/// <summary>Which Contact ID event each PanicDevice event is (issue 18 item 2; the table in docs/arc.md).</summary>
[TestClass]
public class ContactIdMappingTests
{
    [TestMethod]
    [DataRow(MessageKind.Alert, AlertCode.Panic, "#1234|1120 01 007")]
    [DataRow(MessageKind.Alert, AlertCode.HoldUp, "#1234|1122 01 007")]
    [DataRow(MessageKind.Alert, AlertCode.Test, "#1234|1601 01 007")]
    [DataRow(MessageKind.Alert, AlertCode.ButtonFault, "#1234|1380 01 007")]
    [DataRow(MessageKind.Cancel, AlertCode.Cancel, "#1234|1406 01 007")]
    [DataRow(MessageKind.Cancel, AlertCode.DuressCancel, "#1234|1121 01 007")]
    [DataRow(MessageKind.Heartbeat, AlertCode.None, "#1234|1602 01 007")]
    public void EachFrameIsItsContactIdEvent(MessageKind kind, AlertCode code, string data)
    {
        Frame f = Frame.Create(kind, "shop-0001", 9, (byte)code);
        Assert.AreEqual(data, ContactIdMapping.ForFrame(f, 1, 7)!.Value.Data("1234"));
    }

    [TestMethod]
    public void AFollowUpPositionIsNoEventOfItsOwn()
    {
        Assert.IsNull(ContactIdMapping.ForFrame(Frame.Create(MessageKind.Update, "fob-1", 3, (byte)AlertCode.Panic), 1, 1));
    }

    [TestMethod]
    public void MainsBatteryAndTamperRaiseOnTheirEdgeAndRestoreOnTheWayBack()
    {
        byte onMains = FrameFlags.ExternalPower;
        Assert.AreEqual("", Codes(ContactIdMapping.ForFlagChange(onMains, onMains, DeviceKind.Wall, 1, 2)), "nothing changed, nothing sent");
        Assert.AreEqual("1301", Codes(ContactIdMapping.ForFlagChange(onMains, 0, DeviceKind.Wall, 1, 2)), "mains lost");
        Assert.AreEqual("3301", Codes(ContactIdMapping.ForFlagChange(0, onMains, DeviceKind.Wall, 1, 2)), "mains back");
        Assert.AreEqual("", Codes(ContactIdMapping.ForFlagChange(onMains, 0, DeviceKind.Fob, 1, 2)), "a fob leaving its charger has lost no mains");
        Assert.AreEqual("1302 1137", Codes(ContactIdMapping.ForFlagChange(0, (byte)(FrameFlags.LowBattery | FrameFlags.Tamper), DeviceKind.Fob, 1, 2)));
        Assert.AreEqual("3302 3137", Codes(ContactIdMapping.ForFlagChange((byte)(FrameFlags.LowBattery | FrameFlags.Tamper), 0, DeviceKind.Fob, 1, 2)));
        Assert.AreEqual("1301 3137", Codes(ContactIdMapping.ForFlagChange((byte)(onMains | FrameFlags.Tamper), 0, DeviceKind.Wall, 1, 2)));
    }

    [TestMethod]
    public void ASilentDeviceIsALossOfSupervisionUntilItSpeaksAgain()
    {
        Assert.AreEqual('1', ContactIdMapping.ForSupervision("device-silent", true, 1, 3)!.Value.Qualifier);
        Assert.AreEqual(381, ContactIdMapping.ForSupervision("device-silent", true, 1, 3)!.Value.Code);
        Assert.AreEqual("#ABC|3381 01 003", ContactIdMapping.ForSupervision("device-silent", false, 1, 3)!.Value.Data("ABC"));
        Assert.AreEqual(302, ContactIdMapping.ForSupervision("low-battery", true, 1, 3)!.Value.Code);
        Assert.IsNull(ContactIdMapping.ForSupervision("something-new", true, 1, 3));
    }

    [TestMethod]
    public void AZoneOrPartitionOutsideContactIdIsRefused()
    {
        Frame f = Frame.Create(MessageKind.Alert, "fob-1", 1, (byte)AlertCode.Panic);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ContactIdMapping.ForFrame(f, 100, 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ContactIdMapping.ForFrame(f, 1, 1000));
    }

    private static string Codes(IReadOnlyList<ContactIdEvent> events) => string.Join(" ", events.Select(e => e.Qualifier + e.Code.ToString("D3")));
}
