using PanicDevice.Core.Delivery;
using PanicDevice.Core.Location;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Delivery;

[TestClass]
public class DeliveryEngineTests
{
    [TestMethod]
    public void AlertIsInTheOutboxBeforeItIsPublished()
    {
        var d = new DeviceUnderTest();
        d.Uplink.Connected = true;
        int storedAtPublish = -1;
        d.Uplink.OnPublish = _ => storedAtPublish = new AlertOutbox(d.Store, AlertOutbox.DefaultCapacity).Count;
        uint c = d.Engine.RaiseAlert(AlertCode.Panic, 1000);
        Assert.AreEqual(1, storedAtPublish, "the frame must already be on flash when it is first sent");
        Assert.HasCount(1, d.Uplink.Published);
        Frame sent = DeviceUnderTest.Decode(d.Uplink.Published[0]);
        Assert.AreEqual(MessageKind.Alert, sent.Kind);
        Assert.AreEqual(c, sent.Counter);
        CollectionAssert.AreEqual(new[] { FeedbackEvent.Sending }, d.Feedback.Events);
    }

    [TestMethod]
    public void SignedAckEmptiesTheOutboxAndTellsTheUser()
    {
        var d = new DeviceUnderTest();
        d.Uplink.Connected = true;
        d.Engine.RaiseAlert(AlertCode.Panic, 1000);
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(d.Uplink.Published[0]), 1500);
        Assert.AreEqual(0, d.Outbox.Count);
        Assert.AreEqual(0, d.Engine.PendingCount);
        CollectionAssert.AreEqual(new[] { FeedbackEvent.Sending, FeedbackEvent.Acknowledged }, d.Feedback.Events);
        // Nothing more to publish for the alert itself, and no SMS at the deadline.
        for (long t = 1500; t <= 30_000; t += 500) d.Engine.Poll(t);
        Assert.HasCount(1, d.Uplink.Published);
        Assert.IsEmpty(d.Sms.Messages);
    }

    [TestMethod]
    public void ForgedForeignAndReplayedAcksAreIgnored()
    {
        var d = new DeviceUnderTest();
        d.Uplink.Connected = true;
        d.Engine.RaiseAlert(AlertCode.Panic, 0);
        byte[] alert = d.Uplink.Published[0];
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(alert, key: SampleFrames.Key(0x99)), 10);
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(alert, deviceId: "fob-0043"), 10);
        d.Uplink.Listener.OnDownlink(alert, 10); // the device's own frame reflected back
        d.Uplink.Listener.OnDownlink(new byte[] { 1, 2, 3 }, 10);
        Assert.AreEqual(1, d.Outbox.Count, "nothing was acknowledged");
        Assert.AreEqual(4, d.Engine.RejectedDownlinks);

        // A genuine ack of an earlier alert, replayed, does not acknowledge the new one.
        byte[] oldAck = DeviceUnderTest.AckFor(alert);
        d.Uplink.Listener.OnDownlink(oldAck, 20);
        Assert.AreEqual(0, d.Outbox.Count);
        d.Engine.RaiseAlert(AlertCode.Panic, 100);
        d.Uplink.Listener.OnDownlink(oldAck, 120);
        Assert.AreEqual(1, d.Outbox.Count, "the replayed ack named the old counter");
        Assert.AreEqual(1, d.Feedback.Events.Count(e => e == FeedbackEvent.Acknowledged));
    }

    [TestMethod]
    public void NoAckByTheDeadlineSendsSmsToEmergencyGuardiansAndGateway()
    {
        var d = new DeviceUnderTest();
        d.Location.Fix = new LocationFix { LatitudeE7 = -61753924, LongitudeE7 = 1068271528, AccuracyM = 9, FixAtMs = 0, Source = LocationSource.Gnss };
        d.Engine.RaiseAlert(AlertCode.Panic, 1000);
        d.Engine.Poll(1000 + d.Options.SmsDeadlineMs - 1);
        Assert.IsEmpty(d.Sms.Messages, "one millisecond before the deadline nothing is sent");
        Assert.AreEqual(1000 + d.Options.SmsDeadlineMs, d.Engine.NextDeadlineMs);
        d.Engine.Poll(1000 + d.Options.SmsDeadlineMs);
        CollectionAssert.AreEqual(new[] { "112", "+6281200000001", "+6281200000002", "+6281299999999" }, d.Sms.Messages.Select(m => m.Number).ToArray());
        StringAssert.StartsWith(d.Sms.Messages[0].Text, "ALERT fob-0042");
        string gatewayText = d.Sms.Messages[3].Text;
        DecodeResult fromSms = FrameText.Decode(gatewayText);
        Assert.AreEqual(DecodeStatus.Ok, FrameCodec.DecodeAndVerify(FrameText.ToBytes(gatewayText), DeviceUnderTest.Key).Status);
        Assert.AreEqual(-61753924, fromSms.Frame.LatitudeE7);
        Assert.Contains(FeedbackEvent.SmsFallback, d.Feedback.Events);
        // Once sent, the SMS is not repeated.
        for (long t = 21_000; t < 200_000; t += 1000) d.Engine.Poll(t);
        Assert.HasCount(4, d.Sms.Messages);
    }

    [TestMethod]
    public void DataPathRecoveringAfterTheFallbackStillDeliversAndAckEndsRetries()
    {
        var d = new DeviceUnderTest();
        d.Engine.RaiseAlert(AlertCode.Panic, 0);
        for (long t = 0; t <= 25_000; t += 250) d.Engine.Poll(t);
        Assert.HasCount(4, d.Sms.Messages);
        Assert.IsEmpty(d.Uplink.Published);
        d.Uplink.Connected = true;
        d.Engine.Poll(25_250);
        Assert.HasCount(1, d.Uplink.Published);
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(d.Uplink.Published[0]), 25_400);
        for (long t = 25_500; t < 300_000; t += 500) d.Engine.Poll(t);
        Assert.AreEqual(1, d.Uplink.Published.Count(p => DeviceUnderTest.Decode(p).Kind == MessageKind.Alert), "after the ack the alert is not sent again");
    }

    [TestMethod]
    public void RetriesBackOffExponentiallyUpToTheCap()
    {
        var d = new DeviceUnderTest(configure: o => { o.RetryInitialMs = 1000; o.RetryMaxMs = 8000; o.SmsDeadlineMs = 1_000_000; o.FollowUpIntervalMs = 10_000_000; });
        d.Uplink.Connected = true;
        var times = new List<long>();
        d.Uplink.OnPublish = _ => times.Add(currentTime);
        for (currentTime = 0; currentTime <= 40_000; currentTime += 100)
        {
            if (currentTime == 0) d.Engine.RaiseAlert(AlertCode.Panic, 0);
            d.Engine.Poll(currentTime);
        }
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToArray();
        CollectionAssert.AreEqual(new long[] { 1000, 2000, 4000, 8000, 8000, 8000 }, gaps.Take(6).ToArray());
    }

    private long currentTime;

    [TestMethod]
    public void AlertWithoutAnyFixIsSentImmediatelyAndMarkedPositionUnknown()
    {
        var d = new DeviceUnderTest();
        d.Uplink.Connected = true;
        d.Location.Fix = null;
        d.Engine.RaiseAlert(AlertCode.Panic, 5);
        Frame sent = DeviceUnderTest.Decode(d.Uplink.Published.Single());
        Assert.AreEqual(LocationSource.None, sent.Source);
        Assert.AreEqual(Frame.Unknown16, sent.AccuracyM);
    }

    [TestMethod]
    public void FixAgeIsStampedFromTheLastKnownPosition()
    {
        var d = new DeviceUnderTest();
        d.Uplink.Connected = true;
        d.Location.Fix = new LocationFix { LatitudeE7 = 10, LongitudeE7 = 20, AccuracyM = 70_000, FixAtMs = 1_000, Source = LocationSource.Cell };
        d.Engine.RaiseAlert(AlertCode.Panic, 126_999);
        Frame sent = DeviceUnderTest.Decode(d.Uplink.Published.Single());
        Assert.AreEqual((ushort)125, sent.FixAgeS);
        Assert.AreEqual(Frame.Unknown16, sent.AccuracyM, "accuracy beyond 16 bits is reported as unknown, not wrapped");
    }

    [TestMethod]
    public void TestAlertNeverTextsTheEmergencyNumber()
    {
        var d = new DeviceUnderTest();
        d.Engine.RaiseAlert(AlertCode.Test, 0);
        d.Engine.Poll(d.Options.SmsDeadlineMs);
        Assert.IsFalse(d.Sms.Messages.Any(m => m.Number == "112"));
        Assert.IsTrue(d.Sms.Messages.Any(m => m.Number == d.Options.GatewayNumber));
    }

    [TestMethod]
    public void ButtonFaultIsDeliveredButNeverTextsPeopleNorStartsAnAlert()
    {
        var d = new DeviceUnderTest();
        uint c = d.Engine.RaiseAlert(AlertCode.ButtonFault, 0);
        Assert.AreNotEqual(0u, c);
        Assert.IsFalse(d.Engine.AlertActive);
        for (long t = 0; t <= 200_000; t += 1000) d.Engine.Poll(t);
        Assert.IsFalse(d.Sms.Messages.Any(m => m.Number == "112" || d.Options.GuardianNumbers.Contains(m.Number)));
        Assert.IsTrue(d.Sms.Messages.Any(m => m.Number == d.Options.GatewayNumber), "the command centre still learns of it");
        Assert.IsEmpty(d.Feedback.Events);
    }

    [TestMethod]
    public void FollowUpsRunWhileActiveSupersedeEachOtherAndStopWhenResolved()
    {
        var d = new DeviceUnderTest(configure: o => o.FollowUpIntervalMs = 10_000);
        d.Uplink.Connected = true;
        d.Engine.RaiseAlert(AlertCode.Panic, 0);
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(d.Uplink.Published[0]), 100);
        d.Uplink.Connected = false;
        for (long t = 1000; t <= 35_000; t += 1000) d.Engine.Poll(t);
        Assert.AreEqual(1, d.Outbox.Count, "only the newest follow-up waits; older ones were superseded");
        d.Uplink.Connected = true;
        d.Engine.Poll(35_500);
        byte[] updateBytes = d.Uplink.Published.Last();
        Frame update = DeviceUnderTest.Decode(updateBytes);
        Assert.AreEqual(MessageKind.Update, update.Kind);
        Assert.AreEqual((byte)AlertCode.Panic, update.Code);

        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(d.Uplink.Published[0], AlertStatus.ResponderAssigned), 36_000);
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(d.Uplink.Published[0], AlertStatus.Resolved), 37_000);
        Assert.IsFalse(d.Engine.AlertActive);
        int before = DistinctUpdates(d);
        for (long t = 38_000; t <= 100_000; t += 1000) d.Engine.Poll(t);
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(updateBytes), 100_001);
        int after = DistinctUpdates(d);
        Assert.AreEqual(before, after, "no new follow-ups after the alert was resolved");
        CollectionAssert.AreEqual(new[] { FeedbackEvent.Sending, FeedbackEvent.Acknowledged, FeedbackEvent.ResponderOnTheWay, FeedbackEvent.Resolved }, d.Feedback.Events);
    }

    private static int DistinctUpdates(DeviceUnderTest d) =>
        d.Uplink.Published.Select(DeviceUnderTest.Decode).Where(f => f.Kind == MessageKind.Update).Select(f => f.Counter).Distinct().Count();

    [TestMethod]
    public void LateOlderStatusIsNotShownAgain()
    {
        var d = new DeviceUnderTest();
        d.Uplink.Connected = true;
        d.Engine.RaiseAlert(AlertCode.Panic, 0);
        byte[] alert = d.Uplink.Published[0];
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(alert, AlertStatus.ResponderAssigned), 10);
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(alert, AlertStatus.Received), 20);
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(alert, AlertStatus.ResponderAssigned), 30);
        Assert.AreEqual(1, d.Feedback.Events.Count(e => e == FeedbackEvent.ResponderOnTheWay));
        Assert.AreEqual(1, d.Feedback.Events.Count(e => e == FeedbackEvent.Acknowledged));
    }

    [TestMethod]
    public void DuressCancelLooksLikeACancelButKeepsSendingLocations()
    {
        var d = new DeviceUnderTest(configure: o => o.FollowUpIntervalMs = 10_000);
        d.Uplink.Connected = true;
        d.Engine.RaiseAlert(AlertCode.Panic, 0);
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(d.Uplink.Published[0]), 50);
        d.Engine.Cancel(duress: true, 1000);
        Frame cancel = DeviceUnderTest.Decode(d.Uplink.Published.Last());
        Assert.AreEqual(MessageKind.Cancel, cancel.Kind);
        Assert.AreEqual((byte)AlertCode.DuressCancel, cancel.Code);
        Assert.AreEqual(FeedbackEvent.Cancelled, d.Feedback.Events.Last(), "the user (and anyone watching) sees a cancel");
        for (long t = 2000; t <= 30_000; t += 1000) d.Engine.Poll(t);
        Assert.IsGreaterThanOrEqualTo(2, d.Uplink.Published.Count(p => DeviceUnderTest.Decode(p).Kind == MessageKind.Update));
        d.Uplink.Listener.OnDownlink(DeviceUnderTest.AckFor(d.Uplink.Published[0], AlertStatus.ResponderAssigned), 31_000);
        Assert.AreEqual(FeedbackEvent.Cancelled, d.Feedback.Events.Last(), "no giveaway feedback while covert");

        var plain = new DeviceUnderTest(configure: o => o.FollowUpIntervalMs = 10_000);
        plain.Uplink.Connected = true;
        plain.Engine.RaiseAlert(AlertCode.Panic, 0);
        plain.Engine.Cancel(duress: false, 1000);
        for (long t = 2000; t <= 30_000; t += 1000) plain.Engine.Poll(t);
        Assert.AreEqual(0, plain.Uplink.Published.Count(p => DeviceUnderTest.Decode(p).Kind == MessageKind.Update), "a real cancel stops follow-ups");
    }

    [TestMethod]
    public void FailingSmsIsRetriedAndTheUserToldItFailed()
    {
        var d = new DeviceUnderTest(configure: o => { o.SmsMaxAttempts = 2; o.SmsRetryMs = 5000; });
        d.Sms.Outcome = _ => SmsSendState.Failed;
        d.Engine.RaiseAlert(AlertCode.Panic, 0);
        for (long t = 0; t <= 40_000; t += 500) d.Engine.Poll(t);
        Assert.Contains(FeedbackEvent.Failed, d.Feedback.Events);
        Assert.IsGreaterThanOrEqualTo(3, d.Sms.Messages.Count(m => m.Number == "112"), "SMS keeps being retried after the user was told");
        Assert.AreEqual(1, d.Outbox.Count, "the alert is still waiting for the data path");
    }

    [TestMethod]
    public void OutboxFullOfAlertsStillTextsForHelpAndSaysFailed()
    {
        var d = new DeviceUnderTest();
        for (int i = 0; i < AlertOutbox.DefaultCapacity - 1; i++) d.Engine.RaiseAlert(AlertCode.Panic, i);
        int smsBefore = d.Sms.Messages.Count;
        uint c = d.Engine.RaiseAlert(AlertCode.Panic, 100);
        Assert.AreEqual(0u, c);
        Assert.IsTrue(d.Sms.Messages.Skip(smsBefore).Any(m => m.Number == "112"), "the human SMS goes out at once");
        Assert.AreEqual(FeedbackEvent.Failed, d.Feedback.Events.Last());
    }

    [TestMethod]
    public void NextDeadlineDoesNotSpinWhileTheLinkIsDown()
    {
        var d = new DeviceUnderTest();
        d.Engine.RaiseAlert(AlertCode.Panic, 0);
        d.Engine.Poll(100);
        Assert.AreEqual(d.Options.SmsDeadlineMs, d.Engine.NextDeadlineMs);
    }
}
