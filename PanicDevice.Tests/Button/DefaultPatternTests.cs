using PanicDevice.Core.Button;

namespace PanicDevice.Tests.Button
{
    [TestClass]
    public class DefaultPatternTests
    {
        [TestMethod]
        public void FobTripleTapAlertsAtTheThirdReleaseWithoutWaitingForTheWindow()
        {
            ButtonHarness h = ButtonHarness.Fob().Tap(0, 120).Tap(400, 520).Tap(800, 930);
            Assert.AreEqual("Alert@930", h.Timeline());
            h.Advance(10000);
            Assert.AreEqual(1, h.Count, "nothing more happens: " + h.Timeline());
        }

        [TestMethod]
        public void FobTripleTapWindowBoundaryIsInclusive()
        {
            ButtonHarness inside = ButtonHarness.Fob().Tap(0, 100).Tap(1000, 1100).Tap(2000, 2100);
            Assert.AreEqual("Alert", inside.Kinds());
            ButtonHarness outside = ButtonHarness.Fob().Tap(0, 100).Tap(1000, 1100).Tap(2001, 2101);
            outside.Advance(20000);
            Assert.IsFalse(outside.Saw(ButtonAction.Alert), "third press 1 ms after the window: " + outside.Timeline());
        }

        [TestMethod]
        public void FobTapMaximumBoundary()
        {
            ButtonHarness atMax = ButtonHarness.Fob().Tap(0, 1000).Tap(1100, 1200).Tap(1300, 1400);
            Assert.AreEqual("Alert", atMax.Kinds(), "a 1000 ms press is still a tap");
            ButtonHarness over = ButtonHarness.Fob().Tap(0, 1001).Tap(1100, 1200).Tap(1300, 1400);
            over.Advance(20000);
            Assert.AreEqual("", over.Timeline(), "a 1001 ms press is neither tap nor hold: unmatched");
        }

        [TestMethod]
        public void FobHoldThreeSecondsAlertsWhileStillHeld()
        {
            ButtonHarness h = ButtonHarness.Fob().Press(500).Advance(3499);
            Assert.AreEqual("", h.Timeline(), "1 ms before the threshold");
            h.Advance(3500);
            Assert.AreEqual("Alert@3500", h.Timeline());
            Assert.AreEqual(8500L, h.Recognizer.NextDeadlineMs, "the cancel threshold is next");
            h.Release(4000).Advance(20000);
            Assert.AreEqual(1, h.Count, h.Timeline());
        }

        [TestMethod]
        public void HoldReachedExactlyAtTheReleaseFires()
        {
            ButtonHarness h = ButtonHarness.Fob();
            h.Recognizer.OnStableEdge(true, 0);
            h.Recognizer.OnStableEdge(false, 3000); // no poll in between: the release itself must catch up
            Assert.AreEqual("Alert@3000", h.Timeline());
            ButtonHarness early = ButtonHarness.Fob();
            early.Recognizer.OnStableEdge(true, 0);
            early.Recognizer.OnStableEdge(false, 2999);
            early.Advance(20000);
            Assert.AreEqual("", early.Timeline());
        }

        [TestMethod]
        public void FobHoldEightSecondsAlertsFirstThenCancels()
        {
            ButtonHarness h = ButtonHarness.Fob().Press(0).Advance(7999);
            Assert.AreEqual("Alert@3000", h.Timeline(), "the alert is never held back");
            h.Advance(8000);
            Assert.AreEqual("Alert@3000,Cancel@8000", h.Timeline());
            h.Release(9000).Advance(30000);
            Assert.AreEqual(2, h.Count, h.Timeline());
        }

        [TestMethod]
        public void FobTapThenHoldEightSecondsIsDuressCancelAndNoAlert()
        {
            ButtonHarness h = ButtonHarness.Fob().Tap(0, 100).Press(600).Advance(8599);
            Assert.AreEqual("", h.Timeline(), "no 3 s alert on the second press");
            h.Advance(8600);
            Assert.AreEqual("DuressCancel@8600", h.Timeline());
            ButtonHarness late = ButtonHarness.Fob().Tap(0, 100).Press(2001).Advance(12000);
            Assert.IsFalse(late.Saw(ButtonAction.DuressCancel), "second press outside the 2 s window: " + late.Timeline());
        }

        [TestMethod]
        public void FobSingleOrDoubleTapDoesNothingAndDecidesOneMsAfterTheWindow()
        {
            ButtonHarness h = ButtonHarness.Fob().Tap(0, 100).Tap(300, 400);
            Assert.AreEqual(2001L, h.Recognizer.NextDeadlineMs, "waits only while a longer pattern could still match");
            h.Advance(2001);
            Assert.AreEqual("", h.Timeline());
            Assert.AreEqual(-1L, h.Recognizer.NextDeadlineMs);
        }

        [TestMethod]
        public void WallSinglePressOfAnyLengthUnderTenSecondsIsHoldUpAtRelease()
        {
            long[] lengths = { 40, 800, 4000, 9999 };
            foreach (long length in lengths)
            {
                ButtonHarness h = ButtonHarness.Wall().Press(0).Advance(length - 1);
                Assert.AreEqual("", h.Timeline(), "nothing before the release");
                h.Release(length);
                Assert.AreEqual("HoldUp@" + length.ToString(), h.Timeline(), "press of " + length.ToString() + " ms");
            }
        }

