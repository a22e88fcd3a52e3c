using System;
using System.Collections;
using PanicDevice.Core.Counter;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Delivery
{
    /// <summary>
    /// The receiver refused a frame's counter (used by other bytes, or too old: the counter restarted under the same
    /// key) and answered with a signed Resync. The device believes it only about bytes it sent and still waits on,
    /// moves its counter forward (persisted first, never back, never into the key's last values) and sends the frame
    /// again under a new counter, so the alert still gets through.
    /// </summary>
    [TestClass]
    public class CounterResyncTests
    {
        private static DeviceUnderTest Connected()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            d.Uplink.Connected = true;
            return d;
        }

        private static uint CounterOnFlash(DeviceUnderTest d)
        {
            return new MonotonicCounter(d.Store, "counter", 8).Peek();
        }

        [TestMethod]
        public void TheAlertGoesAgainUnderTheCounterTheReceiverNamesAndItsAckIsShown()
        {
            DeviceUnderTest d = Connected();
            Assert.AreEqual(1u, d.Engine.RaiseAlert(AlertCode.Panic, 1000));
            byte[] refused = d.Uplink.Payload(0);
            d.Receive(DeviceUnderTest.ResyncFor(refused, 500), 1200);

            Assert.AreEqual(2, d.Uplink.Published.Count, "the frame went out again at once");
            Frame again = DeviceUnderTest.Decode(d.Uplink.Last);
            Assert.AreEqual(500u, again.Counter, "under the counter the receiver named");
            Frame expected = DeviceUnderTest.Decode(refused);
            expected.Counter = 500;
            SampleFrames.AssertSameFields(expected, again);
            Assert.AreEqual(1, d.Outbox.Count, "one entry, re-signed");
            Assert.AreEqual(500u, DeviceUnderTest.Decode(d.Outbox.Entries()[0].Frame).Counter);
            Assert.AreEqual(FeedbackRecorder.Names(new FeedbackEvent[] { FeedbackEvent.Sending }), d.Feedback.Sequence, "a Resync is no acknowledgement");
            Assert.AreEqual(1, d.Engine.CounterResyncs);
            Assert.AreEqual(500u, d.Engine.ActiveAlertCounter, "the alert is now the re-signed frame");

            d.Receive(DeviceUnderTest.AckFor(d.Uplink.Last), 1500);
            Assert.AreEqual(0, d.Outbox.Count);
            Assert.AreEqual(FeedbackRecorder.Names(new FeedbackEvent[] { FeedbackEvent.Sending, FeedbackEvent.Acknowledged }), d.Feedback.Sequence);
            for (long t = 1500; t <= 30000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual("", d.Sms.Numbers, "acknowledged in time: no SMS");
            Assert.AreEqual(501u, d.Engine.RaiseAlert(AlertCode.Panic, 31000), "the next alert continues above the new counter");
        }

        [TestMethod]
        public void TheNewCounterIsOnFlashBeforeTheFrameGoesAgainAndSurvivesAReboot()
        {
            DeviceUnderTest d = Connected();
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            byte[] refused = d.Uplink.Payload(0);
            uint onFlashAtPublish = 0;
            d.Uplink.OnPublish = p => onFlashAtPublish = CounterOnFlash(d);
            d.Receive(DeviceUnderTest.ResyncFor(refused, 500), 100);
            Assert.IsTrue(onFlashAtPublish > 500, "the counter on flash was " + onFlashAtPublish.ToString() + " when counter 500 went out");

            DeviceUnderTest rebooted = new DeviceUnderTest(d.Store, 5000);
            rebooted.Uplink.Connected = true;
            rebooted.Engine.Poll(5000);
            Assert.AreEqual(500u, DeviceUnderTest.Decode(rebooted.Uplink.Single).Counter, "after a reboot the re-signed frame is the one delivered");
            Assert.IsTrue(rebooted.Engine.RaiseAlert(AlertCode.Panic, 5100) > 500, "and the counter continues above it");
        }

        [TestMethod]
        public void ForgedForeignStaleAndOtherBytesAnswersChangeNothing()
        {
            DeviceUnderTest d = Connected();
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            byte[] sent = d.Uplink.Payload(0);
            // Another key, another device, a counter not waiting, and a genuine answer about other bytes under this counter.
            d.Receive(DeviceUnderTest.ResyncFor(sent, 500, SampleFrames.Key(0x99)), 10);
            d.Receive(DeviceUnderTest.ResyncFor(sent, 500, null, "fob-0043"), 10);
            Frame stale = DeviceUnderTest.Decode(sent);
            stale.Counter = 77;
            d.Receive(DeviceUnderTest.ResyncFor(FrameCodec.Encode(stale, DeviceUnderTest.Key), 500), 10);
            Frame other = DeviceUnderTest.Decode(sent);
            other.Code = (byte)AlertCode.Test; // the test alert the previous life of this counter sent
            d.Receive(DeviceUnderTest.ResyncFor(FrameCodec.Encode(other, DeviceUnderTest.Key), 500), 10);

            Assert.AreEqual(4, d.Engine.RejectedDownlinks);
            Assert.AreEqual(0, d.Engine.CounterResyncs);
            Assert.AreEqual(1, d.Uplink.Published.Count, "nothing was sent again");
            Assert.AreEqual(1u, DeviceUnderTest.Decode(d.Outbox.Entries()[0].Frame).Counter, "the frame waits under its own counter");
            Assert.AreEqual(2u, d.Engine.RaiseAlert(AlertCode.Panic, 20), "the counter did not move");
        }

        [TestMethod]
        public void AnAnswerNeverMovesTheCounterBack()
        {
            DeviceUnderTest d = Connected();
            uint first = d.Engine.RaiseAlert(AlertCode.Panic, 0);
            uint cancel = d.Engine.Cancel(false, 10);
            // The receiver names a value above the refused counter but below what the device has already handed out.
            d.Receive(DeviceUnderTest.ResyncFor(d.Uplink.Payload(0), first + 1), 20);
            uint again = DeviceUnderTest.Decode(d.Uplink.Last).Counter;
            Assert.IsTrue(again > cancel, "re-signed under " + again.ToString() + ", at or below the cancel's " + cancel.ToString());
            Assert.AreEqual(1, d.Engine.CounterResyncs);
            Hashtable counters = new Hashtable();
            for (int i = 0; i < d.Uplink.Published.Count; i++)
            {
                byte[] p = d.Uplink.Payload(i);
                uint c = DeviceUnderTest.Decode(p).Counter;
                Assert.IsTrue(!counters.Contains(c) || Hex.Of((byte[])counters[c]) == Hex.Of(p), "counter " + c.ToString() + " signed two different frames");
                counters[c] = p;
            }
        }

        [TestMethod]
        public void AnAnswerIntoTheKeysLastValuesIsIgnoredAndTheAlertStillFallsBackToSms()
        {
            DeviceUnderTest d = Connected();
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            d.Receive(DeviceUnderTest.ResyncFor(d.Uplink.Payload(0), MonotonicCounter.AdvanceCeiling + 1), 10);
            Assert.AreEqual(1, d.Engine.RejectedDownlinks);
            Assert.AreEqual(1, d.Uplink.Published.Count, "nothing re-sent");
            Assert.AreEqual(2u, d.Engine.RaiseAlert(AlertCode.Panic, 20), "the counter did not jump");
            for (long t = 0; t <= 21000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.IsTrue(d.Sms.CountTo("112") >= 1, "the unanswered alert still texts at its deadline");
        }

        [TestMethod]
        public void TheSameAnswerTwiceReSendsOnce()
        {
            // The device published the frame twice before the first answer came; the receiver answers each copy.
            DeviceUnderTest d = Connected();
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            d.Engine.Poll(2000); // the first retry
            Assert.AreEqual(2, d.Uplink.Published.Count);
            byte[] answer = DeviceUnderTest.ResyncFor(d.Uplink.Payload(0), 300);
            d.Receive(answer, 2100);
            d.Receive(answer, 2101);
            Assert.AreEqual(3, d.Uplink.Published.Count, "re-sent once");
            Assert.AreEqual(1, d.Engine.CounterResyncs);
            Assert.AreEqual(1, d.Engine.RejectedDownlinks, "the second copy names a frame no longer waiting");
        }

        [TestMethod]
        public void ARefusedHeartbeatMovesTheCounterAndAFreshHeartbeatGoes()
        {
            DeviceUnderTest d = Connected();
            Assert.IsTrue(d.Engine.SendHeartbeat(0));
            byte[] answer = DeviceUnderTest.ResyncFor(d.Uplink.Payload(0), 900);
            d.Receive(answer, 10);
            Frame fresh = DeviceUnderTest.Decode(d.Uplink.Last);
            Assert.AreEqual((int)MessageKind.Heartbeat, (int)fresh.Kind);
            Assert.AreEqual(900u, fresh.Counter);
            d.Receive(answer, 11);
            Assert.AreEqual(2, d.Uplink.Published.Count, "a repeated answer sends no third heartbeat");
            Assert.AreEqual(1, d.Engine.RejectedDownlinks);
        }

        [TestMethod]
        public void StatusesForTheReSignedAlertReachTheUser()
        {
            DeviceUnderTest d = Connected();
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            byte[] refused = d.Uplink.Payload(0);
            d.Receive(DeviceUnderTest.ResyncFor(refused, 500), 10);
            byte[] resent = d.Uplink.Last;
            d.Receive(DeviceUnderTest.AckFor(refused), 20); // an ack of the refused counter (from its first life) acknowledges nothing
            Assert.AreEqual(1, d.Outbox.Count, "the re-signed frame still waits");
            d.Receive(DeviceUnderTest.AckFor(resent, AlertStatus.ResponderAssigned), 30);
            Assert.AreEqual(FeedbackRecorder.Names(new FeedbackEvent[] { FeedbackEvent.Sending, FeedbackEvent.Acknowledged, FeedbackEvent.ResponderOnTheWay }), d.Feedback.Sequence);
        }

        [TestMethod]
        public void TheGatewayGetsTheReSignedFrameWhenItsSmsHadTheRefusedOne()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            for (long t = 0; t <= 21000; t += 500)
            {
                d.Engine.Poll(t); // no data path: the deadline texts 112, the guardians and the gateway
            }
            Assert.AreEqual(1, d.Sms.CountTo(d.Options.GatewayNumber));
            int before = d.Sms.Messages.Count;
            d.Uplink.Connected = true;
            d.Engine.Poll(21500);
            byte[] refused = d.Uplink.Last;
            d.Receive(DeviceUnderTest.ResyncFor(refused, 500), 21600);
            byte[] resent = d.Uplink.Last;
            Assert.AreEqual(500u, DeviceUnderTest.Decode(resent).Counter);
            d.Uplink.Connected = false;
            for (long t = 21600; t <= 43000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual("+6281299999999", d.Sms.NumbersFrom(before), "only the gateway is texted again, the people were told already");
            Assert.AreEqual(FrameText.Encode(resent), d.Sms.Message(d.Sms.Messages.Count - 1).Text, "with the re-signed frame");
        }

        [TestMethod]
        public void PowerLossAtAnyStepOfAResyncStillDeliversTheAlertAndNeverSignsTwoFramesUnderOneCounter()
        {
            for (int operation = 0; operation < 12; operation++)
            {
                DeviceUnderTest d = Connected();
                PreviousLife receiver = new PreviousLife(499);
                d.Engine.RaiseAlert(AlertCode.Panic, 0);
                receiver.Saw(d.Uplink);
                d.Store.FailAtOperation(operation, 8);
                d.Receive(receiver.Answer(d.Uplink.Payload(0)), 100);
                bool failed = d.Store.PowerFailed;
                if (!failed)
                {
                    d.Store.FailAtOperation(-1, 0); // not reached: disarmed, so the reboot below runs on healthy flash
                }
                // What the device managed to send reached the receiver; its answers die with the device.
                for (int i = receiver.Answered(d.Uplink); i < d.Uplink.Published.Count; i++)
                {
                    receiver.Answer(d.Uplink.Payload(i));
                }
                receiver.Saw(d.Uplink);

                DeviceUnderTest after = new DeviceUnderTest(d.Store, 10000);
                after.Uplink.Connected = true;
                string where = " (power lost at storage operation " + operation.ToString() + " of the resync)";
                for (long t = 10000; t < 60000 && after.Feedback.CountOf(FeedbackEvent.Acknowledged) == 0; t += 250)
                {
                    after.Engine.Poll(t);
                    int published = after.Uplink.Published.Count;
                    for (int i = receiver.Answered(after.Uplink); i < published; i++)
                    {
                        after.Receive(receiver.Answer(after.Uplink.Payload(i)), t);
                    }
                    receiver.Saw(after.Uplink);
                }
                Assert.AreEqual(1, after.Feedback.CountOf(FeedbackEvent.Acknowledged), "the alert was never acknowledged" + where);
                Assert.AreEqual(0, after.Outbox.Count, "the outbox still holds a frame" + where);
                Assert.AreEqual(1, receiver.StoredAlerts, "the receiver stored the alert once" + where);
                if (!failed)
                {
                    break; // the resync finished before this operation: every step has been cut
                }
            }
        }

        /// <summary>
        /// A receiver that stored counters 1 … <c>used</c> from the device's previous life (other bytes): it refuses
        /// those with a Resync, stores the rest once, acks what it stored, and fails the test when one counter comes
        /// with two different frames.
        /// </summary>
        private sealed class PreviousLife
        {
            private readonly uint used;
            private readonly Hashtable stored = new Hashtable();
            // Not a Hashtable keyed by uplink: nanoFramework hashes an object through its fields, and an uplink reaches
            // itself through its engine (docs/nanoframework-runtime.md).
            private FakeUplink lastUplink;
            private int lastAnswered;
            public int StoredAlerts;

            public PreviousLife(uint used)
            {
                this.used = used;
            }

            public byte[] Answer(byte[] frame)
            {
                Frame f = DeviceUnderTest.Decode(frame);
                if (f.Counter <= used)
                {
                    return DeviceUnderTest.ResyncFor(frame, used + 1);
                }
                if (stored.Contains(f.Counter))
                {
                    Assert.AreEqual(Hex.Of((byte[])stored[f.Counter]), Hex.Of(frame), "counter " + f.Counter.ToString() + " signed two different frames");
                }
                else
                {
                    stored.Add(f.Counter, frame);
                    if (f.Kind == MessageKind.Alert)
                    {
                        StoredAlerts++;
                    }
                }
                return DeviceUnderTest.AckFor(frame);
            }

            /// <summary>How many of this uplink's publishes have been answered (a new uplink: none).</summary>
            public int Answered(FakeUplink uplink)
            {
                return uplink == lastUplink ? lastAnswered : 0;
            }

            public void Saw(FakeUplink uplink)
            {
                lastUplink = uplink;
                lastAnswered = uplink.Published.Count;
            }
        }
    }
}
