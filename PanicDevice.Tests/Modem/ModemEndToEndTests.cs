using PanicDevice.Core.Delivery;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Protocol;
using PanicDevice.ModemEmulator;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Modem;

/// <summary>Press → AT commands → emulated SIM800 → real broker and receiver → signed ack back the same way.</summary>
[TestClass]
public class ModemEndToEndTests
{
    [TestMethod]
    public async Task PressReachesTheReceiverThroughTheModemAndTheAckEmptiesTheOutbox()
    {
        await using var rig = new ModemRig();
        await rig.StartReceiverAsync();
        Assert.IsTrue(rig.RunUntil(() => rig.Device.Session.IsConnected, 60), "connected: " + rig.Why);
        rig.TripleTap();
        Assert.IsTrue(rig.RunUntil(() => rig.Device.Feedback.Contains(FeedbackEvent.Acknowledged), 30), "acknowledged: " + rig.Why);
        Assert.AreEqual(0, rig.Device.App.Engine.PendingCount, "outbox empty");
        Assert.AreEqual(1, rig.FramesStored);
        Assert.IsEmpty(rig.Modem.Sms, "no SMS when the data path works");
        CollectionAssert.Contains(rig.Modem.Commands, "AT+CIPRXGET=1", "manual receive, read in hex");
    }
}