        [TestMethod]
        public void WallHoldTenSecondsIsTestWhileHeldAndNoHoldUp()
        {
            ButtonHarness h = ButtonHarness.Wall().Press(0).Advance(10000);
            Assert.AreEqual("Test@10000", h.Timeline());
            h.Release(12000).Advance(40000);
            Assert.AreEqual(1, h.Count, h.Timeline());
        }

        [TestMethod]
        public void EarliestDecisionWaitsForALongerPatternOnlyUntilItsWindowCloses()
        {
            ButtonProfile profile = new ButtonProfile();
            profile.Patterns = new ButtonPattern[]
            {
                new ButtonPattern(ButtonAction.Alert, 3, 0, 2000),
                new ButtonPattern(ButtonAction.Test, 4, 0, 2000),
            };
            ButtonHarness h = new ButtonHarness(profile).Tap(0, 100).Tap(300, 400).Tap(600, 700);
            Assert.AreEqual("", h.Timeline(), "a fourth tap could still come");
            h.Advance(2000);
            Assert.AreEqual("", h.Timeline());
            h.Advance(2001);
            Assert.AreEqual("Alert@2001", h.Timeline());

            ButtonHarness four = new ButtonHarness(profile).Tap(0, 100).Tap(300, 400).Tap(600, 700).Tap(900, 1000);
            Assert.AreEqual("Test@1000", four.Timeline(), "nothing longer: decided at the release");
        }

        [TestMethod]
        public void DuressCancelAndCancelAreToldApartAfterAnAlert()
        {
            // The realistic order: an alert is raised, then someone makes the wearer cancel it. Holding 8 s is a
            // plain cancel (its 3 s alert comes first, as always); a tap then holding 8 s is the duress cancel.
            ButtonHarness plain = ButtonHarness.Fob().Press(0).Release(3500).Press(5000).Release(13500);
            plain.Advance(30000);
            Assert.AreEqual("Alert@3000,Alert@8000,Cancel@13000", plain.Timeline());
            ButtonHarness duress = ButtonHarness.Fob().Press(0).Release(3500).Tap(5000, 5200).Press(6000).Release(14500);
            duress.Advance(30000);
            Assert.AreEqual("Alert@3000,DuressCancel@14000", duress.Timeline(), "no plain Cancel and no second Alert on the duress hold");
        }

        [TestMethod]
        public void ADuressHoldReleasedEarlyIsNeverAPlainCancel()
        {
            // A duress attempt cut short must not cancel the alert as if the wearer were safe.
            long[] releases = { 1100, 3000, 7999 };
            foreach (long heldMs in releases)
            {
                ButtonHarness h = ButtonHarness.Fob().Tap(0, 100).Press(600).Release(600 + heldMs);
                h.Advance(60000);
                Assert.IsFalse(h.Saw(ButtonAction.Cancel), "held " + heldMs.ToString() + " ms: " + h.Timeline());
                Assert.IsFalse(h.Saw(ButtonAction.DuressCancel), "held " + heldMs.ToString() + " ms: " + h.Timeline());
            }
        }

        [TestMethod]
        public void ADoubleTapIsDecidedAtItsReleaseWhenOnlyAHoldSharesItsPressCount()
        {
            // No longer tap pattern exists, so nothing is gained by waiting for the window: decide at the release.
            ButtonProfile profile = ButtonProfile.Fob();
            profile.Patterns = new ButtonPattern[]
            {
                new ButtonPattern(ButtonAction.Alert, 2, 0, 1500),
                new ButtonPattern(ButtonAction.DuressCancel, 2, 6000, 1500),
            };
            Assert.IsNull(profile.Validate());
            ButtonHarness h = new ButtonHarness(profile).Tap(0, 100).Tap(1400, 1480);
            Assert.AreEqual("Alert@1480", h.Timeline());
            Assert.AreEqual(-1L, h.Recognizer.NextDeadlineMs, "nothing left to wait for");
            ButtonHarness held = new ButtonHarness(profile).Tap(0, 100).Press(1400).Advance(7399);
            Assert.AreEqual("", held.Timeline(), "the second press may still become the duress hold");
            held.Advance(7400);
            Assert.AreEqual("DuressCancel@7400", held.Timeline());
        }

        [TestMethod]
        public void AReleaseConfirmedAfterAHoldDeadlineIsStillDecidedByTheRelease()
        {
            // The main loop can come late (a modem command in progress). A release that happened before the hold
            // threshold is confirmed at its own time, so it decides, even though the threshold passed by the poll.
            DebouncedButton wall = new DebouncedButton(ButtonProfile.WallButton());
            wall.Raw(true, 0).PollAt(30);
            wall.Raw(false, 9995).PollAt(10100);
            Assert.AreEqual("HoldUp@10025", wall.Harness.Timeline(), "a 9,995 ms press is a hold-up, not a test");
            wall.RunUntil(70000);
            Assert.AreEqual(1, wall.Harness.Count, wall.Harness.Timeline());

            DebouncedButton fob = new DebouncedButton(ButtonProfile.Fob());
            fob.Raw(true, 0).PollAt(30);
            fob.Raw(false, 2990).PollAt(3500);
            fob.RunUntil(40000);
            Assert.AreEqual("", fob.Harness.Timeline(), "a 2,990 ms press is not a 3 s hold, however late the loop polls");
        }
    }
}
