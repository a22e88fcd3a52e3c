using PanicDevice.Core.App;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Location;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Delivery;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.App;

[TestClass]
public class PanicDeviceAppTests
{
    private static DeviceConfig Config(DeviceKind kind = DeviceKind.Fob)
    {
        var c = new DeviceConfig
        {
            DeviceId = "fob-7",
            Key = SampleFrames.Key(0x70),
            Kind = kind,
            BrokerHost = "127.0.0.1",
            GuardianNumbers = new[] { "+6281200000009" },
            GatewayNumber = "+6281299999999",
            HeartbeatIntervalS = 600,
        };
        if (kind == DeviceKind.Wall)
        {
            c.FixedLocation = new LocationFix { LatitudeE7 = -69147000, LongitudeE7 = 1076098000, AccuracyM = 15, Source = LocationSource.FixedAddress };
        }
        return c;
    }

    private sealed class Rig
    {
        public readonly FakeUplink Uplink = new() { Connected = true };
        public readonly FakeSms Sms = new();
        public readonly FeedbackRecorder Feedback = new();
        public readonly PanicDeviceApp App;
        public long Now;

        public Rig(DeviceConfig config)
        {
            App = new PanicDeviceApp(config, null, new FlashRecordStore(), Uplink, Sms, new FakeTelemetry(), new PlainSmsText(), Feedback);
            App.Start(0);
        }

        /// <summary>Runs the device loop: wake at each deadline up to the time, as the firmware does.</summary>
        public void RunUntil(long t)
        {
            for (int guard = 0; guard < 10_000; guard++)
            {
                long d = App.NextDeadlineMs;
                if (d < 0 || d > t) break;
                Now = Math.Max(Now, d);
                App.Poll(Now);
            }
            Now = Math.Max(Now, t);
            App.Poll(Now);
        }

        public void Raw(bool pressed, long t)
        {
            RunUntil(t);
            App.OnRawButtonEdge(pressed, t);
        }

        public void Tap(long down, long up)
        {
            Raw(true, down);
            Raw(false, up);
        }

        public List<Frame> Sent => Uplink.Published.Select(DeviceUnderTest.Decode).ToList();
    }

    [TestMethod]
    public void TimerWakeSendsTheHeartbeatOnceTheLinkIsUpOrGivesUp()
    {
        var uplink = new FakeUplink { Connected = false };
        var app = new PanicDeviceApp(Config(), null, new FlashRecordStore(), uplink, new FakeSms(), new FakeTelemetry(), new PlainSmsText(), new FeedbackRecorder());
        app.Start(0, heartbeatDueNow: true);
        app.Poll(0);
        Assert.IsTrue(app.HeartbeatPending, "no data path yet: the fob stays awake for it");
        Assert.AreEqual(PanicDeviceApp.HeartbeatRetryMs, app.NextDeadlineMs);
        uplink.Connected = true;
        app.Poll(PanicDeviceApp.HeartbeatRetryMs);
        Assert.IsFalse(app.HeartbeatPending);
        Assert.AreEqual(MessageKind.Heartbeat, DeviceUnderTest.Decode(uplink.Published.Single()).Kind);

        var offline = new PanicDeviceApp(Config(), null, new FlashRecordStore(), new FakeUplink { Connected = false }, new FakeSms(), new FakeTelemetry(), new PlainSmsText(), new FeedbackRecorder());
        offline.Start(0, heartbeatDueNow: true);
        for (long t = 0; t <= PanicDeviceApp.HeartbeatGiveUpMs; t += PanicDeviceApp.HeartbeatRetryMs) offline.Poll(t);
        Assert.IsFalse(offline.HeartbeatPending, "no coverage: give up so the fob can sleep again");
    }

    [TestMethod]
    public void WakePressReplayedAtBootCountsAsTheFirstTapOfATripleTap()
    {
        var r = new Rig(Config());
        // The CLR took 700 ms to boot after the press that woke it; the pin is already up again.
        r.App.ReplayWakePress(true, false, 0, 700);
        Assert.IsFalse(r.App.ButtonIdle, "the replayed tap starts a pattern");
        r.Tap(1000, 1100);
        r.Tap(1300, 1400);
        r.RunUntil(5000);
        Assert.AreEqual(PanicDevice.Core.Button.ButtonAction.Alert, r.App.LastAction);
        var alerts = r.Sent.Where(f => f.Kind == MessageKind.Alert).ToList();
        Assert.AreEqual(1, alerts.Select(f => f.Counter).Distinct().Count(), "one alert (publish retries repeat its counter)");
        Assert.AreEqual(AlertCode.Panic, (AlertCode)alerts[0].Code);
        Assert.IsTrue(r.App.ButtonIdle);
    }

