using PanicDevice.Receiver.Pipeline;

namespace PanicDevice.Tests.Receiver;

[TestClass]
public class ReplayWindowTests
{
    [TestMethod]
    public void InOrderCountersAreNewThenDuplicates()
    {
        var w = new ReplayWindow();
        for (uint c = 1; c <= 10; c++)
        {
            Assert.AreEqual(ReplayVerdict.New, w.Check(c));
            w.Mark(c);
            Assert.AreEqual(ReplayVerdict.Duplicate, w.Check(c));
        }
        Assert.AreEqual(10u, w.Highest);
    }

    [TestMethod]
    public void OutOfOrderCopiesInsideTheWindowAreAcceptedOnce()
    {
        var w = new ReplayWindow();
        w.Mark(100);
        w.Mark(105);
        Assert.AreEqual(ReplayVerdict.New, w.Check(103), "an SMS copy arriving after later MQTT frames");
        w.Mark(103);
        Assert.AreEqual(ReplayVerdict.Duplicate, w.Check(103));
        Assert.AreEqual(ReplayVerdict.Duplicate, w.Check(100));
        Assert.AreEqual(ReplayVerdict.New, w.Check(104));
    }

    [TestMethod]
    public void WindowEdgeIsExact()
    {
        var w = new ReplayWindow();
        uint top = 10_000;
        w.Mark(top);
        Assert.AreEqual(ReplayVerdict.New, w.Check(top - (ReplayWindow.Size - 1)), "the oldest counter the window still covers");
        Assert.AreEqual(ReplayVerdict.TooOld, w.Check(top - ReplayWindow.Size));
        Assert.AreEqual(ReplayVerdict.TooOld, w.Check(0));
    }

    [TestMethod]
    public void MatchesAReferenceModelOnRandomSequences()
    {
        var rng = new Random(4303);
        for (int run = 0; run < 200; run++)
        {
            var w = new ReplayWindow();
            var seen = new HashSet<uint>();
            uint highest = 0;
            for (int i = 0; i < 500; i++)
            {
                uint c = (uint)Math.Max(1, (long)highest + rng.Next(-300, 80));
                ReplayVerdict expected = c > highest ? ReplayVerdict.New
                    : highest - c >= ReplayWindow.Size ? ReplayVerdict.TooOld
                    : seen.Contains(c) ? ReplayVerdict.Duplicate : ReplayVerdict.New;
                Assert.AreEqual(expected, w.Check(c), "counter " + c + " with highest " + highest);
                if (expected == ReplayVerdict.New)
                {
                    w.Mark(c);
                    seen.Add(c);
                    highest = Math.Max(highest, c);
                }
                if (i % 97 == 0)
                {
                    w = ReplayWindow.FromBytes(w.ToBytes()); // survives a restart
                }
            }
        }
    }

    [TestMethod]
    public void MalformedStoredStateGivesAFreshWindow()
    {
        Assert.AreEqual(0u, ReplayWindow.FromBytes(new byte[] { 1, 2, 3 }).Highest);
        Assert.AreEqual(0u, ReplayWindow.FromBytes(null).Highest);
    }
}
