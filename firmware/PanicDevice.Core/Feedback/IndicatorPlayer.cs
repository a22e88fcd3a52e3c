namespace PanicDevice.Core.Feedback
{
    /// <summary>
    /// Plays <see cref="IndicatorPattern"/>s on an <see cref="IIndicator"/>, driven by Poll like the rest of
    /// Core. A new event replaces whatever is playing: the newest state is the one the wearer needs.
    /// </summary>
    public class IndicatorPlayer : IFeedbackListener
    {
        private readonly IIndicator indicator;
        private readonly bool silent;
        private IndicatorPattern pattern;
        private int step;
        private int round;
        private long stepEndsMs = -1;
        private bool ledOn;
        private bool motorOn;

        /// <summary>Starts dark; <paramref name="silent"/> is DeviceConfig.SilentFeedback.</summary>
        public IndicatorPlayer(IIndicator indicator, bool silent)
        {
            this.indicator = indicator;
            this.silent = silent;
        }

        /// <summary>True while a pattern is playing.</summary>
        public bool IsPlaying
        {
            get { return pattern != null; }
        }

        /// <summary>When <see cref="Poll"/> next switches an output; -1 when idle.</summary>
        public long NextDeadlineMs
        {
            get { return stepEndsMs; }
        }

        /// <summary>Shows the pattern for a delivery event.</summary>
        public void OnFeedback(FeedbackEvent feedback, long atMs)
        {
            IndicatorPattern p = IndicatorPattern.For(feedback, silent);
            if (p != null)
            {
                Play(p, atMs);
            }
        }

        /// <summary>Starts a pattern now, replacing the current one.</summary>
        public void Play(IndicatorPattern p, long nowMs)
        {
            pattern = p;
            step = 0;
            round = 0;
            if (p == null || p.StepsMs == null || p.StepsMs.Length == 0)
            {
                Stop();
                return;
            }
            stepEndsMs = nowMs + p.StepsMs[0];
            Show(true);
        }

        /// <summary>Advances the rhythm; call at NextDeadlineMs.</summary>
        public void Poll(long nowMs)
        {
            while (pattern != null && stepEndsMs >= 0 && nowMs >= stepEndsMs)
            {
                step++;
                if (step >= pattern.StepsMs.Length)
                {
                    round++;
                    if (pattern.Repeats > 0 && round >= pattern.Repeats)
                    {
                        Stop();
                        return;
                    }
                    step = 0;
                }
                stepEndsMs += pattern.StepsMs[step];
                Show(step % 2 == 0);
            }
        }

        private void Stop()
        {
            pattern = null;
            stepEndsMs = -1;
            Apply(false, false);
        }

        private void Show(bool on)
        {
            Apply(on && pattern.UsesLed, on && pattern.UsesVibration);
        }

        private void Apply(bool led, bool motor)
        {
            if (led != ledOn || motor != motorOn)
            {
                ledOn = led;
                motorOn = motor;
                indicator.Set(led, motor);
            }
        }
    }
}
