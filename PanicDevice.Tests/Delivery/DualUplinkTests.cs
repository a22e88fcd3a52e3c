using System;
using System.Collections;
using PanicDevice.Core.Counter;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Delivery
{
    [TestClass]
    public class DualUplinkTests
    {
        private sealed class Recorder : IDownlinkListener
        {
            public readonly ArrayList Got = new ArrayList();

            public void OnDownlink(byte[] payload, long atMs)
            {
                Got.Add(payload);
            }
        }

        /// <summary>Wi-Fi as the primary, cellular as the secondary, both connected; what reaches the engine is recorded.</summary>
        private sealed class Rig
        {
            public readonly FakeUplink Wifi = new FakeUplink();
            public readonly FakeUplink Cell = new FakeUplink();
            public readonly Recorder Heard = new Recorder();
            public readonly DualUplink Dual;

            public Rig(int failoverMs)
            {
                Wifi.Connected = true;
                Cell.Connected = true;
                Dual = new DualUplink(Wifi, Cell, failoverMs);
                Dual.SetListener(Heard);
            }
        }

        [TestMethod]
        public void AWorkingPrimaryCarriesEveryFrameAlone()
        {
            Rig r = new Rig(4000);
            for (int i = 0; i < 5; i++)
            {
                long t = i * 10_000L;
                Assert.IsTrue(r.Dual.Publish(new byte[] { (byte)i }, t));
                r.Wifi.Listener.OnDownlink(new byte[] { 0xA0, (byte)i }, t + 300); // answered within 300 ms
                r.Dual.Poll(t + 5_000);
            }
            Assert.AreEqual(5, r.Wifi.Published.Count);
            Assert.AreEqual(0, r.Cell.Published.Count, "cellular stays idle while Wi-Fi answers");
            Assert.AreEqual(0, r.Dual.Failovers);
            Assert.AreEqual(5, r.Heard.Got.Count, "downlinks from the primary reach the engine");
        }

        [TestMethod]
        public void APrimaryThatSaysConnectedButStaysSilentFailsOverAtTheFailoverTime()
        {
            Rig r = new Rig(4000);
            r.Dual.Publish(new byte[] { 1 }, 0);
            r.Dual.Poll(3_999);
            Assert.IsFalse(r.Dual.PrimarySuspect, "not before the failover time");
            Assert.IsTrue(r.Dual.Publish(new byte[] { 1 }, 3_999)); // an early retry still goes on Wi-Fi only
            Assert.AreEqual(0, r.Cell.Published.Count);
            r.Dual.Poll(4_000);
            Assert.IsTrue(r.Dual.PrimarySuspect);
            Assert.IsTrue(r.Dual.Publish(new byte[] { 1 }, 6_000));
            Assert.AreEqual(1, r.Cell.Published.Count, "the retry after the failover time also goes on cellular");
            Assert.AreEqual(3, r.Wifi.Published.Count, "Wi-Fi keeps getting the frame too, in case it comes back");
            Assert.AreEqual(1, r.Dual.Failovers);
        }

        [TestMethod]
        public void APrimaryThatIsDownOrRefusesSendsOnTheSecondaryAtOnce()
        {
            Rig r = new Rig(4000);
            r.Wifi.Connected = false;
            Assert.IsTrue(r.Dual.Publish(new byte[] { 7 }, 100));
            Assert.AreEqual(0, r.Wifi.Published.Count);
            Assert.AreEqual(1, r.Cell.Published.Count);
            Assert.IsTrue(r.Dual.PrimarySuspect);
        }

        [TestMethod]
        public void APrimaryThatRefusesAFrameWhileConnectedSendsItOnTheSecondaryAtOnce()
        {
            // The Wi-Fi client is up but its in-flight window is full (a stalled session): no waiting for the failover time.
            Rig r = new Rig(4000);
            r.Wifi.Refuse = true;
            Assert.IsTrue(r.Dual.Publish(new byte[] { 8 }, 100), "the secondary took it");
            Assert.AreEqual(0, r.Wifi.Published.Count);
            Assert.AreEqual(1, r.Cell.Published.Count, "refused on Wi-Fi at 100 ms, on cellular at 100 ms");
            Assert.IsTrue(r.Dual.PrimarySuspect);
            Assert.AreEqual(1, r.Dual.Failovers);
        }

        [TestMethod]
        public void TheSecondaryIsReleasedOnceThePrimaryAnswersAgain()
        {
            Rig r = new Rig(1000);
            r.Dual.Publish(new byte[] { 1 }, 0);
            r.Dual.Poll(1_000);
            Assert.IsTrue(r.Dual.PrimarySuspect);
            r.Cell.Listener.OnDownlink(new byte[] { 0xC1 }, 1_500); // the ack came over cellular: Wi-Fi still unproven
            Assert.IsTrue(r.Dual.PrimarySuspect);
            r.Wifi.Listener.OnDownlink(new byte[] { 0xA1 }, 2_000);
            Assert.IsFalse(r.Dual.PrimarySuspect);
            r.Dual.Publish(new byte[] { 2 }, 3_000);
            Assert.AreEqual(2, r.Wifi.Published.Count);
            for (int i = 0; i < r.Cell.Published.Count; i++)
            {
                Assert.AreNotEqual((byte)2, r.Cell.Payload(i)[0], "a proven primary carries the next frame alone");
            }
            Assert.AreEqual(2, r.Heard.Got.Count, "downlinks from both paths reach the engine");
        }

        [TestMethod]
        public void NothingIsTakenWhenBothPathsAreDown()
        {
            Rig r = new Rig(4000);
            r.Wifi.Connected = false;
            r.Cell.Connected = false;
            Assert.IsFalse(r.Dual.IsConnected);
            Assert.IsFalse(r.Dual.Publish(new byte[] { 1 }, 0), "false tells the engine to retry later");
            r.Cell.Connected = true;
            Assert.IsTrue(r.Dual.IsConnected);
        }

        [TestMethod]
        public void AnAlertOverASilentWifiIsAcknowledgedOverCellularWithoutAnySms()
        {
            // The whole engine behind the dual uplink: Wi-Fi is "connected" but black-holed (router up, internet down).
            FlashRecordStore store = new FlashRecordStore();
            store.Revive();
            Rig r = new Rig(DualUplink.DefaultFailoverMs);
            FakeSms sms = new FakeSms();
            DeliveryOptions options = new DeliveryOptions();
            options.DeviceId = DeviceUnderTest.Id;
            options.Key = DeviceUnderTest.Key;
            options.GuardianNumbers = new string[] { "+6281200000001" };
            options.GatewayNumber = "+6281299999999";
            AlertOutbox outbox = new AlertOutbox(store, AlertOutbox.DefaultCapacity);
            DeliveryEngine engine = new DeliveryEngine(options, outbox, new MonotonicCounter(store, "counter", 8), r.Dual, sms, new FakeLocation(),
                new FakeTelemetry(), new PlainSmsText(), new FeedbackRecorder());
            engine.Start(0);
            ArrayList toAck = new ArrayList();
            r.Cell.OnPublish = p => toAck.Add(p); // the cellular path works: the receiver answers on the next turn
            engine.RaiseAlert(AlertCode.Panic, 1_000);
            long ackedAt = -1;
            for (long t = 1_000; t <= 30_000 && ackedAt < 0; t += 100)
            {
                for (int i = 0; i < toAck.Count; i++)
                {
                    r.Cell.Listener.OnDownlink(DeviceUnderTest.AckFor((byte[])toAck[i]), t);
                }
                toAck.Clear();
                r.Dual.Poll(t);
                engine.Poll(t);
                if (outbox.Count == 0)
                {
                    ackedAt = t;
                }
            }
            Assert.IsTrue(ackedAt >= 0, "the alert was never acknowledged");
            Assert.IsTrue(ackedAt - 1_000 < options.SmsDeadlineMs, "acknowledged before the SMS deadline, at " + ackedAt.ToString());
            Assert.AreEqual(0, sms.Messages.Count, "no SMS: the data path worked, over cellular");
            Assert.IsTrue(r.Wifi.Published.Count > 0, "Wi-Fi was tried first");
            Assert.IsTrue(r.Cell.Published.Count > 0);
            Assert.AreEqual((int)MessageKind.Alert, (int)DeviceUnderTest.Decode(r.Cell.Payload(0)).Kind);
        }
    }
}
