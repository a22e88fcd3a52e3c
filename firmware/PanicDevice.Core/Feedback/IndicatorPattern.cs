namespace PanicDevice.Core.Feedback
{
    /// <summary>
    /// An on/off rhythm for the LED and the motor: <see cref="StepsMs"/> alternate on, off, on, … starting
    /// with on, and the whole rhythm plays <see cref="Repeats"/> times (0 = until replaced).
    /// </summary>
    public class IndicatorPattern
    {
        /// <summary>Durations in milliseconds, alternating on and off, starting with on.</summary>
        public readonly int[] StepsMs;
        /// <summary>How often the rhythm plays; 0 repeats until another pattern replaces it.</summary>
        public readonly int Repeats;
        /// <summary>Whether the LED follows the rhythm.</summary>
        public readonly bool UsesLed;
        /// <summary>Whether the motor follows the rhythm.</summary>
        public readonly bool UsesVibration;

        /// <summary>Creates a pattern.</summary>
        public IndicatorPattern(int[] stepsMs, int repeats, bool usesLed, bool usesVibration)
        {
            StepsMs = stepsMs;
            Repeats = repeats;
            UsesLed = usesLed;
            UsesVibration = usesVibration;
        }

        /// <summary>
        /// The pattern for a feedback event, told apart by count and length so the wearer can read them
        /// without looking: one long = stored/sending, two short = received by the system (stored, no person yet),
        /// two long = an operator has it (a person knows), three short = responder,
        /// long-short-long = SMS fallback, five fast = failed, one short = cancelled/resolved. A silent device
        /// only vibrates (the wearer feels it, an attacker sees nothing); null means show nothing.
        /// </summary>
        public static IndicatorPattern For(FeedbackEvent e, bool silent)
        {
            int[] steps;
            switch (e)
            {
                case FeedbackEvent.Sending:
                    steps = new int[] { 600 };
                    break;
                case FeedbackEvent.Acknowledged:
                    steps = new int[] { 150, 150, 150 };
                    break;
                case FeedbackEvent.OperatorHasIt:
                    steps = new int[] { 600, 250, 600 };
                    break;
                case FeedbackEvent.ResponderOnTheWay:
                    steps = new int[] { 150, 150, 150, 150, 150 };
                    break;
                case FeedbackEvent.SmsFallback:
                    steps = new int[] { 500, 200, 150, 200, 500 };
                    break;
                case FeedbackEvent.Failed:
                    steps = new int[] { 80, 80, 80, 80, 80, 80, 80, 80, 80 };
                    break;
                case FeedbackEvent.Cancelled:
                case FeedbackEvent.Resolved:
                    steps = new int[] { 150 };
                    break;
                default:
                    return null;
            }
            return new IndicatorPattern(steps, 1, !silent, true);
        }

        /// <summary>
        /// device.json missing or invalid: the LED blinks three short, pause, forever, whatever the silent
        /// setting (without a configuration there is no setting, and the device cannot raise an alarm).
        /// </summary>
        public static IndicatorPattern ConfigurationFault()
        {
            return new IndicatorPattern(new int[] { 200, 200, 200, 200, 200, 1500 }, 0, true, false);
        }

        /// <summary>The flash drive failed at boot: the LED blinks long, forever.</summary>
        public static IndicatorPattern StorageFault()
        {
            return new IndicatorPattern(new int[] { 1000, 1000 }, 0, true, false);
        }
    }
}
