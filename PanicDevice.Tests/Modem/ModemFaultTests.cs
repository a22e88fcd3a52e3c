using PanicDevice.Bench.Engines;
using PanicDevice.Tests.Support;
using MQTTnet;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Protocol;
using PanicDevice.ModemEmulator;
using PanicDevice.Tests.Mqtt;
using PanicDevice.Tests.Receiver;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Modem;

/// <summary>
/// Every fault the emulator can show ends in delivery or in the SMS fallback, never in a hang; and
/// delivery through the modem works against both brokers. Times are device time (virtual).
/// </summary>
[TestClass]
public class ModemFaultTests
{
    private static bool Acked(ModemRig rig) => rig.Device.Feedback.Contains(FeedbackEvent.Acknowledged);

    private static bool FallbackSent(ModemRig rig) => rig.Modem.Sms.Any(s => s.Number == ModemRig.Gateway) && rig.Modem.Sms.Any(s => s.Number == ModemRig.Guardian);

    private static async Task<ModemRig> Connected(EmulatorFaults? faults = null)
    {
        var rig = new ModemRig(faults);
        await rig.StartReceiverAsync();
        Assert.IsTrue(rig.RunUntil(() => rig.Device.Session.IsConnected, 60), "connected: " + rig.Why);
        return rig;
    }

    private static void AssertDeliveredOnce(ModemRig rig, int deviceSeconds)
    {
        Assert.IsTrue(rig.RunUntil(() => Acked(rig) && rig.Device.App.Engine.PendingCount == 0, deviceSeconds), "delivered: " + rig.Why);
        Assert.AreEqual(1L, rig.FramesStored, "the alert stored exactly once");
    }

    [TestMethod]
    public async Task ModuleThatIsOffIsPoweredOnWithPwrkeyAndDelivers()
    {
        await using var rig = new ModemRig(modemAlreadyOn: false);
        await rig.StartReceiverAsync();
        rig.TripleTap();
        AssertDeliveredOnce(rig, 60);
        Assert.AreEqual(1, rig.Modem.Boots, "one PWRKEY pulse");
    }

    [TestMethod]
    public async Task SlowLinkOfOneSecondRoundTripStillDeliversBeforeTheSmsDeadline()
    {
        await using var rig = await Connected(new EmulatorFaults { RoundTripMs = 1000 });
        rig.TripleTap();
        AssertDeliveredOnce(rig, 20);
        Assert.IsEmpty(rig.Modem.Sms, "acknowledged before the 20 s deadline: no SMS");
    }

    [TestMethod]
    public async Task ConnectionDroppedMidPublishIsRepublishedAndStoredOnce()
    {
        await using var rig = await Connected(new EmulatorFaults { DropMidPublish = 1 });
        rig.TripleTap();
        AssertDeliveredOnce(rig, 30);
        Assert.AreEqual(0, rig.Modem.Faults.DropMidPublish, "the fault fired");
    }

    [TestMethod]
    public async Task ModuleRebootDuringDeliveryIsRecoveredFrom()
    {
        await using var rig = await Connected();
        rig.Device.App.OnRawButtonEdge(true, rig.Device.Now); // a 3 s hold raises the alert while held
        Assert.IsTrue(rig.RunUntil(() => rig.Modem.Commands.Any(c => c.StartsWith("AT+CIPSEND", StringComparison.Ordinal)) && rig.Device.App.Engine.PendingCount > 0, 10));
        rig.Modem.RebootNow();
        rig.Device.App.OnRawButtonEdge(false, rig.Device.Now);
        AssertDeliveredOnce(rig, 40);
        Assert.AreEqual(1, rig.Driver.UnexpectedRestarts, "the driver saw RDY and started over");
    }

    [TestMethod]
    public async Task PdpDeactivationIsFollowedByAReattach()
    {
        await using var rig = await Connected();
        rig.Modem.DeactivatePdp();
        rig.TripleTap();
        AssertDeliveredOnce(rig, 40);
        Assert.IsGreaterThanOrEqualTo(2, rig.Modem.Commands.Count(c => c == "AT+CIICR"), "GPRS brought up again");
    }

    [TestMethod]
    public async Task CmeErrorsDuringGprsBringUpClimbTheLadderAndStillDeliver()
    {
        var faults = new EmulatorFaults();
        faults.CmeErrors["AT+CIICR"] = 3;
        await using var rig = new ModemRig(faults);
        await rig.StartReceiverAsync();
        rig.TripleTap();
        Assert.IsTrue(rig.RunUntil(() => (Acked(rig) && rig.Device.App.Engine.PendingCount == 0) || FallbackSent(rig), 60), "delivered or SMS: " + rig.Why);
        AssertDeliveredOnce(rig, 60);
        Assert.IsGreaterThanOrEqualTo(1, rig.Driver.Recovery.Reattaches + rig.Driver.Recovery.Resets, "the ladder was climbed");
    }

