using System;
using System.Collections;
using PanicDevice.Core.App;
using PanicDevice.Core.Button;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Location;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Delivery;
using PanicDevice.Tests.Support;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.App
{
    [TestClass]
    public class PanicDeviceAppTests
    {
        private static DeviceConfig Config(DeviceKind kind = DeviceKind.Fob)
        {
            DeviceConfig c = new DeviceConfig();
            c.DeviceId = "fob-7";
            c.Key = SampleFrames.Key(0x70);
            c.Kind = kind;
            c.BrokerHost = "127.0.0.1";
            c.GuardianNumbers = new string[] { "+6281200000009" };
            c.GatewayNumber = "+6281299999999";
            c.HeartbeatIntervalS = 600;
            if (kind == DeviceKind.Wall)
            {
                LocationFix address = new LocationFix();
                address.LatitudeE7 = -69147000;
                address.LongitudeE7 = 1076098000;
                address.AccuracyM = 15;
                address.Source = LocationSource.FixedAddress;
                c.FixedLocation = address;
            }
            return c;
        }

        private sealed class Rig
        {
            public readonly FakeUplink Uplink = new FakeUplink();
            public readonly FakeSms Sms = new FakeSms();
            public readonly FeedbackRecorder Feedback = new FeedbackRecorder();
            public readonly PanicDeviceApp App;
            public long Now;

            public Rig(DeviceConfig config)
            {
                Uplink.Connected = true;
                App = new PanicDeviceApp(config, null, new FlashRecordStore(), Uplink, Sms, new FakeTelemetry(), new PlainSmsText(), Feedback);
                App.Start(0);
            }

            /// <summary>Runs the device loop: wake at each deadline up to the time, as the firmware does.</summary>
            public void RunUntil(long t)
            {
                for (int guard = 0; guard < 10_000; guard++)
                {
                    long d = App.NextDeadlineMs;
                    if (d < 0 || d > t)
                    {
                        break;
                    }
                    Now = Later(Now, d);
                    App.Poll(Now);
                }
                Now = Later(Now, t);
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

            /// <summary>The i-th frame published.</summary>
            public Frame Sent(int i)
            {
                return DeviceUnderTest.Decode(Uplink.Payload(i));
            }

            /// <summary>The kinds published as numbers, each once, in the order they first appeared (publish retries repeat a frame).</summary>
            public string DistinctKinds()
            {
                string s = "";
                Hashtable seen = new Hashtable();
                for (int i = 0; i < Uplink.Published.Count; i++)
                {
                    int kind = (int)Sent(i).Kind;
                    if (!seen.Contains(kind))
                    {
                        seen.Add(kind, true);
                        s += (s.Length == 0 ? "" : " ") + kind.ToString();
                    }
                }
                return s;
            }

            private static long Later(long a, long b)
            {
                return a > b ? a : b;
            }
        }

        [TestMethod]
        public void ACounterFloorStartsAnErasedCounterThereAndIsPassedOverOnLaterBoots()
        {
            // tools/flash writes counterFloor into device.json because its mass erase also erased the counter.
            DeviceConfig config = Config();
            config.CounterFloor = 5000;
            FlashRecordStore flash = new FlashRecordStore();
            FakeUplink uplink = new FakeUplink();
            uplink.Connected = true;
            PanicDeviceApp app = new PanicDeviceApp(config, null, flash, uplink, new FakeSms(), new FakeTelemetry(), new PlainSmsText(), new FeedbackRecorder());
            app.Start(0);
            Assert.AreEqual(5000u, app.Engine.RaiseAlert(AlertCode.Test, 10), "erased flash: the first frame is signed at the floor");

            int writes = flash.WriteCount;
            PanicDeviceApp rebooted = new PanicDeviceApp(config, null, flash, uplink, new FakeSms(), new FakeTelemetry(), new PlainSmsText(), new FeedbackRecorder());
            rebooted.Start(0);
            Assert.AreEqual(writes, flash.WriteCount, "a floor the counter is past costs no flash write at boot");
            uint next = rebooted.Engine.RaiseAlert(AlertCode.Test, 20);
            Assert.IsTrue(next > 5000, "the same device.json never takes the counter back to its floor: got " + next.ToString());
        }

        [TestMethod]
        public void TimerWakeSendsTheHeartbeatOnceTheLinkIsUpOrGivesUp()
        {
            FakeUplink uplink = new FakeUplink();
            PanicDeviceApp app = new PanicDeviceApp(Config(), null, new FlashRecordStore(), uplink, new FakeSms(), new FakeTelemetry(), new PlainSmsText(), new FeedbackRecorder());
            app.Start(0, true);
            app.Poll(0);
            Assert.IsTrue(app.HeartbeatPending, "no data path yet: the fob stays awake for it");
            Assert.AreEqual((long)PanicDeviceApp.HeartbeatRetryMs, app.NextDeadlineMs);
            uplink.Connected = true;
            app.Poll(PanicDeviceApp.HeartbeatRetryMs);
            Assert.IsFalse(app.HeartbeatPending);
            Assert.AreEqual((int)MessageKind.Heartbeat, (int)DeviceUnderTest.Decode(uplink.Single).Kind);

            PanicDeviceApp offline = new PanicDeviceApp(Config(), null, new FlashRecordStore(), new FakeUplink(), new FakeSms(), new FakeTelemetry(), new PlainSmsText(), new FeedbackRecorder());
            offline.Start(0, true);
            for (long t = 0; t <= PanicDeviceApp.HeartbeatGiveUpMs; t += PanicDeviceApp.HeartbeatRetryMs)
            {
                offline.Poll(t);
            }
            Assert.IsFalse(offline.HeartbeatPending, "no coverage: give up so the fob can sleep again");
        }

        [TestMethod]
        public void WakePressReplayedAtBootCountsAsTheFirstTapOfATripleTap()
        {
            Rig r = new Rig(Config());
            // The CLR took 700 ms to boot after the press that woke it; the pin is already up again.
            r.App.ReplayWakePress(true, false, 0, 700);
            Assert.IsFalse(r.App.ButtonIdle, "the replayed tap starts a pattern");
            r.Tap(1000, 1100);
            r.Tap(1300, 1400);
            r.RunUntil(5000);
            Assert.AreEqual((int)ButtonAction.Alert, (int)r.App.LastAction);
            Hashtable alertCounters = new Hashtable();
            Frame alert = null;
            for (int i = 0; i < r.Uplink.Published.Count; i++)
            {
                Frame f = r.Sent(i);
                if (f.Kind == MessageKind.Alert)
                {
                    alertCounters[f.Counter] = true;
                    alert = f;
                }
            }
            Assert.AreEqual(1, alertCounters.Count, "one alert (publish retries repeat its counter)");
            Assert.AreEqual((int)AlertCode.Panic, (int)alert.Code);
            Assert.IsTrue(r.App.ButtonIdle);
        }

        [TestMethod]
        public void RawTripleTapBecomesOneSignedPanicAlert()
        {
            Rig r = new Rig(Config());
            r.Tap(1000, 1100);
            r.Tap(1400, 1500);
            r.Tap(1800, 1900);
            r.RunUntil(2100);
            Frame alert = DeviceUnderTest.Decode(r.Uplink.Single);
            Assert.AreEqual((int)MessageKind.Alert, (int)alert.Kind);
            Assert.AreEqual((byte)AlertCode.Panic, alert.Code);
            Assert.AreEqual((int)DecodeStatus.Ok, (int)FrameCodec.DecodeAndVerify(r.Uplink.Payload(0), SampleFrames.Key(0x70)).Status);
            Assert.AreEqual(FeedbackRecorder.Names(new FeedbackEvent[] { FeedbackEvent.Sending }), r.Feedback.Sequence);
        }

        [TestMethod]
        public void WallPressSendsHoldUpWithTheInstalledAddress()
        {
            Rig r = new Rig(Config(DeviceKind.Wall));
            r.Tap(500, 2500);
            r.RunUntil(3000);
            Frame f = DeviceUnderTest.Decode(r.Uplink.Single);
            Assert.AreEqual((byte)AlertCode.HoldUp, f.Code);
            Assert.AreEqual((int)LocationSource.FixedAddress, (int)f.Source);
            Assert.AreEqual(-69147000, f.LatitudeE7);
            Assert.AreEqual((ushort)0, f.FixAgeS);
        }

        [TestMethod]
        public void HoldThenKeepHoldingSendsAlertThenCancel()
        {
            Rig r = new Rig(Config());
            r.Raw(true, 0);
            r.RunUntil(9000);
            r.Raw(false, 9000);
            r.RunUntil(10_000);
            Assert.AreEqual(((int)MessageKind.Alert).ToString() + " " + ((int)MessageKind.Cancel).ToString(), r.DistinctKinds(), "an alert, then a cancel");
        }

        [TestMethod]
        [DataRow((int)ButtonAction.Alert, (int)MessageKind.Alert, (int)AlertCode.Panic)]
        [DataRow((int)ButtonAction.HoldUp, (int)MessageKind.Alert, (int)AlertCode.HoldUp)]
        [DataRow((int)ButtonAction.Test, (int)MessageKind.Alert, (int)AlertCode.Test)]
        [DataRow((int)ButtonAction.Cancel, (int)MessageKind.Cancel, (int)AlertCode.Cancel)]
        [DataRow((int)ButtonAction.DuressCancel, (int)MessageKind.Cancel, (int)AlertCode.DuressCancel)]
        [DataRow((int)ButtonAction.Fault, (int)MessageKind.Alert, (int)AlertCode.ButtonFault)]
        public void EveryButtonActionBecomesItsFrame(int action, int kind, int code)
        {
            // A duress cancel sent as a plain cancel would stop the help a coerced person needs: the mapping is checked one by one.
            Rig r = new Rig(Config());
            r.App.OnButtonAction((ButtonAction)action, 1000);
            Frame f = r.Sent(r.Uplink.Published.Count - 1);
            Assert.AreEqual(kind, (int)f.Kind, "kind for action " + action.ToString());
            Assert.AreEqual(code, (int)f.Code, "code for action " + action.ToString());
            Assert.AreEqual(action, (int)r.App.LastAction);
        }

        [TestMethod]
        public void AnUnansweredPressTextsAtTheConfiguredDeadline()
        {
            DeviceConfig config = Config();
            config.SmsDeadlineS = 45;
            Rig r = new Rig(config);
            r.Uplink.Connected = false;
            r.App.OnButtonAction(ButtonAction.Alert, 1000);
            Assert.AreEqual(1000L + 45_000L, r.App.NextDeadlineMs, "the device wakes for the SMS deadline, seconds from the config");
            r.RunUntil(1000 + 45_000 - 1);
            Assert.AreEqual(0, r.Sms.Messages.Count, "not before the configured deadline");
            r.RunUntil(1000 + 45_000);
            Assert.AreEqual("112 +6281200000009 +6281299999999", r.Sms.Numbers, "emergency number, guardian and gateway from the config");
        }

        [TestMethod]
        public void ARequestedHeartbeatGoesAtOnceAndTheScheduleRestartsFromIt()
        {
            Rig r = new Rig(Config());
            r.RunUntil(100_000);
            r.App.RequestHeartbeat(100_000);
            Assert.AreEqual(100_000L, r.App.NextDeadlineMs, "the tamper switch or lost mains is reported now");
            r.RunUntil(100_000);
            Assert.AreEqual((int)MessageKind.Heartbeat, (int)DeviceUnderTest.Decode(r.Uplink.Single).Kind);
            Assert.AreEqual(700_000L, r.App.NextDeadlineMs, "the next one an interval later");
        }

        [TestMethod]
        public void HeartbeatsGoOutAtTheConfiguredInterval()
        {
            Rig r = new Rig(Config());
            r.RunUntil(600_000 - 1);
            Assert.AreEqual(0, r.Uplink.Published.Count);
            r.RunUntil(600_000);
            Assert.AreEqual((int)MessageKind.Heartbeat, (int)DeviceUnderTest.Decode(r.Uplink.Single).Kind);
            r.RunUntil(1_800_000);
            Assert.AreEqual(3, r.Uplink.CountOf(MessageKind.Heartbeat));
        }

        [TestMethod]
        public void IdleDeviceSleepsUntilItsNextHeartbeat()
        {
            Rig r = new Rig(Config());
            Assert.AreEqual(600_000L, r.App.NextDeadlineMs, "nothing else to wake for");
        }
    }

    [TestClass]
    public class LastKnownLocationTests
    {
        private static LocationFix Fix(int accuracyM, long atMs, LocationSource source, int latitudeE7)
        {
            LocationFix f = new LocationFix();
            f.AccuracyM = accuracyM;
            f.FixAtMs = atMs;
            f.Source = source;
            f.LatitudeE7 = latitudeE7;
            return f;
        }

        [TestMethod]
        public void FreshCellEstimateBeatsAnOldGnssFix()
        {
            LastKnownLocation l = new LastKnownLocation(null);
            Assert.IsNull(l.LastKnown(0));
            l.Update(Fix(10, 0, LocationSource.Gnss, 1));
            l.Update(Fix(500, 299_000, LocationSource.Cell, 2));
            Assert.AreEqual(1, l.LastKnown(200_000).LatitudeE7, "GNSS 200 s old: 410 m, cell just taken: 500 m");
            Assert.AreEqual(2, l.LastKnown(300_000).LatitudeE7, "GNSS 300 s old: 610 m, cell 1 s old: 502 m");
        }

        [TestMethod]
        public void FixedAddressNeverAgesButAFreshGnssFixWins()
        {
            LastKnownLocation l = new LastKnownLocation(Fix(15, 0, LocationSource.FixedAddress, 3));
            Assert.AreEqual(3, l.LastKnown(999_999_999).LatitudeE7);
            l.Update(Fix(5, 1000, LocationSource.Gnss, 4));
            Assert.AreEqual(4, l.LastKnown(1000).LatitudeE7);
            Assert.AreEqual(3, l.LastKnown(10_000).LatitudeE7, "9 s later the GNSS fix is 23 m uncertain");
        }
    }
}
