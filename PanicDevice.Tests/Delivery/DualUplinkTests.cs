using PanicDevice.Core.Counter;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Delivery;

[TestClass]
public class DualUplinkTests
{
    private sealed class Recorder : IDownlinkListener
    {
        public readonly List<byte[]> Got = new();
        public void OnDownlink(byte[] payload, long atMs) => Got.Add(payload);
    }

    private static (DualUplink Dual, FakeUplink Wifi, FakeUplink Cell, Recorder Heard) Rig(int failoverMs = 4000)
    {
        var wifi = new FakeUplink { Connected = true };
        var cell = new FakeUplink { Connected = true };
        var dual = new DualUplink(wifi, cell, failoverMs);
        var heard = new Recorder();
        dual.SetListener(heard);
        return (dual, wifi, cell, heard);
    }

    [TestMethod]
    public void AWorkingPrimaryCarriesEveryFrameAlone()
    {
        var (dual, wifi, cell, heard) = Rig();
        for (int i = 0; i < 5; i++)
        {
            long t = i * 10_000L;
            Assert.IsTrue(dual.Publish(new byte[] { (byte)i }, t));
            wifi.Listener.OnDownlink(new byte[] { 0xA0, (byte)i }, t + 300); // answered within 300 ms
            dual.Poll(t + 5_000);
        }
        Assert.HasCount(5, wifi.Published);
        Assert.IsEmpty(cell.Published, "cellular stays idle while Wi-Fi answers");
        Assert.AreEqual(0, dual.Failovers);
        Assert.HasCount(5, heard.Got, "downlinks from the primary reach the engine");
    }

    [TestMethod]
    public void APrimaryThatSaysConnectedButStaysSilentFailsOverAtTheFailoverTime()
    {
        var (dual, wifi, cell, _) = Rig(failoverMs: 4000);
        dual.Publish(new byte[] { 1 }, 0);
        dual.Poll(3_999);
        Assert.IsFalse(dual.PrimarySuspect, "not before the failover time");
        Assert.IsTrue(dual.Publish(new byte[] { 1 }, 3_999)); // an early retry still goes on Wi-Fi only
        Assert.IsEmpty(cell.Published);
        dual.Poll(4_000);
        Assert.IsTrue(dual.PrimarySuspect);
        Assert.IsTrue(dual.Publish(new byte[] { 1 }, 6_000));
        Assert.HasCount(1, cell.Published, "the retry after the failover time also goes on cellular");
        Assert.HasCount(3, wifi.Published, "Wi-Fi keeps getting the frame too, in case it comes back");
        Assert.AreEqual(1, dual.Failovers);
    }

    [TestMethod]
    public void APrimaryThatIsDownOrRefusesSendsOnTheSecondaryAtOnce()
    {
        var (dual, wifi, cell, _) = Rig();
        wifi.Connected = false;
        Assert.IsTrue(dual.Publish(new byte[] { 7 }, 100));
        Assert.IsEmpty(wifi.Published);
        Assert.HasCount(1, cell.Published);
        Assert.IsTrue(dual.PrimarySuspect);
    }

    [TestMethod]
    public void TheSecondaryIsReleasedOnceThePrimaryAnswersAgain()
    {
        var (dual, wifi, cell, heard) = Rig(failoverMs: 1000);
        dual.Publish(new byte[] { 1 }, 0);
        dual.Poll(1_000);
        Assert.IsTrue(dual.PrimarySuspect);
        cell.Listener.OnDownlink(new byte[] { 0xC1 }, 1_500); // the ack came over cellular: Wi-Fi still unproven
        Assert.IsTrue(dual.PrimarySuspect);
        wifi.Listener.OnDownlink(new byte[] { 0xA1 }, 2_000);
        Assert.IsFalse(dual.PrimarySuspect);
        dual.Publish(new byte[] { 2 }, 3_000);
        Assert.HasCount(2, wifi.Published);
        Assert.IsEmpty(cell.Published.Where(p => p[0] == 2), "a proven primary carries the next frame alone");
        Assert.HasCount(2, heard.Got, "downlinks from both paths reach the engine");
    }

    [TestMethod]
    public void NothingIsTakenWhenBothPathsAreDown()
    {
        var (dual, wifi, cell, _) = Rig();
        wifi.Connected = false;
        cell.Connected = false;
        Assert.IsFalse(dual.IsConnected);
        Assert.IsFalse(dual.Publish(new byte[] { 1 }, 0), "false tells the engine to retry later");
        cell.Connected = true;
        Assert.IsTrue(dual.IsConnected);
    }

    [TestMethod]
    public void AnAlertOverASilentWifiIsAcknowledgedOverCellularWithoutAnySms()
    {
        // The whole engine behind the dual uplink: Wi-Fi is "connected" but black-holed (router up, internet down).
        var store = new FlashRecordStore();
        store.Revive();
        var wifi = new FakeUplink { Connected = true };
        var cell = new FakeUplink { Connected = true };
        var dual = new DualUplink(wifi, cell, DualUplink.DefaultFailoverMs);
        var sms = new FakeSms();
        var options = new DeliveryOptions
        {
            DeviceId = DeviceUnderTest.Id,
            Key = DeviceUnderTest.Key,
            GuardianNumbers = new[] { "+6281200000001" },
            GatewayNumber = "+6281299999999",
        };
        var outbox = new AlertOutbox(store, AlertOutbox.DefaultCapacity);
        var engine = new DeliveryEngine(options, outbox, new MonotonicCounter(store, "counter", 8), dual, sms, new FakeLocation(),
            new FakeTelemetry(), new PlainSmsText(), new FeedbackRecorder());
        engine.Start(0);
        var toAck = new List<byte[]>();
        cell.OnPublish = toAck.Add; // the cellular path works: the receiver answers on the next turn
        engine.RaiseAlert(AlertCode.Panic, 1_000);
        long ackedAt = -1;
        for (long t = 1_000; t <= 30_000 && ackedAt < 0; t += 100)
        {
            foreach (byte[] p in toAck) cell.Listener.OnDownlink(DeviceUnderTest.AckFor(p), t);
            toAck.Clear();
            dual.Poll(t);
            engine.Poll(t);
            if (outbox.Count == 0) ackedAt = t;
        }
        Assert.IsGreaterThanOrEqualTo(0, ackedAt, "the alert was never acknowledged");
        Assert.IsLessThan(options.SmsDeadlineMs, ackedAt - 1_000, "acknowledged before the SMS deadline");
        Assert.IsEmpty(sms.Messages, "no SMS: the data path worked, over cellular");
        Assert.IsNotEmpty(wifi.Published, "Wi-Fi was tried first");
        Assert.IsNotEmpty(cell.Published);
        Assert.AreEqual(MessageKind.Alert, DeviceUnderTest.Decode(cell.Published[0]).Kind);
    }
}