    [TestMethod]
    public async Task LineNoiseOnTheUartEndsInDeliveryOrSms()
    {
        await using var rig = new ModemRig(new EmulatorFaults { GarbageProbability = 0.15 });
        await rig.StartReceiverAsync();
        rig.TripleTap();
        Assert.IsTrue(rig.RunUntil(() => (Acked(rig) && rig.Device.App.Engine.PendingCount == 0) || FallbackSent(rig), 120), "delivered or SMS: " + rig.Why);
        Assert.IsLessThanOrEqualTo(1L, rig.FramesStored, "never stored twice");
    }

    [TestMethod]
    public async Task HungModuleIsPowerCycledAndDelivers()
    {
        await using var rig = await Connected();
        rig.Modem.Faults.Mute = true;
        rig.TripleTap();
        Assert.IsTrue(rig.RunUntil(() => Acked(rig) && rig.Device.App.Engine.PendingCount == 0, 90), "delivered: " + rig.Why);
        Assert.AreEqual(1, rig.Driver.Recovery.PowerCycles, "power cycled once");
        Assert.AreEqual(2, rig.Modem.Boots);
    }

    [TestMethod]
    public async Task NoSimFailsFastAndDeliversOnceASimIsThere()
    {
        await using var rig = new ModemRig(new EmulatorFaults { NoSim = true });
        await rig.StartReceiverAsync();
        rig.TripleTap();
        Assert.IsTrue(rig.RunUntil(() => rig.Device.Feedback.Contains(FeedbackEvent.Failed), 120), "the user is told it failed: " + rig.Why);
        StringAssert.Contains(rig.Driver.LastError, "SIM");
        Assert.IsGreaterThanOrEqualTo(1, rig.Device.App.Engine.PendingCount, "the alert is kept");
        rig.Modem.Faults.NoSim = false; // SIM reseated
        AssertDeliveredOnce(rig, 120);
    }

    [TestMethod]
    public async Task NoRegistrationResetsTheModuleAndDeliversWhenTheNetworkReturns()
    {
        await using var rig = new ModemRig(new EmulatorFaults { NoRegistration = true });
        await rig.StartReceiverAsync();
        rig.TripleTap();
        Assert.IsTrue(rig.RunUntil(() => rig.Driver.Recovery.Resets >= 1, 120), "reset after the registration timeout: " + rig.Why);
        Assert.IsGreaterThanOrEqualTo(1, rig.Device.App.Engine.PendingCount, "the alert is kept");
        rig.Modem.Faults.NoRegistration = false;
        AssertDeliveredOnce(rig, 180);
    }

    [TestMethod]
    public async Task BrokerDownMeansSmsAtTheDeadlineThenDeliveredExactlyOnce()
    {
        await using var rig = new ModemRig(new EmulatorFaults { SmsFailures = 1 });
        rig.TripleTap();
        long pressed = rig.Device.Now;
        Assert.IsTrue(rig.RunUntil(() => FallbackSent(rig) && rig.Modem.Sms.Any(s => s.Number == "112"), 90), "SMS fallback: " + rig.Why);
        long firstSms = rig.Modem.Sms.Min(s => s.AtMs);
        Assert.IsGreaterThanOrEqualTo(pressed + 20000, firstSms, "not before the deadline");
        Assert.IsLessThan(pressed + 60000, firstSms, "soon after the deadline, despite one refused SMS");
        var human = rig.Modem.Sms.First(s => s.Number == ModemRig.Guardian).Text;
        StringAssert.StartsWith(human, "EMERGENCY: panic button pressed from Siti Rahma.");
        var gateway = rig.Modem.Sms.First(s => s.Number == ModemRig.Gateway).Text;
        Assert.AreEqual(DecodeStatus.Ok, FrameCodec.DecodeAndVerify(FrameText.ToBytes(gateway)!, ModemRig.Key).Status, "the gateway SMS carries the signed frame");

        await rig.StartReceiverAsync();
        AssertDeliveredOnce(rig, 120);
    }

    [TestMethod]
    public async Task MosquittoThroughTheModemCarriesTheFrameAndTheAck()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pd-mosq-modem-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        int port = LoopbackPorts.Free();
        using var broker = MosquittoSessionTests.StartMosquitto(ref port, dir);
        if (broker == null)
        {
            Assert.Inconclusive("mosquitto is not installed (.ci/run installs it)");
        }
        try
        {
            var received = new List<byte[]>();
            var subscriber = await MosquittoSessionTests.StartAckingReceiverAsync(port, ModemRig.Key, received);

            await using var rig = new ModemRig(brokerPort: port);
            Assert.IsTrue(rig.RunUntil(() => rig.Device.Session.IsConnected, 60), "connected to mosquitto via the modem: " + rig.Why);
            rig.TripleTap();
            Assert.IsTrue(rig.RunUntil(() => Acked(rig) && rig.Device.App.Engine.PendingCount == 0, 30), "acknowledged: " + rig.Why);
            lock (received)
            {
                Assert.HasCount(1, received);
                Assert.AreEqual(DecodeStatus.Ok, FrameCodec.DecodeAndVerify(received[0], ModemRig.Key).Status, "byte-exact through modem and broker");
            }
            await subscriber.DisconnectAsync();
        }
        finally
        {
            broker!.Kill();
            Directory.Delete(dir, true);
        }
    }
}