    [TestMethod]
    public void RawTripleTapBecomesOneSignedPanicAlert()
    {
        var r = new Rig(Config());
        r.Tap(1000, 1100);
        r.Tap(1400, 1500);
        r.Tap(1800, 1900);
        r.RunUntil(2100);
        Frame alert = r.Sent.Single();
        Assert.AreEqual(MessageKind.Alert, alert.Kind);
        Assert.AreEqual((byte)AlertCode.Panic, alert.Code);
        Assert.AreEqual(DecodeStatus.Ok, FrameCodec.DecodeAndVerify(r.Uplink.Published[0], SampleFrames.Key(0x70)).Status);
        CollectionAssert.AreEqual(new[] { FeedbackEvent.Sending }, r.Feedback.Events);
    }

    [TestMethod]
    public void WallPressSendsHoldUpWithTheInstalledAddress()
    {
        var r = new Rig(Config(DeviceKind.Wall));
        r.Tap(500, 2500);
        r.RunUntil(3000);
        Frame f = r.Sent.Single();
        Assert.AreEqual((byte)AlertCode.HoldUp, f.Code);
        Assert.AreEqual(LocationSource.FixedAddress, f.Source);
        Assert.AreEqual(-69147000, f.LatitudeE7);
        Assert.AreEqual((ushort)0, f.FixAgeS);
    }

    [TestMethod]
    public void HoldThenKeepHoldingSendsAlertThenCancel()
    {
        var r = new Rig(Config());
        r.Raw(true, 0);
        r.RunUntil(9000);
        r.Raw(false, 9000);
        r.RunUntil(10_000);
        CollectionAssert.AreEqual(new[] { MessageKind.Alert, MessageKind.Cancel }, r.Sent.Select(f => f.Kind).Distinct().ToArray());
    }

    [TestMethod]
    public void HeartbeatsGoOutAtTheConfiguredInterval()
    {
        var r = new Rig(Config());
        r.RunUntil(600_000 - 1);
        Assert.IsEmpty(r.Sent);
        r.RunUntil(600_000);
        Assert.AreEqual(MessageKind.Heartbeat, r.Sent.Single().Kind);
        r.RunUntil(1_800_000);
        Assert.AreEqual(3, r.Sent.Count(f => f.Kind == MessageKind.Heartbeat));
    }

    [TestMethod]
    public void IdleDeviceSleepsUntilItsNextHeartbeat()
    {
        var r = new Rig(Config());
        Assert.AreEqual(600_000L, r.App.NextDeadlineMs, "nothing else to wake for");
    }
}

[TestClass]
public class LastKnownLocationTests
{
    [TestMethod]
    public void FreshCellEstimateBeatsAnOldGnssFix()
    {
        var l = new LastKnownLocation(null);
        Assert.IsNull(l.LastKnown(0));
        l.Update(new LocationFix { AccuracyM = 10, FixAtMs = 0, Source = LocationSource.Gnss, LatitudeE7 = 1 });
        l.Update(new LocationFix { AccuracyM = 500, FixAtMs = 299_000, Source = LocationSource.Cell, LatitudeE7 = 2 });
        Assert.AreEqual(1, l.LastKnown(200_000).LatitudeE7, "GNSS 200 s old: 410 m, cell just taken: 500 m");
        Assert.AreEqual(2, l.LastKnown(300_000).LatitudeE7, "GNSS 300 s old: 610 m, cell 1 s old: 502 m");
    }

    [TestMethod]
    public void FixedAddressNeverAgesButAFreshGnssFixWins()
    {
        var l = new LastKnownLocation(new LocationFix { AccuracyM = 15, Source = LocationSource.FixedAddress, LatitudeE7 = 3 });
        Assert.AreEqual(3, l.LastKnown(999_999_999).LatitudeE7);
        l.Update(new LocationFix { AccuracyM = 5, FixAtMs = 1000, Source = LocationSource.Gnss, LatitudeE7 = 4 });
        Assert.AreEqual(4, l.LastKnown(1000).LatitudeE7);
        Assert.AreEqual(3, l.LastKnown(10_000).LatitudeE7, "9 s later the GNSS fix is 23 m uncertain");
    }
}
