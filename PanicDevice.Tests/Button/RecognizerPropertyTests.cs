using PanicDevice.Core.Button;

namespace PanicDevice.Tests.Button;

[TestClass]
public class RecognizerPropertyTests
{
    [TestMethod]
    public void RandomEdgeSequencesKeepTheInvariants()
    {
        var rng = new Random(2026);
        foreach (var make in new Func<ButtonProfile>[] { ButtonProfile.Fob, ButtonProfile.WallButton })
        {
            for (int run = 0; run < 10_000; run++)
            {
                var h = new ButtonHarness(make());
                var debouncer = new ButtonDebouncer(h.Profile.DebounceMs, h.Recognizer);
                long t = 0;
                bool level = false;
                int pressDowns = 0;
                int steps = rng.Next(1, 30);
                for (int i = 0; i < steps; i++)
                {
                    t += rng.Next(4) switch { 0 => rng.Next(1, 40), 1 => rng.Next(40, 600), 2 => rng.Next(600, 4000), _ => rng.Next(4000, 40_000) };
                    level = !level;
                    if (level) pressDowns++;
                    debouncer.OnRawEdge(level, t);
                    debouncer.Poll(t);
                    h.Advance(t);
                    long next = h.Recognizer.NextDeadlineMs;
                    Assert.IsTrue(next == -1 || next > t - 1, "deadline behind the clock: " + next + " at " + t);
                }
                debouncer.OnRawEdge(false, t + 1);
                debouncer.Poll(t + 200);
                h.Advance(t + 200_000);
                int alerts = h.Kinds.Count(a => a != ButtonAction.Fault);
                // Each press-down can decide at most its tap pattern plus the hold thresholds of that press.
                int holdsPerPress = h.Profile.Patterns.Count(p => p.Presses == 1 && p.HoldMs > 0);
                Assert.IsLessThanOrEqualTo(pressDowns * Math.Max(1, holdsPerPress), alerts);
                for (int i = 1; i < h.Actions.Count; i++)
                {
                    Assert.IsGreaterThanOrEqualTo(h.Actions[i - 1].AtMs, h.Actions[i].AtMs, "actions are reported in time order");
                }
                Assert.AreEqual(-1L, h.Recognizer.NextDeadlineMs, "settles when the button is released and quiet");
            }
        }
    }

    [TestMethod]
    public void PollingOftenOrRarelyGivesTheSameDecisions()
    {
        var rng = new Random(77);
        for (int run = 0; run < 2000; run++)
        {
            var edges = new List<(bool, long)>();
            long t = 0;
            bool level = false;
            for (int i = rng.Next(2, 16); i > 0; i--)
            {
                t += rng.Next(1, 5000);
                level = !level;
                edges.Add((level, t));
            }
            if (level) edges.Add((false, t + rng.Next(1, 12_000)));
            var often = ButtonHarness.Fob();
            var rarely = ButtonHarness.Fob();
            foreach (var (pressed, at) in edges)
            {
                often.Advance(at);
                if (pressed) often.Press(at); else often.Release(at);
                rarely.Recognizer.OnStableEdge(pressed, at);
            }
            often.Advance(t + 100_000);
            rarely.Recognizer.Poll(t + 100_000);
            CollectionAssert.AreEqual(often.Actions, rarely.Actions);
        }
    }
}
