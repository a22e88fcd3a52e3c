using System.Collections;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Feedback
{
    [TestClass]
    public class IndicatorPlayerTests
    {
        /// <summary>Records each output change as two letters: L or - for the LED, M or - for the motor.</summary>
        private sealed class Recorder : IIndicator
        {
            public readonly ArrayList Changes = new ArrayList();

            public void Set(bool ledOn, bool vibrationOn)
            {
                Changes.Add((ledOn ? "L" : "-") + (vibrationOn ? "M" : "-"));
            }

            public string Text()
            {
                string text = "";
                for (int i = 0; i < Changes.Count; i++)
                {
                    text += (i > 0 ? "," : "") + (string)Changes[i];
                }
                return text;
            }
        }

        private static string Play(FeedbackEvent e, bool silent)
        {
            Recorder r = new Recorder();
            IndicatorPlayer player = new IndicatorPlayer(r, silent);
            player.OnFeedback(e, 1000);
            for (int guard = 0; guard < 100 && player.NextDeadlineMs >= 0; guard++)
            {
                player.Poll(player.NextDeadlineMs);
            }
            Assert.IsFalse(player.IsPlaying);
            return r.Text();
        }

        private static string Steps(int[] steps)
        {
            string text = "";
            for (int i = 0; i < steps.Length; i++)
            {
                text += (i > 0 ? "," : "") + steps[i].ToString();
            }
            return text;
        }

        [TestMethod]
        public void AcknowledgedIsTwoPulsesThenDark()
        {
            Assert.AreEqual("LM,--,LM,--", Play(FeedbackEvent.Acknowledged, false));
        }

        [TestMethod]
        public void SilentDeviceOnlyVibrates()
        {
            Assert.AreEqual("-M,--,-M,--", Play(FeedbackEvent.Acknowledged, true));
        }

        [TestMethod]
        public void EveryEventHasADistinctPattern()
        {
            Hashtable seen = new Hashtable();
            FeedbackEvent[] events = { FeedbackEvent.Sending, FeedbackEvent.Acknowledged, FeedbackEvent.OperatorHasIt, FeedbackEvent.ResponderOnTheWay, FeedbackEvent.SmsFallback, FeedbackEvent.Failed, FeedbackEvent.Cancelled };
            foreach (FeedbackEvent e in events)
            {
                IndicatorPattern p = IndicatorPattern.For(e, false);
                string name = "event " + ((int)e).ToString();
                Assert.IsNotNull(p, name + " shows nothing");
                Assert.AreEqual(1, p.StepsMs.Length % 2, name + " must end dark after its last pulse");
                string rhythm = Steps(p.StepsMs);
                Assert.IsFalse(seen.Contains(rhythm), name + " looks like another event: " + rhythm);
                seen.Add(rhythm, e);
            }
        }

        [TestMethod]
        public void ConfigurationFaultBlinksUntilReplacedEvenWhenSilent()
        {
            Recorder r = new Recorder();
            IndicatorPlayer player = new IndicatorPlayer(r, true);
            player.Play(IndicatorPattern.ConfigurationFault(), 0);
            for (int i = 0; i < 30; i++)
            {
                player.Poll(player.NextDeadlineMs);
            }
            Assert.IsTrue(player.IsPlaying);
            Assert.IsTrue(r.Changes.Count >= 30, r.Changes.Count.ToString() + " changes");
            string all = r.Text();
            Assert.IsTrue(all.IndexOf('M') < 0, "the motor never runs: " + all);
            Assert.IsTrue(all.IndexOf('L') >= 0, "the LED blinks: " + all);
        }

        [TestMethod]
        public void ANewEventReplacesThePlayingOne()
        {
            Recorder r = new Recorder();
            IndicatorPlayer player = new IndicatorPlayer(r, false);
            player.OnFeedback(FeedbackEvent.Sending, 0);
            player.OnFeedback(FeedbackEvent.Cancelled, 100);
            Assert.AreEqual(250L, player.NextDeadlineMs);
            player.Poll(250);
            Assert.IsFalse(player.IsPlaying);
            Assert.AreEqual("--", (string)r.Changes[r.Changes.Count - 1]);
        }
    }
}
