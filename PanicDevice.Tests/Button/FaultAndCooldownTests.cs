using PanicDevice.Core.Button;

namespace PanicDevice.Tests.Button;

[TestClass]
public class FaultAndCooldownTests
{
    private sealed class EdgeSink : IButtonEdgeListener
    {
        public readonly List<(bool Pressed, long AtMs)> Edges = new();
        public void OnStableEdge(bool pressed, long atMs) => Edges.Add((pressed, atMs));
    }

    [TestMethod]
    public void BouncesCollapseIntoOnePressWithConfirmationTimes()
    {
        var sink = new EdgeSink();
        var d = new ButtonDebouncer(30, sink);
        long t = 1000;
        d.OnRawEdge(true, t);
        for (int i = 0; i < 5; i++) { d.OnRawEdge(false, t + 2 * i + 1); d.OnRawEdge(true, t + 2 * i + 2); }
        d.Poll(t + 10 + 29);
        Assert.IsEmpty(sink.Edges, "the level has not held 30 ms since the last bounce");
        d.Poll(t + 10 + 30);
        CollectionAssert.AreEqual(new[] { (true, t + 40) }, sink.Edges);
        d.OnRawEdge(false, 1500);
        d.OnRawEdge(true, 1510);
        d.OnRawEdge(false, 1520);
        d.Poll(1549);
        Assert.HasCount(1, sink.Edges);
        d.Poll(1550);
        CollectionAssert.AreEqual(new[] { (true, t + 40), (false, 1550L) }, sink.Edges);
        Assert.AreEqual(-1L, d.NextDeadlineMs);
    }

    [TestMethod]
    public void DebouncerToleratesTimeGoingBackwards()
    {
        var sink = new EdgeSink();
        var d = new ButtonDebouncer(30, sink);
        d.OnRawEdge(true, 1000);
        d.OnRawEdge(false, 900); // clamped to 1000: an immediate bounce back
        d.Poll(5000);
        Assert.IsEmpty(sink.Edges);
    }

    [TestMethod]
    public void BouncyTripleTapThroughTheDebouncerStillAlertsOnce()
    {
        var h = ButtonHarness.Fob();
        var d = new ButtonDebouncer(30, h.Recognizer);
        long t = 0;
        for (int tap = 0; tap < 3; tap++)
        {
            foreach (bool level in new[] { true, false, true, false, true }) { d.OnRawEdge(level, t); t += 2; }
            t += 100;
            foreach (bool level in new[] { false, true, false }) { d.OnRawEdge(level, t); t += 2; }
            t += 200;
            d.Poll(t);
            h.Advance(t);
        }
        d.Poll(t + 100);
        h.Advance(t + 100);
        CollectionAssert.AreEqual(new[] { ButtonAction.Alert }, h.Kinds);
    }

    [TestMethod]
    public void ChatterAfterADecisionIsOneFaultNeverMoreAlerts()
    {
        var h = ButtonHarness.Fob();
        for (long t = 0; t < 10_000; t += 100) h.Tap(t, t + 40);
        h.Advance(20_000);
        CollectionAssert.AreEqual(new[] { ButtonAction.Alert, ButtonAction.Fault }, h.Kinds, "ten seconds of chatter");
    }

    [TestMethod]
    public void DeviceIsUsableAgainOnceTheChatterStopsForTheCooldown()
    {
        var h = ButtonHarness.Fob();
        for (long t = 0; t < 1000; t += 100) h.Tap(t, t + 40);
        long quietFrom = 940 + h.Profile.CooldownMs;
        h.Tap(quietFrom, quietFrom + 50).Tap(quietFrom + 300, quietFrom + 350).Tap(quietFrom + 600, quietFrom + 650);
        CollectionAssert.AreEqual(new[] { ButtonAction.Alert, ButtonAction.Fault, ButtonAction.Alert }, h.Kinds);
    }

    [TestMethod]
    public void StuckButtonIsOneFaultAfterItsHolds()
    {
        var h = ButtonHarness.Fob().Press(0).Advance(29_999);
        CollectionAssert.AreEqual(new[] { ButtonAction.Alert, ButtonAction.Cancel }, h.Kinds);
        h.Advance(30_000);
        CollectionAssert.AreEqual(new[] { ButtonAction.Alert, ButtonAction.Cancel, ButtonAction.Fault }, h.Kinds);
        h.Advance(120_000);
        Assert.HasCount(3, h.Actions, "one fault, not one per poll");
        Assert.AreEqual(-1L, h.Recognizer.NextDeadlineMs);
    }

    [TestMethod]
    public void PressStartedDuringCooldownIsIgnoredButStillReportedWhenStuck()
    {
        var h = ButtonHarness.Fob().Tap(0, 1500); // unmatched long press → cooldown until 2500
        h.Press(2000).Advance(33_000);
        CollectionAssert.AreEqual(new[] { ButtonAction.Fault }, h.Kinds, "ignored press: no hold alert, but stuck is reported");
    }

    [TestMethod]
    public void UnmatchedSequenceStartsACooldownThatEndsExactly()
    {
        var h = ButtonHarness.Fob().Tap(0, 1500); // neither tap nor hold
        h.Tap(2499, 2550).Tap(2600, 2650).Tap(2700, 2750);
        h.Advance(10_000);
        Assert.IsFalse(h.Kinds.Contains(ButtonAction.Alert), "first tap at 2499 is inside the cooldown, so only two taps count");
        var g = ButtonHarness.Fob().Tap(0, 1500);
        g.Tap(2500, 2550).Tap(2600, 2650).Tap(2700, 2750);
        CollectionAssert.AreEqual(new[] { ButtonAction.Alert }, g.Kinds, "the cooldown ends at release + 1000 ms");
    }
}
