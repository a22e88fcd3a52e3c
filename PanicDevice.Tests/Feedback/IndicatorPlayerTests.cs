using PanicDevice.Core.Delivery;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Feedback;

[TestClass]
public class IndicatorPlayerTests
{
    private sealed class Recorder : IIndicator
    {
        public readonly List<(bool Led, bool Motor)> Changes = new();
        public void Set(bool ledOn, bool vibrationOn) => Changes.Add((ledOn, vibrationOn));
    }

    private static List<(bool, bool)> Play(FeedbackEvent e, bool silent)
    {
        var r = new Recorder();
        var player = new IndicatorPlayer(r, silent);
        player.OnFeedback(e, 1000);
        for (int guard = 0; guard < 100 && player.NextDeadlineMs >= 0; guard++)
        {
            player.Poll(player.NextDeadlineMs);
        }
        Assert.IsFalse(player.IsPlaying);
        return r.Changes;
    }

    [TestMethod]
    public void AcknowledgedIsTwoPulsesThenDark()
    {
        CollectionAssert.AreEqual(new List<(bool, bool)> { (true, true), (false, false), (true, true), (false, false) }, Play(FeedbackEvent.Acknowledged, silent: false));
    }

    [TestMethod]
    public void SilentDeviceOnlyVibrates()
    {
        CollectionAssert.AreEqual(new List<(bool, bool)> { (false, true), (false, false), (false, true), (false, false) }, Play(FeedbackEvent.Acknowledged, silent: true));
    }

    [TestMethod]
    public void EveryEventHasADistinctPattern()
    {
        var seen = new HashSet<string>();
        foreach (FeedbackEvent e in new[] { FeedbackEvent.Sending, FeedbackEvent.Acknowledged, FeedbackEvent.ResponderOnTheWay, FeedbackEvent.SmsFallback, FeedbackEvent.Failed, FeedbackEvent.Cancelled })
        {
            var p = IndicatorPattern.For(e, false)!;
            Assert.AreEqual(1, p.StepsMs.Length % 2, e + " must end dark after its last pulse");
            Assert.IsTrue(seen.Add(string.Join(",", p.StepsMs)), e + " looks like another event");
        }
    }

    [TestMethod]
    public void ConfigurationFaultBlinksUntilReplacedEvenWhenSilent()
    {
        var r = new Recorder();
        var player = new IndicatorPlayer(r, silent: true);
        player.Play(IndicatorPattern.ConfigurationFault(), 0);
        for (int i = 0; i < 30; i++)
        {
            player.Poll(player.NextDeadlineMs);
        }
        Assert.IsTrue(player.IsPlaying);
        Assert.IsTrue(r.Changes.Count >= 30);
        Assert.IsTrue(r.Changes.TrueForAll(c => !c.Motor));
        Assert.IsTrue(r.Changes.Exists(c => c.Led));
    }

    [TestMethod]
    public void ANewEventReplacesThePlayingOne()
    {
        var r = new Recorder();
        var player = new IndicatorPlayer(r, silent: false);
        player.OnFeedback(FeedbackEvent.Sending, 0);
        player.OnFeedback(FeedbackEvent.Cancelled, 100);
        Assert.AreEqual(250, player.NextDeadlineMs);
        player.Poll(250);
        Assert.IsFalse(player.IsPlaying);
        Assert.AreEqual((false, false), r.Changes[^1]);
    }
}
