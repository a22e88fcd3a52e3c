using PanicDevice.Core.Calls;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Delivery;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Calls
{
    /// <summary>Calls inside the delivery engine: after the SMS, stopped by an operator, out of the way of frames, reported in signed Call frames.</summary>
    [TestClass]
    public class CallDeliveryTests
    {
        private static DeviceUnderTest WithCalls(VoiceFake voice)
        {
            DeviceUnderTest d = new DeviceUnderTest();
            CallOptions o = new CallOptions();
            o.Enabled = true;
            d.Engine.UseCalls(new CallCascade(o, voice, d.Options.EmergencyNumber, d.Options.GuardianNumbers));
            return d;
        }

        private static long Run(DeviceUnderTest d, long from, long ms)
        {
            for (long t = from; t < from + ms; t += 100)
            {
                d.Engine.Poll(t);
            }
            return from + ms;
        }

        [TestMethod]
        public void TheTextsGoFirstThenTheEmergencyNumberIsCalledAndAnAnswerIsReported()
        {
            VoiceFake voice = new VoiceFake();
            DeviceUnderTest d = WithCalls(voice);
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            long now = Run(d, 0, d.Options.SmsDeadlineMs - 100);
            Assert.AreEqual(0, voice.Placed.Count, "no call while the data path may still answer");
            Assert.AreEqual("", d.Sms.Numbers);
            now = Run(d, now, 300);
            Assert.IsTrue(d.Sms.CountTo("112") == 1, "the SMS is queued first: " + d.Sms.Numbers);
            Assert.AreEqual("112", voice.Numbers, "then the call");
            voice.Answers();
            now = Run(d, now, 300);
            // The data path is down: the report waits in the outbox, signed, for the link to come back.
            Assert.AreEqual(2, d.Outbox.Count, "alert and call report");
            d.Uplink.Connected = true;
            now = Run(d, now, 300);
            Assert.AreEqual(1, d.Uplink.CountOf(MessageKind.Call));
            Frame report = null;
            for (int i = 0; i < d.Uplink.Published.Count; i++)
            {
                Frame f = DeviceUnderTest.Decode(d.Uplink.Payload(i));
                if (f.Kind == MessageKind.Call)
                {
                    report = f;
                }
            }
            Assert.AreEqual((int)CallReport.Code(CallEvent.EmergencyConnected, 0), (int)report.Code);
        }

        [TestMethod]
        public void AnOperatorTakingTheAlertStopsTheCalls()
        {
            VoiceFake voice = new VoiceFake();
            DeviceUnderTest d = WithCalls(voice);
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            long now = Run(d, 0, d.Options.SmsDeadlineMs + 200);
            voice.Ends(PanicDevice.Core.Calls.CallEnd.Busy);
            now = Run(d, now, 6000);
            Assert.AreEqual(2, voice.Placed.Count, "112 busy, then the first guardian");
            voice.Rings();
            d.Uplink.Connected = true;
            now = Run(d, now, 200);
            byte[] alert = d.Uplink.Payload(0);
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.OperatorAcknowledged), now);
            now = Run(d, now, 600000);
            Assert.IsTrue(voice.Call(1).HungUpAtMs > 0, "the ringing guardian call ends");
            Assert.AreEqual(2, voice.Placed.Count, "no one else is called");
            Assert.IsFalse(d.Engine.Calls.Running);
        }

        [TestMethod]
        public void ANewAlertDuringACallHangsUpAndItsFrameGoesAtOnce()
        {
            VoiceFake voice = new VoiceFake();
            DeviceUnderTest d = WithCalls(voice);
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            long now = Run(d, 0, d.Options.SmsDeadlineMs + 200);
            voice.Answers();
            now = Run(d, now, 5000);
            d.Uplink.Connected = true;
            int before = d.Uplink.CountOf(MessageKind.Alert);
            d.Engine.RaiseAlert(AlertCode.Panic, now); // pressed again while 112 is on the line
            Assert.IsTrue(voice.Call(0).HungUpAtMs == now, "hung up in the same step");
            Assert.IsTrue(d.Uplink.CountOf(MessageKind.Alert) > before, "the new alert frame is published at once");
        }

        [TestMethod]
        public void CallReportsNeverCrowdAlertsOutOfTheOutbox()
        {
            VoiceFake voice = new VoiceFake();
            DeviceUnderTest d = WithCalls(voice);
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            for (int i = 0; i < 10; i++)
            {
                d.Engine.OnCallReport(CallEvent.ListenedIn, 1, 100 + i);
            }
            Assert.AreEqual(1 + DeliveryEngineCallLimit(), d.Outbox.Count, "the alert and the newest reports");
            Assert.IsTrue(d.Engine.RaiseAlert(AlertCode.Panic, 1000) != 0, "a new alert still finds a slot");
        }

        private static int DeliveryEngineCallLimit()
        {
            return PanicDevice.Core.Delivery.DeliveryEngine.MaxWaitingCallReports;
        }
    }
}
