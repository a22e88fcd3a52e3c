using PanicDevice.Core.Button;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Button
{
    [TestClass]
    public class FaultAndCooldownTests
    {
        /// <summary>Records debounced edges as "down@1040,up@1550".</summary>
        private sealed class EdgeSink : IButtonEdgeListener
        {
            public string Edges = "";
            public int Count;

            public void OnStableEdge(bool pressed, long atMs)
            {
                Edges += (Count > 0 ? "," : "") + (pressed ? "down@" : "up@") + atMs.ToString();
                Count++;
            }
        }

        [TestMethod]
        public void BouncesCollapseIntoOnePressWithConfirmationTimes()
        {
            EdgeSink sink = new EdgeSink();
            ButtonDebouncer d = new ButtonDebouncer(30, sink);
            long t = 1000;
            d.OnRawEdge(true, t);
            for (int i = 0; i < 5; i++)
            {
                d.OnRawEdge(false, t + 2 * i + 1);
                d.OnRawEdge(true, t + 2 * i + 2);
            }
            d.Poll(t + 10 + 29);
            Assert.AreEqual("", sink.Edges, "the level has not held 30 ms since the last bounce");
            d.Poll(t + 10 + 30);
            Assert.AreEqual("down@" + (t + 40).ToString(), sink.Edges);
            d.OnRawEdge(false, 1500);
            d.OnRawEdge(true, 1510);
            d.OnRawEdge(false, 1520);
            d.Poll(1549);
            Assert.AreEqual(1, sink.Count, sink.Edges);
            d.Poll(1550);
            Assert.AreEqual("down@" + (t + 40).ToString() + ",up@1550", sink.Edges);
            Assert.AreEqual(-1L, d.NextDeadlineMs);
        }

        [TestMethod]
        public void DebouncerToleratesTimeGoingBackwards()
        {
            EdgeSink sink = new EdgeSink();
            ButtonDebouncer d = new ButtonDebouncer(30, sink);
            d.OnRawEdge(true, 1000);
            d.OnRawEdge(false, 900); // clamped to 1000: an immediate bounce back
            d.Poll(5000);
            Assert.AreEqual("", sink.Edges);
        }

        [TestMethod]
        public void BouncyTripleTapThroughTheDebouncerStillAlertsOnce()
        {
            ButtonHarness h = ButtonHarness.Fob();
            ButtonDebouncer d = new ButtonDebouncer(30, h.Recognizer);
            bool[] pressBounces = { true, false, true, false, true };
            bool[] releaseBounces = { false, true, false };
            long t = 0;
            for (int tap = 0; tap < 3; tap++)
            {
                foreach (bool level in pressBounces)
                {
                    d.OnRawEdge(level, t);
                    t += 2;
                }
                t += 100;
                foreach (bool level in releaseBounces)
                {
                    d.OnRawEdge(level, t);
                    t += 2;
                }
                t += 200;
                d.Poll(t);
                h.Advance(t);
            }
            d.Poll(t + 100);
            h.Advance(t + 100);
            Assert.AreEqual("Alert", h.Kinds());
        }

        [TestMethod]
        public void ChatterAfterADecisionIsOneFaultNeverMoreAlerts()
        {
            ButtonHarness h = ButtonHarness.Fob();
            for (long t = 0; t < 10000; t += 100)
            {
                h.Tap(t, t + 40);
            }
            h.Advance(20000);
            Assert.AreEqual("Alert,Fault", h.Kinds(), "ten seconds of chatter");
        }

        [TestMethod]
        public void DeviceIsUsableAgainOnceTheChatterStopsForTheCooldown()
        {
            ButtonHarness h = ButtonHarness.Fob();
            for (long t = 0; t < 1000; t += 100)
            {
                h.Tap(t, t + 40);
            }
            long quietFrom = 940 + h.Profile.CooldownMs;
            h.Tap(quietFrom, quietFrom + 50).Tap(quietFrom + 300, quietFrom + 350).Tap(quietFrom + 600, quietFrom + 650);
            Assert.AreEqual("Alert,Fault,Alert", h.Kinds());
        }

        [TestMethod]
        public void StuckButtonIsOneFaultAfterItsHolds()
        {
            ButtonHarness h = ButtonHarness.Fob().Press(0).Advance(29999);
            Assert.AreEqual("Alert,Cancel", h.Kinds());
            h.Advance(30000);
            Assert.AreEqual("Alert,Cancel,Fault", h.Kinds());
            h.Advance(120000);
            Assert.AreEqual(3, h.Count, "one fault, not one per poll: " + h.Timeline());
            Assert.AreEqual(-1L, h.Recognizer.NextDeadlineMs);
        }

        [TestMethod]
        public void PressStartedDuringCooldownIsIgnoredButStillReportedWhenStuck()
        {
            ButtonHarness h = ButtonHarness.Fob().Tap(0, 1500); // unmatched long press → cooldown until 2500
            h.Press(2000).Advance(33000);
            Assert.AreEqual("Fault", h.Kinds(), "ignored press: no hold alert, but stuck is reported");
        }

        [TestMethod]
        public void UnmatchedSequenceStartsACooldownThatEndsExactly()
        {
            ButtonHarness h = ButtonHarness.Fob().Tap(0, 1500); // neither tap nor hold
            h.Tap(2499, 2550).Tap(2600, 2650).Tap(2700, 2750);
            h.Advance(10000);
            Assert.IsFalse(h.Saw(ButtonAction.Alert), "first tap at 2499 is inside the cooldown, so only two taps count: " + h.Timeline());
            ButtonHarness g = ButtonHarness.Fob().Tap(0, 1500);
            g.Tap(2500, 2550).Tap(2600, 2650).Tap(2700, 2750);
            Assert.AreEqual("Alert", g.Kinds(), "the cooldown ends at release + 1000 ms");
        }

        [TestMethod]
        public void ABounceStormGivesAtMostOneActionAndOneFaultThenTheButtonWorksAgain()
        {
            // A wet or corroded contact chattering for a minute, at random intervals around the debounce time.
            for (int seed = 1; seed <= 6; seed++)
            {
                TestRandom rng = new TestRandom(seed);
                bool wall = seed % 2 == 0;
                DebouncedButton b = new DebouncedButton(wall ? ButtonProfile.WallButton() : ButtonProfile.Fob());
                long t = 0;
                bool level = false;
                while (t < 60000)
                {
                    t += rng.Next(1, 61);
                    level = !level;
                    b.Raw(level, t).RunUntil(t);
                }
                b.Raw(false, t + 1).RunUntil(t + 5000);
                ButtonHarness h = b.Harness;
                int faults = 0;
                for (int i = 0; i < h.Count; i++)
                {
                    if (h.At(i).Action == ButtonAction.Fault)
                    {
                        faults++;
                    }
                }
                Assert.IsTrue(h.Count - faults <= 1, "seed " + seed.ToString() + ": a storm raised " + h.Timeline());
                Assert.IsTrue(faults <= 1, "seed " + seed.ToString() + ": one fault, not a burst: " + h.Timeline());
                Assert.AreEqual(-1L, h.Recognizer.NextDeadlineMs, "seed " + seed.ToString() + ": settled once quiet");

                // Quiet again: a clean pattern is recognised as usual.
                int before = h.Count;
                long q = t + 6000;
                if (wall)
                {
                    b.Raw(true, q).RunUntil(q + 500).Raw(false, q + 500).RunUntil(q + 3000);
                    Assert.AreEqual(before + 1, h.Count, "seed " + seed.ToString() + ": " + h.Timeline());
                    Assert.AreEqual((int)ButtonAction.HoldUp, (int)h.At(before).Action, h.Timeline());
                }
                else
                {
                    for (int tap = 0; tap < 3; tap++)
                    {
                        long down = q + 300 * tap;
                        b.Raw(true, down).RunUntil(down + 100).Raw(false, down + 100).RunUntil(down + 299);
                    }
                    b.RunUntil(q + 5000);
                    Assert.AreEqual(before + 1, h.Count, "seed " + seed.ToString() + ": " + h.Timeline());
                    Assert.AreEqual((int)ButtonAction.Alert, (int)h.At(before).Action, h.Timeline());
                }
            }
        }

        [TestMethod]
        public void BouncesFasterThanTheDebounceNeverReachTheRecogniser()
        {
            // Ten seconds of 1-29 ms bounces that end where they began: not one stable edge, so nothing at all.
            TestRandom rng = new TestRandom(11);
            DebouncedButton b = new DebouncedButton(ButtonProfile.Fob());
            long t = 0;
            bool level = false;
            while (t < 10000 || level)
            {
                t += rng.Next(1, 30);
                level = !level;
                b.Raw(level, t).RunUntil(t);
            }
            b.RunUntil(t + 5000);
            Assert.IsFalse(b.Debouncer.IsPressed);
            Assert.AreEqual("", b.Harness.Timeline());
        }
    }
}
