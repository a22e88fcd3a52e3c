using System;
using System.Collections;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Location;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Delivery
{
    [TestClass]
    public class DeliveryEngineTests
    {
        [TestMethod]
        public void AlertIsInTheOutboxBeforeItIsPublished()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            d.Uplink.Connected = true;
            int storedAtPublish = -1;
            d.Uplink.OnPublish = p => storedAtPublish = new AlertOutbox(d.Store, AlertOutbox.DefaultCapacity).Count;
            uint c = d.Engine.RaiseAlert(AlertCode.Panic, 1000);
            Assert.AreEqual(1, storedAtPublish, "the frame must already be on flash when it is first sent");
            Frame sent = DeviceUnderTest.Decode(d.Uplink.Single);
            Assert.AreEqual((int)MessageKind.Alert, (int)sent.Kind);
            Assert.AreEqual(c, sent.Counter);
            Assert.AreEqual(FeedbackRecorder.Names(new FeedbackEvent[] { FeedbackEvent.Sending }), d.Feedback.Sequence);
        }

        [TestMethod]
        public void SignedAckEmptiesTheOutboxAndTellsTheUser()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            d.Uplink.Connected = true;
            d.Engine.RaiseAlert(AlertCode.Panic, 1000);
            d.Receive(DeviceUnderTest.AckFor(d.Uplink.Payload(0)), 1500);
            Assert.AreEqual(0, d.Outbox.Count);
            Assert.AreEqual(0, d.Engine.PendingCount);
            Assert.AreEqual(FeedbackRecorder.Names(new FeedbackEvent[] { FeedbackEvent.Sending, FeedbackEvent.Acknowledged }), d.Feedback.Sequence);
            // Nothing more to publish for the alert itself, and no SMS at the deadline.
            for (long t = 1500; t <= 30_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(1, d.Uplink.Published.Count);
            Assert.AreEqual("", d.Sms.Numbers, "no SMS after the ack");
        }

        [TestMethod]
        public void ForgedForeignAndReplayedAcksAreIgnored()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            d.Uplink.Connected = true;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            byte[] alert = d.Uplink.Payload(0);
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.Received, SampleFrames.Key(0x99)), 10);
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.Received, null, "fob-0043"), 10);
            d.Receive(alert, 10); // the device's own frame reflected back
            d.Receive(new byte[] { 1, 2, 3 }, 10);
            Assert.AreEqual(1, d.Outbox.Count, "nothing was acknowledged");
            Assert.AreEqual(4, d.Engine.RejectedDownlinks);

            // A genuine ack of an earlier alert, replayed, does not acknowledge the new one.
            byte[] oldAck = DeviceUnderTest.AckFor(alert);
            d.Receive(oldAck, 20);
            Assert.AreEqual(0, d.Outbox.Count);
            d.Engine.RaiseAlert(AlertCode.Panic, 100);
            d.Receive(oldAck, 120);
            Assert.AreEqual(1, d.Outbox.Count, "the replayed ack named the old counter");
            Assert.AreEqual(1, d.Feedback.CountOf(FeedbackEvent.Acknowledged));
        }

        [TestMethod]
        public void AnOldAcksTagOnANewCounterAcknowledgesNothing()
        {
            // An attacker who recorded the ack of the first alert rewrites its counter to name the second
            // alert but cannot sign: the body is the genuine second ack's, the tag the recorded one.
            DeviceUnderTest d = new DeviceUnderTest();
            d.Uplink.Connected = true;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            byte[] first = d.Uplink.Payload(0);
            byte[] recorded = DeviceUnderTest.AckFor(first);
            d.Receive(recorded, 10);
            d.Engine.RaiseAlert(AlertCode.Panic, 100);
            byte[] second = d.Uplink.Last;
            byte[] altered = DeviceUnderTest.AckFor(second);
            Assert.AreEqual(recorded.Length, altered.Length, "both acks name the same device");
            Array.Copy(recorded, recorded.Length - FrameCodec.TagLength, altered, altered.Length - FrameCodec.TagLength, FrameCodec.TagLength);
            int rejectedBefore = d.Engine.RejectedDownlinks;
            d.Receive(altered, 110);
            Assert.AreEqual(rejectedBefore + 1, d.Engine.RejectedDownlinks, "the altered ack is counted as rejected");
            Assert.AreEqual(1, d.Outbox.Count, "the second alert still waits for a genuine ack");
            Assert.AreEqual(1, d.Feedback.CountOf(FeedbackEvent.Acknowledged), "only the first alert was acknowledged");
            d.Engine.Poll(100 + d.Options.SmsDeadlineMs);
            Assert.AreEqual(1, d.Sms.CountTo("112"), "the second alert falls back to SMS as if no ack had come");
        }

        [TestMethod]
        public void AnAckOfAFollowUpDoesNotAcknowledgeTheAlert()
        {
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o => o.FollowUpIntervalMs = 5000);
            d.Uplink.Connected = true;
            uint alert = d.Engine.RaiseAlert(AlertCode.Panic, 0);
            for (long t = 1000; t <= 5000; t += 1000)
            {
                d.Engine.Poll(t);
            }
            byte[] update = d.Uplink.Last;
            Assert.AreEqual((int)MessageKind.Update, (int)DeviceUnderTest.Decode(update).Kind, "a follow-up went out at 5 s");
            d.Receive(DeviceUnderTest.AckFor(update), 5100);
            Assert.AreEqual(0, d.Feedback.CountOf(FeedbackEvent.Acknowledged), "the receiver has the position, not (yet) the alert");
            Assert.AreEqual(alert, DeviceUnderTest.Decode(d.Outbox.Entries()[0].Frame).Counter, "the alert still waits");
            d.Engine.Poll(d.Options.SmsDeadlineMs - 1);
            Assert.AreEqual(0, d.Sms.Messages.Count);
            d.Engine.Poll(d.Options.SmsDeadlineMs);
            Assert.AreEqual(1, d.Sms.CountTo("112"), "the alert itself was never acknowledged: SMS at its deadline");
        }

        [TestMethod]
        public void NoAckByTheDeadlineSendsSmsToEmergencyGuardiansAndGateway()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            LocationFix fix = new LocationFix();
            fix.LatitudeE7 = -61753924;
            fix.LongitudeE7 = 1068271528;
            fix.AccuracyM = 9;
            fix.FixAtMs = 0;
            fix.Source = LocationSource.Gnss;
            d.Location.Fix = fix;
            d.Engine.RaiseAlert(AlertCode.Panic, 1000);
            d.Engine.Poll(1000 + d.Options.SmsDeadlineMs - 1);
            Assert.AreEqual(0, d.Sms.Messages.Count, "one millisecond before the deadline nothing is sent");
            Assert.AreEqual((long)(1000 + d.Options.SmsDeadlineMs), d.Engine.NextDeadlineMs);
            d.Engine.Poll(1000 + d.Options.SmsDeadlineMs);
            Assert.AreEqual("112 +6281200000001 +6281200000002 +6281299999999", d.Sms.Numbers);
            Expect.StartsWith("ALERT fob-0042", d.Sms.Message(0).Text);
            string gatewayText = d.Sms.Message(3).Text;
            DecodeResult fromSms = FrameText.Decode(gatewayText);
            Assert.AreEqual((int)DecodeStatus.Ok, (int)FrameCodec.DecodeAndVerify(FrameText.ToBytes(gatewayText), DeviceUnderTest.Key).Status);
            Assert.AreEqual(-61753924, fromSms.Frame.LatitudeE7);
            Assert.IsTrue(d.Feedback.CountOf(FeedbackEvent.SmsFallback) > 0, "the user is told the SMS went: " + d.Feedback.Sequence);
            // Once sent, the SMS is not repeated.
            for (long t = 21_000; t < 200_000; t += 1000)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(4, d.Sms.Messages.Count);
        }

        [TestMethod]
        public void AFailedGatewaySmsIsRetriedWithoutTextingPeopleAgain()
        {
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o => o.SmsRetryMs = 5000);
            string gateway = d.Options.GatewayNumber;
            bool gatewayWorks = false;
            d.Sms.Outcome = n => n == gateway && !gatewayWorks ? SmsSendState.Failed : SmsSendState.Sent;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            for (long t = 0; t <= 30_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.IsTrue(d.Sms.CountTo(gateway) >= 2, "the failed gateway SMS is retried");
            gatewayWorks = true;
            for (long t = 30_500; t <= 120_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(1, d.Sms.CountTo("112"), "112 got the alert once");
            Assert.AreEqual(1, d.Sms.CountTo("+6281200000001"), "each guardian got the alert once");
            Assert.AreEqual(1, d.Sms.CountTo("+6281200000002"));
            int gatewayTexts = d.Sms.CountTo(gateway);
            for (long t = 120_500; t <= 300_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(gatewayTexts, d.Sms.CountTo(gateway), "once the gateway SMS went, it stops");
            Assert.IsTrue(d.Outbox.Entries()[0].Has(OutboxEntry.HumanSmsSent | OutboxEntry.GatewaySmsSent), "both done is recorded on flash");
        }

        [TestMethod]
        public void DataPathRecoveringAfterTheFallbackStillDeliversAndAckEndsRetries()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            for (long t = 0; t <= 25_000; t += 250)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(4, d.Sms.Messages.Count);
            Assert.AreEqual(0, d.Uplink.Published.Count);
            d.Uplink.Connected = true;
            d.Engine.Poll(25_250);
            Assert.AreEqual(1, d.Uplink.Published.Count);
            d.Receive(DeviceUnderTest.AckFor(d.Uplink.Payload(0)), 25_400);
            for (long t = 25_500; t < 300_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(1, d.Uplink.CountOf(MessageKind.Alert), "after the ack the alert is not sent again");
        }

        [TestMethod]
        public void RetriesBackOffExponentiallyUpToTheCap()
        {
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o =>
            {
                o.RetryInitialMs = 1000;
                o.RetryMaxMs = 8000;
                o.SmsDeadlineMs = 1_000_000;
                o.FollowUpIntervalMs = 10_000_000;
            });
            d.Uplink.Connected = true;
            ArrayList times = new ArrayList();
            long currentTime = 0;
            d.Uplink.OnPublish = p => times.Add(currentTime);
            for (currentTime = 0; currentTime <= 40_000; currentTime += 100)
            {
                if (currentTime == 0)
                {
                    d.Engine.RaiseAlert(AlertCode.Panic, 0);
                }
                d.Engine.Poll(currentTime);
            }
            Assert.IsTrue(times.Count >= 7, "at least seven publishes in 40 s, got " + times.Count.ToString());
            string gaps = "";
            for (int i = 1; i <= 6; i++)
            {
                gaps += (i == 1 ? "" : " ") + ((long)times[i] - (long)times[i - 1]).ToString();
            }
            Assert.AreEqual("1000 2000 4000 8000 8000 8000", gaps);
        }

        [TestMethod]
        public void AlertWithoutAnyFixIsSentImmediatelyAndMarkedPositionUnknown()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            d.Uplink.Connected = true;
            d.Location.Fix = null;
            d.Engine.RaiseAlert(AlertCode.Panic, 5);
            Frame sent = DeviceUnderTest.Decode(d.Uplink.Single);
            Assert.AreEqual((int)LocationSource.None, (int)sent.Source);
            Assert.AreEqual(Frame.Unknown16, sent.AccuracyM);
        }

        [TestMethod]
        public void FixAgeIsStampedFromTheLastKnownPosition()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            d.Uplink.Connected = true;
            LocationFix fix = new LocationFix();
            fix.LatitudeE7 = 10;
            fix.LongitudeE7 = 20;
            fix.AccuracyM = 70_000;
            fix.FixAtMs = 1_000;
            fix.Source = LocationSource.Cell;
            d.Location.Fix = fix;
            d.Engine.RaiseAlert(AlertCode.Panic, 126_999);
            Frame sent = DeviceUnderTest.Decode(d.Uplink.Single);
            Assert.AreEqual((ushort)125, sent.FixAgeS);
            Assert.AreEqual(Frame.Unknown16, sent.AccuracyM, "accuracy beyond 16 bits is reported as unknown, not wrapped");
        }

        [TestMethod]
        public void TestAlertNeverTextsTheEmergencyNumber()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            d.Engine.RaiseAlert(AlertCode.Test, 0);
            d.Engine.Poll(d.Options.SmsDeadlineMs);
            Assert.AreEqual(0, d.Sms.CountTo("112"));
            Assert.IsTrue(d.Sms.CountTo(d.Options.GatewayNumber) > 0);
        }

        [TestMethod]
        public void ButtonFaultIsDeliveredButNeverTextsPeopleNorStartsAnAlert()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            uint c = d.Engine.RaiseAlert(AlertCode.ButtonFault, 0);
            Assert.AreNotEqual(0u, c);
            Assert.IsFalse(d.Engine.AlertActive);
            for (long t = 0; t <= 200_000; t += 1000)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(0, d.Sms.CountTo("112"), "no SMS to 112");
            for (int i = 0; i < d.Options.GuardianNumbers.Length; i++)
            {
                Assert.AreEqual(0, d.Sms.CountTo(d.Options.GuardianNumbers[i]), "no SMS to guardian " + d.Options.GuardianNumbers[i]);
            }
            Assert.IsTrue(d.Sms.CountTo(d.Options.GatewayNumber) > 0, "the command centre still learns of it");
            Assert.AreEqual("", d.Feedback.Sequence);
        }

        [TestMethod]
        public void FollowUpsRunWhileActiveSupersedeEachOtherAndStopWhenResolved()
        {
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o => o.FollowUpIntervalMs = 10_000);
            d.Uplink.Connected = true;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            d.Receive(DeviceUnderTest.AckFor(d.Uplink.Payload(0)), 100);
            d.Uplink.Connected = false;
            for (long t = 1000; t <= 35_000; t += 1000)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(1, d.Outbox.Count, "only the newest follow-up waits; older ones were superseded");
            d.Uplink.Connected = true;
            d.Engine.Poll(35_500);
            byte[] updateBytes = d.Uplink.Last;
            Frame update = DeviceUnderTest.Decode(updateBytes);
            Assert.AreEqual((int)MessageKind.Update, (int)update.Kind);
            Assert.AreEqual((byte)AlertCode.Panic, update.Code);

            d.Receive(DeviceUnderTest.AckFor(d.Uplink.Payload(0), AlertStatus.ResponderAssigned), 36_000);
            d.Receive(DeviceUnderTest.AckFor(d.Uplink.Payload(0), AlertStatus.Resolved), 37_000);
            Assert.IsFalse(d.Engine.AlertActive);
            int before = d.Uplink.DistinctOf(MessageKind.Update);
            for (long t = 38_000; t <= 100_000; t += 1000)
            {
                d.Engine.Poll(t);
            }
            d.Receive(DeviceUnderTest.AckFor(updateBytes), 100_001);
            int after = d.Uplink.DistinctOf(MessageKind.Update);
            Assert.AreEqual(before, after, "no new follow-ups after the alert was resolved");
            Assert.AreEqual(FeedbackRecorder.Names(new FeedbackEvent[] { FeedbackEvent.Sending, FeedbackEvent.Acknowledged, FeedbackEvent.ResponderOnTheWay, FeedbackEvent.Resolved }),
                d.Feedback.Sequence);
        }

        [TestMethod]
        [DataRow((int)AlertStatus.FalseAlarm, (int)FeedbackEvent.Resolved)]
        [DataRow((int)AlertStatus.Cancelled, (int)FeedbackEvent.Cancelled)]
        public void FollowUpsStopWhenTheCommandCentreClosesTheAlert(int status, int shown)
        {
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o => o.FollowUpIntervalMs = 10_000);
            d.Uplink.Connected = true;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            byte[] alert = d.Uplink.Payload(0);
            d.Receive(DeviceUnderTest.AckFor(alert), 100);
            for (long t = 1000; t <= 25_000; t += 1000)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(2, d.Uplink.DistinctOf(MessageKind.Update), "follow-ups at 10 s and 20 s");
            d.Receive(DeviceUnderTest.AckFor(alert, (AlertStatus)status), 25_500);
            Assert.IsFalse(d.Engine.AlertActive, "status " + status.ToString() + " ends the alert");
            Assert.AreEqual(shown, (int)d.Feedback.Last, "status " + status.ToString() + " is shown");
            for (long t = 26_000; t <= 120_000; t += 1000)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(2, d.Uplink.DistinctOf(MessageKind.Update), "no follow-up after status " + status.ToString());
        }

        [TestMethod]
        public void AnAcknowledgedFollowUpIsNotSentAgainAndTheNextOneIsNew()
        {
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o =>
            {
                o.FollowUpIntervalMs = 10_000;
                o.RetryInitialMs = 1000;
            });
            d.Uplink.Connected = true;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            d.Receive(DeviceUnderTest.AckFor(d.Uplink.Payload(0)), 100);
            d.Engine.Poll(10_000);
            byte[] first = d.Uplink.Last;
            Assert.AreEqual((int)MessageKind.Update, (int)DeviceUnderTest.Decode(first).Kind);
            d.Receive(DeviceUnderTest.AckFor(first), 10_100);
            Assert.AreEqual(0, d.Outbox.Count, "the acknowledged follow-up left the outbox");
            int published = d.Uplink.Published.Count;
            for (long t = 10_500; t < 20_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(published, d.Uplink.Published.Count, "no retry of an acknowledged follow-up");
            d.Engine.Poll(20_000);
            Frame next = DeviceUnderTest.Decode(d.Uplink.Last);
            Assert.AreEqual((int)MessageKind.Update, (int)next.Kind);
            Assert.IsTrue(next.Counter > DeviceUnderTest.Decode(first).Counter, "the next follow-up is a new frame with a new counter");
        }

        [TestMethod]
        public void LateOlderStatusIsNotShownAgain()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            d.Uplink.Connected = true;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            byte[] alert = d.Uplink.Payload(0);
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.ResponderAssigned), 10);
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.Received), 20);
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.ResponderAssigned), 30);
            Assert.AreEqual(1, d.Feedback.CountOf(FeedbackEvent.ResponderOnTheWay));
            Assert.AreEqual(1, d.Feedback.CountOf(FeedbackEvent.Acknowledged));
        }

        [TestMethod]
        public void ReceivedByTheSystemAndAnOperatorHasItAreDistinctFeedback()
        {
            // "Acknowledged" (stored) used to be the only confirmation, and a wearer reads it as "help knows".
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o => o.FollowUpIntervalMs = 10_000);
            d.Uplink.Connected = true;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            byte[] alert = d.Uplink.Payload(0);
            d.Receive(DeviceUnderTest.AckFor(alert), 100);
            Assert.AreEqual(0, d.Feedback.CountOf(FeedbackEvent.OperatorHasIt), "stored is not yet a person");
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.OperatorAcknowledged), 5_000);
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.ResponderAssigned), 6_000);
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.OperatorAcknowledged), 7_000);
            // Resolved's wire value (3) is below OperatorAcknowledged's (6): statuses are ordered by the alert's life.
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.Resolved), 8_000);
            Assert.IsFalse(d.Engine.AlertActive, "resolved after an operator took it");
            Assert.AreEqual(FeedbackRecorder.Names(new FeedbackEvent[] { FeedbackEvent.Sending, FeedbackEvent.Acknowledged, FeedbackEvent.OperatorHasIt,
                FeedbackEvent.ResponderOnTheWay, FeedbackEvent.Resolved }), d.Feedback.Sequence);
        }

        [TestMethod]
        public void AnOperatorTakingACovertAlertShowsNothing()
        {
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o => o.FollowUpIntervalMs = 10_000);
            d.Uplink.Connected = true;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            byte[] alert = d.Uplink.Payload(0);
            d.Receive(DeviceUnderTest.AckFor(alert), 50);
            d.Engine.Cancel(true, 1000);
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.OperatorAcknowledged), 2_000);
            Assert.AreEqual(0, d.Feedback.CountOf(FeedbackEvent.OperatorHasIt), "a duress cancel shows nothing that gives it away");
            Assert.AreEqual((int)FeedbackEvent.Cancelled, (int)d.Feedback.Last);
        }

        [TestMethod]
        public void DuressCancelLooksLikeACancelButKeepsSendingLocations()
        {
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o => o.FollowUpIntervalMs = 10_000);
            d.Uplink.Connected = true;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            d.Receive(DeviceUnderTest.AckFor(d.Uplink.Payload(0)), 50);
            d.Engine.Cancel(true, 1000);
            Frame cancel = DeviceUnderTest.Decode(d.Uplink.Last);
            Assert.AreEqual((int)MessageKind.Cancel, (int)cancel.Kind);
            Assert.AreEqual((byte)AlertCode.DuressCancel, cancel.Code);
            Assert.AreEqual((int)FeedbackEvent.Cancelled, (int)d.Feedback.Last, "the user (and anyone watching) sees a cancel");
            for (long t = 2000; t <= 30_000; t += 1000)
            {
                d.Engine.Poll(t);
            }
            Assert.IsTrue(d.Uplink.CountOf(MessageKind.Update) >= 2, "follow-ups continue covertly");
            d.Receive(DeviceUnderTest.AckFor(d.Uplink.Payload(0), AlertStatus.ResponderAssigned), 31_000);
            Assert.AreEqual((int)FeedbackEvent.Cancelled, (int)d.Feedback.Last, "no giveaway feedback while covert");

            DeviceUnderTest plain = new DeviceUnderTest(null, 0, o => o.FollowUpIntervalMs = 10_000);
            plain.Uplink.Connected = true;
            plain.Engine.RaiseAlert(AlertCode.Panic, 0);
            plain.Engine.Cancel(false, 1000);
            for (long t = 2000; t <= 30_000; t += 1000)
            {
                plain.Engine.Poll(t);
            }
            Assert.AreEqual(0, plain.Uplink.CountOf(MessageKind.Update), "a real cancel stops follow-ups");
        }

        [TestMethod]
        public void DuressCancelBeforeAnyAckStillTextsForHelpButShowsNothingMore()
        {
            // No data path: the coerced user cancels before the deadline. Help must still be asked for by SMS,
            // but the device must not show the SMS fallback, nor the ack when the data path comes back.
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o => o.FollowUpIntervalMs = 10_000);
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            d.Engine.Cancel(true, 1000);
            Assert.AreEqual((int)FeedbackEvent.Cancelled, (int)d.Feedback.Last);
            int shown = d.Feedback.Events.Count;
            for (long t = 1500; t <= 40_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.IsTrue(d.Sms.Messages.Count > 0, "the alert is texted at its deadline");
            Assert.AreEqual("112", d.Sms.Message(0).Number);
            Expect.Contains(" kind " + ((int)MessageKind.Alert).ToString() + " ", d.Sms.Message(0).Text, "112 hears of the alert itself");
            d.Uplink.Connected = true;
            d.Engine.Poll(40_500);
            for (int i = 0; i < d.Uplink.Published.Count; i++)
            {
                d.Receive(DeviceUnderTest.AckFor(d.Uplink.Payload(i)), 41_000);
            }
            Assert.AreEqual("", d.Feedback.SequenceFrom(shown), "after a duress cancel nothing may be shown");
            Assert.IsTrue(d.Engine.AlertActive, "the position keeps going to the command centre");
        }

        [TestMethod]
        public void DuressCancelNeverShowsThatTheSmsFailed()
        {
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o =>
            {
                o.SmsMaxAttempts = 1;
                o.SmsRetryMs = 5000;
            });
            d.Sms.Outcome = n => SmsSendState.Failed;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            d.Engine.Cancel(true, 1000);
            int shown = d.Feedback.Events.Count;
            for (long t = 1500; t <= 60_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.IsTrue(d.Sms.CountTo("112") >= 2, "the failing SMS is retried");
            Assert.AreEqual("", d.Feedback.SequenceFrom(shown), "a coerced user must not be seen to have an alert going");
        }

        [TestMethod]
        public void CovertFollowUpsStopWhenTheCommandCentreResolvesWithoutShowingIt()
        {
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o => o.FollowUpIntervalMs = 10_000);
            d.Uplink.Connected = true;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            byte[] alert = d.Uplink.Payload(0);
            d.Receive(DeviceUnderTest.AckFor(alert), 50);
            d.Engine.Cancel(true, 1000);
            int shown = d.Feedback.Events.Count;
            for (long t = 2000; t <= 25_000; t += 1000)
            {
                d.Engine.Poll(t);
            }
            int updates = d.Uplink.DistinctOf(MessageKind.Update);
            Assert.AreEqual(2, updates, "covert follow-ups at 10 s and 20 s");
            d.Receive(DeviceUnderTest.AckFor(alert, AlertStatus.Resolved), 25_500);
            Assert.IsFalse(d.Engine.AlertActive);
            for (long t = 26_000; t <= 100_000; t += 1000)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(updates, d.Uplink.DistinctOf(MessageKind.Update), "resolved: the covert follow-ups stop");
            Assert.AreEqual("", d.Feedback.SequenceFrom(shown), "the resolution is not shown after a duress cancel either");
        }

        [TestMethod]
        public void AnAlertTextedAfterItsCancelIsFollowedByTheCancelText()
        {
            // No data path; the user cancels a mistaken press before the deadline. The alert's SMS still goes at
            // the deadline (the cancel might have been a slip); whoever got it must then hear of the cancel too.
            DeviceUnderTest d = new DeviceUnderTest();
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            d.Engine.Cancel(false, 1000);
            for (long t = 1500; t <= 60_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            string cancelKind = " kind " + ((int)MessageKind.Cancel).ToString() + " ";
            int alertTexts = 0;
            int cancelTexts = 0;
            int gatewayCancels = 0;
            for (int i = 0; i < d.Sms.Messages.Count; i++)
            {
                SentSms m = d.Sms.Message(i);
                if (m.Number == "112")
                {
                    if (m.Text.IndexOf(cancelKind) >= 0)
                    {
                        cancelTexts++;
                    }
                    else
                    {
                        alertTexts++;
                    }
                }
                else if (m.Number == d.Options.GatewayNumber && DeviceUnderTest.Decode(FrameText.ToBytes(m.Text)).Kind == MessageKind.Cancel)
                {
                    gatewayCancels++;
                }
            }
            Assert.AreEqual(1, alertTexts, "112 got the alert at the deadline: " + d.Sms.Numbers);
            Assert.AreEqual(1, cancelTexts, "and then the cancel");
            Assert.AreEqual(1, gatewayCancels, "the command centre's gateway got the signed cancel");
        }

        [TestMethod]
        public void ADuressCancelAfterTheAlertWasTextedNeverTellsPeopleToStandDown()
        {
            // No data path: the alert is texted at the deadline, then the person is forced to cancel. 112 and the
            // guardians act on the human text alone; a "cancelled" text would stop the help a coerced person needs.
            // Only the command centre's gateway gets the signed frame, which says duress.
            DeviceUnderTest d = new DeviceUnderTest();
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            for (long t = 500; t <= 30_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            int textedBefore = d.Sms.Messages.Count;
            Assert.AreEqual(1, d.Sms.CountTo("112"), "the alert went to 112 at the deadline: " + d.Sms.Numbers);
            d.Engine.Cancel(true, 31_000);
            for (long t = 31_500; t <= 120_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(0, d.Sms.CountTo("112", textedBefore), "no cancel text to 112 after a duress cancel: " + d.Sms.NumbersFrom(textedBefore));
            Assert.AreEqual(0, d.Sms.CountTo("+6281200000001", textedBefore), "nor to a guardian");
            int gatewayDuress = 0;
            for (int i = textedBefore; i < d.Sms.Messages.Count; i++)
            {
                SentSms m = d.Sms.Message(i);
                if (m.Number == d.Options.GatewayNumber && DeviceUnderTest.Decode(FrameText.ToBytes(m.Text)).Code == (byte)AlertCode.DuressCancel)
                {
                    gatewayDuress++;
                }
            }
            Assert.AreEqual(1, gatewayDuress, "the command centre's gateway gets the signed duress cancel");
        }

        [TestMethod]
        public void FailingSmsIsRetriedAndTheUserToldItFailed()
        {
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o =>
            {
                o.SmsMaxAttempts = 2;
                o.SmsRetryMs = 5000;
            });
            d.Sms.Outcome = n => SmsSendState.Failed;
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            for (long t = 0; t <= 40_000; t += 500)
            {
                d.Engine.Poll(t);
            }
            Assert.IsTrue(d.Feedback.CountOf(FeedbackEvent.Failed) > 0, "the user is told: " + d.Feedback.Sequence);
            Assert.IsTrue(d.Sms.CountTo("112") >= 3, "SMS keeps being retried after the user was told");
            Assert.AreEqual(1, d.Outbox.Count, "the alert is still waiting for the data path");
        }

        [TestMethod]
        public void OutboxFullOfAlertsStillTextsForHelpAndSaysFailed()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            for (int i = 0; i < AlertOutbox.DefaultCapacity - 1; i++)
            {
                d.Engine.RaiseAlert(AlertCode.Panic, i);
            }
            int smsBefore = d.Sms.Messages.Count;
            uint c = d.Engine.RaiseAlert(AlertCode.Panic, 100);
            Assert.AreEqual(0u, c);
            Assert.IsTrue(d.Sms.CountTo("112", smsBefore) > 0, "the human SMS goes out at once");
            Assert.AreEqual((int)FeedbackEvent.Failed, (int)d.Feedback.Last);
        }

        [TestMethod]
        public void AFollowUpThatFindsTheOutboxFullIsDroppedQuietly()
        {
            // Follow-ups are best effort: with every slot holding an alert, one that cannot be stored must
            // neither text people nor tell the user "failed", and the alerts already stored keep their course.
            DeviceUnderTest d = new DeviceUnderTest(null, 0, o =>
            {
                o.FollowUpIntervalMs = 10_000;
                o.SmsDeadlineMs = 1_000_000;
            });
            for (int i = 0; i < d.Outbox.Capacity; i++)
            {
                d.Engine.RaiseAlert(AlertCode.Panic, i);
            }
            Assert.AreEqual(d.Outbox.Capacity, d.Outbox.Count, "every usable slot holds an alert");
            int shown = d.Feedback.Events.Count;
            for (long t = 1000; t <= 50_000; t += 1000)
            {
                d.Engine.Poll(t);
            }
            Assert.AreEqual(0, d.Sms.Messages.Count, "no SMS for a follow-up");
            Assert.AreEqual("", d.Feedback.SequenceFrom(shown), "no feedback for a follow-up");
            Assert.IsTrue(d.Engine.AlertActive);
            d.Uplink.Connected = true;
            d.Engine.Poll(50_500);
            Assert.AreEqual(d.Outbox.Capacity, d.Uplink.DistinctOf(MessageKind.Alert), "every stored alert goes out once the link is up");
        }

        [TestMethod]
        public void NextDeadlineDoesNotSpinWhileTheLinkIsDown()
        {
            DeviceUnderTest d = new DeviceUnderTest();
            d.Engine.RaiseAlert(AlertCode.Panic, 0);
            d.Engine.Poll(100);
            Assert.AreEqual((long)d.Options.SmsDeadlineMs, d.Engine.NextDeadlineMs);
        }
    }
}
