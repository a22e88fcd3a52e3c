namespace PanicDevice.Core.Power
{
    /// <summary>
    /// The press that woke a fob from deep sleep happened before the program started, so no GPIO event
    /// reports it. This replays it as raw edges so it counts as the first press of a pattern: pressed from
    /// the moment of boot (time 0 of the monotonic clock), and released now if the pin is already up.
    /// </summary>
    public static class WakePress
    {
        /// <summary>
        /// Edges to feed at boot, as alternating pressed/released levels with their times; empty when the wake
        /// was not the button. <paramref name="minPressMs"/> is the debounce time: a replayed press is never
        /// shorter, so the debouncer accepts it.
        /// </summary>
        public static long[] EdgeTimes(bool wokeByButton, bool pressedNow, long bootMs, long nowMs, int minPressMs)
        {
            if (!wokeByButton)
            {
                return new long[0];
            }
            if (pressedNow)
            {
                return new long[] { bootMs };
            }
            long release = nowMs;
            if (release - bootMs <= minPressMs)
            {
                release = bootMs + minPressMs + 1;
            }
            return new long[] { bootMs, release };
        }
    }
}
