using PanicDevice.Core.Button;

namespace PanicDevice.Tests.Button;

[TestClass]
public class DefaultPatternTests
{
    [TestMethod]
    public void FobTripleTapAlertsAtTheThirdReleaseWithoutWaitingForTheWindow()
    {
        var h = ButtonHarness.Fob().Tap(0, 120).Tap(400, 520).Tap(800, 930);
        CollectionAssert.AreEqual(new[] { (ButtonAction.Alert, 930L) }, h.Actions);
        h.Advance(10_000);
        Assert.HasCount(1, h.Actions, "nothing more happens");
    }

    [TestMethod]
    public void FobTripleTapWindowBoundaryIsInclusive()
    {
        var inside = ButtonHarness.Fob().Tap(0, 100).Tap(1000, 1100).Tap(2000, 2100);
        CollectionAssert.AreEqual(new[] { ButtonAction.Alert }, inside.Kinds);
        var outside = ButtonHarness.Fob().Tap(0, 100).Tap(1000, 1100).Tap(2001, 2101);
        outside.Advance(20_000);
        Assert.IsFalse(outside.Kinds.Contains(ButtonAction.Alert), "third press 1 ms after the window");
    }

    [TestMethod]
    public void FobTapMaximumBoundary()
    {
        var atMax = ButtonHarness.Fob().Tap(0, 1000).Tap(1100, 1200).Tap(1300, 1400);
        CollectionAssert.AreEqual(new[] { ButtonAction.Alert }, atMax.Kinds, "a 1000 ms press is still a tap");
        var over = ButtonHarness.Fob().Tap(0, 1001).Tap(1100, 1200).Tap(1300, 1400);
        over.Advance(20_000);
        Assert.IsEmpty(over.Actions, "a 1001 ms press is neither tap nor hold: unmatched");
    }

    [TestMethod]
    public void FobHoldThreeSecondsAlertsWhileStillHeld()
    {
        var h = ButtonHarness.Fob().Press(500).Advance(3499);
        Assert.IsEmpty(h.Actions, "1 ms before the threshold");
        h.Advance(3500);
        CollectionAssert.AreEqual(new[] { (ButtonAction.Alert, 3500L) }, h.Actions);
        Assert.AreEqual(8500L, h.Recognizer.NextDeadlineMs, "the cancel threshold is next");
        h.Release(4000).Advance(20_000);
        Assert.HasCount(1, h.Actions);
    }

    [TestMethod]
    public void HoldReachedExactlyAtTheReleaseFires()
    {
        var h = ButtonHarness.Fob();
        h.Recognizer.OnStableEdge(true, 0);
        h.Recognizer.OnStableEdge(false, 3000); // no poll in between: the release itself must catch up
        CollectionAssert.AreEqual(new[] { (ButtonAction.Alert, 3000L) }, h.Actions);
        var early = ButtonHarness.Fob();
        early.Recognizer.OnStableEdge(true, 0);
        early.Recognizer.OnStableEdge(false, 2999);
        early.Advance(20_000);
        Assert.IsEmpty(early.Actions);
    }

    [TestMethod]
    public void FobHoldEightSecondsAlertsFirstThenCancels()
    {
        var h = ButtonHarness.Fob().Press(0).Advance(7999);
        CollectionAssert.AreEqual(new[] { (ButtonAction.Alert, 3000L) }, h.Actions, "the alert is never held back");
        h.Advance(8000);
        CollectionAssert.AreEqual(new[] { (ButtonAction.Alert, 3000L), (ButtonAction.Cancel, 8000L) }, h.Actions);
        h.Release(9000).Advance(30_000);
        Assert.HasCount(2, h.Actions);
    }

    [TestMethod]
    public void FobTapThenHoldEightSecondsIsDuressCancelAndNoAlert()
    {
        var h = ButtonHarness.Fob().Tap(0, 100).Press(600).Advance(8599);
        Assert.IsEmpty(h.Actions, "no 3 s alert on the second press");
        h.Advance(8600);
        CollectionAssert.AreEqual(new[] { (ButtonAction.DuressCancel, 8600L) }, h.Actions);
        var late = ButtonHarness.Fob().Tap(0, 100).Press(2001).Advance(12_000);
        Assert.IsFalse(late.Kinds.Contains(ButtonAction.DuressCancel), "second press outside the 2 s window");
    }

    [TestMethod]
    public void FobSingleOrDoubleTapDoesNothingAndDecidesOneMsAfterTheWindow()
    {
        var h = ButtonHarness.Fob().Tap(0, 100).Tap(300, 400);
        Assert.AreEqual(2001L, h.Recognizer.NextDeadlineMs, "waits only while a longer pattern could still match");
        h.Advance(2001);
        Assert.IsEmpty(h.Actions);
        Assert.AreEqual(-1L, h.Recognizer.NextDeadlineMs);
    }

    [TestMethod]
    public void WallSinglePressOfAnyLengthUnderTenSecondsIsHoldUpAtRelease()
    {
        foreach (long length in new long[] { 40, 800, 4000, 9999 })
        {
            var h = ButtonHarness.Wall().Press(0).Advance(length - 1);
            Assert.IsEmpty(h.Actions, "nothing before the release");
            h.Release(length);
            CollectionAssert.AreEqual(new[] { (ButtonAction.HoldUp, length) }, h.Actions, "press of " + length + " ms");
        }
    }

    [TestMethod]
    public void WallHoldTenSecondsIsTestWhileHeldAndNoHoldUp()
    {
        var h = ButtonHarness.Wall().Press(0).Advance(10_000);
        CollectionAssert.AreEqual(new[] { (ButtonAction.Test, 10_000L) }, h.Actions);
        h.Release(12_000).Advance(40_000);
        Assert.HasCount(1, h.Actions);
    }

    [TestMethod]
    public void EarliestDecisionWaitsForALongerPatternOnlyUntilItsWindowCloses()
    {
        var profile = new ButtonProfile
        {
            Patterns = new[]
            {
                new ButtonPattern(ButtonAction.Alert, 3, 0, 2000),
                new ButtonPattern(ButtonAction.Test, 4, 0, 2000),
            },
        };
        var h = new ButtonHarness(profile).Tap(0, 100).Tap(300, 400).Tap(600, 700);
        Assert.IsEmpty(h.Actions, "a fourth tap could still come");
        h.Advance(2000);
        Assert.IsEmpty(h.Actions);
        h.Advance(2001);
        CollectionAssert.AreEqual(new[] { (ButtonAction.Alert, 2001L) }, h.Actions);

        var four = new ButtonHarness(profile).Tap(0, 100).Tap(300, 400).Tap(600, 700).Tap(900, 1000);
        CollectionAssert.AreEqual(new[] { (ButtonAction.Test, 1000L) }, four.Actions, "nothing longer: decided at the release");
    }
}
