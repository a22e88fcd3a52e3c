using PanicDevice.Core.Button;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Button
{
    [TestClass]
    public class RecognizerPropertyTests
    {
        /// <summary>A gap between raw edges: bounce, tap, hold or idle, each a quarter of the time.</summary>
        private static int Gap(TestRandom rng)
        {
            switch (rng.Next(4))
            {
                case 0: return rng.Next(1, 40);
                case 1: return rng.Next(40, 600);
                case 2: return rng.Next(600, 4000);
                default: return rng.Next(4000, 40000);
            }
        }

        [TestMethod]
        public void RandomEdgeSequencesKeepTheInvariants()
        {
            TestRandom rng = new TestRandom(2026);
            for (int kind = 0; kind < 2; kind++)
            {
                for (int run = 0; run < 10000; run++)
                {
                    ButtonHarness h = new ButtonHarness(kind == 0 ? ButtonProfile.Fob() : ButtonProfile.WallButton());
                    ButtonDebouncer debouncer = new ButtonDebouncer(h.Profile.DebounceMs, h.Recognizer);
                    long t = 0;
                    bool level = false;
                    int pressDowns = 0;
                    int steps = rng.Next(1, 30);
                    for (int i = 0; i < steps; i++)
                    {
                        t += Gap(rng);
                        level = !level;
                        if (level)
                        {
                            pressDowns++;
                        }
                        debouncer.OnRawEdge(level, t);
                        debouncer.Poll(t);
                        h.Advance(t);
                        long next = h.Recognizer.NextDeadlineMs;
                        Assert.IsTrue(next == -1 || next > t - 1, "deadline behind the clock: " + next.ToString() + " at " + t.ToString());
                    }
                    debouncer.OnRawEdge(false, t + 1);
                    debouncer.Poll(t + 200);
                    h.Advance(t + 200000);
                    int alerts = 0;
                    for (int i = 0; i < h.Count; i++)
                    {
                        if (h.At(i).Action != ButtonAction.Fault)
                        {
                            alerts++;
                        }
                    }
                    // Each press-down can decide at most its tap pattern plus the hold thresholds of that press.
                    int holdsPerPress = 0;
                    for (int i = 0; i < h.Profile.Patterns.Length; i++)
                    {
                        if (h.Profile.Patterns[i].Presses == 1 && h.Profile.Patterns[i].HoldMs > 0)
                        {
                            holdsPerPress++;
                        }
                    }
                    int bound = pressDowns * (holdsPerPress > 1 ? holdsPerPress : 1);
                    Assert.IsTrue(alerts <= bound, alerts.ToString() + " actions from " + pressDowns.ToString() + " presses: " + h.Timeline());
                    for (int i = 1; i < h.Count; i++)
                    {
                        Assert.IsTrue(h.At(i).AtMs >= h.At(i - 1).AtMs, "actions are reported in time order: " + h.Timeline());
                    }
                    Assert.AreEqual(-1L, h.Recognizer.NextDeadlineMs, "settles when the button is released and quiet");
                }
            }
        }

        [TestMethod]
        public void PollingOftenOrRarelyGivesTheSameDecisions()
        {
            TestRandom rng = new TestRandom(77);
            for (int run = 0; run < 2000; run++)
            {
                bool[] levels = new bool[17];
                long[] times = new long[17];
                int n = 0;
                long t = 0;
                bool level = false;
                for (int i = rng.Next(2, 16); i > 0; i--)
                {
                    t += rng.Next(1, 5000);
                    level = !level;
                    levels[n] = level;
                    times[n] = t;
                    n++;
                }
                if (level)
                {
                    levels[n] = false;
                    times[n] = t + rng.Next(1, 12000);
                    n++;
                }
                ButtonHarness often = ButtonHarness.Fob();
                ButtonHarness rarely = ButtonHarness.Fob();
                for (int i = 0; i < n; i++)
                {
                    often.Advance(times[i]);
                    if (levels[i])
                    {
                        often.Press(times[i]);
                    }
                    else
                    {
                        often.Release(times[i]);
                    }
                    rarely.Recognizer.OnStableEdge(levels[i], times[i]);
                }
                often.Advance(t + 100000);
                rarely.Recognizer.Poll(t + 100000);
                Assert.AreEqual(often.Timeline(), rarely.Timeline(), "run " + run.ToString());
            }
        }
    }
}
