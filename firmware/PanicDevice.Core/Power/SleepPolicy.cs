using PanicDevice.Core.Config;

namespace PanicDevice.Core.Power
{
    /// <summary>
    /// Decides when a fob may enter deep sleep. Deep sleep restarts the program on wake and drops the modem
    /// session, so it is allowed only when nothing is in flight: no frame waiting for an acknowledgement, no
    /// active alert, no heartbeat waiting for the data path, the button idle, the indicator dark, and the device awake long enough after boot for a
    /// pattern begun by the wake press to finish. Wall units are mains powered and never sleep.
    /// </summary>
    public static class SleepPolicy
    {
        /// <summary>Stay awake at least this long after boot: covers the fob's longest pattern (tap then hold 8 s) and some slack.</summary>
        public const int MinimumAwakeMs = 15000;
        /// <summary>Do not sleep for less than this; waking costs more than it saves.</summary>
        public const int MinimumSleepMs = 30000;

        /// <summary>
        /// How long to sleep now (the timer wake), or 0 to stay awake. <paramref name="nextDeadlineMs"/> is the
        /// app's next deadline (the heartbeat when idle); -1 means none, so sleep until the button.
        /// </summary>
        public static long SleepForMs(DeviceKind kind, long nowMs, long bootMs, int pendingFrames, bool alertActive,
            bool buttonIdle, bool indicatorPlaying, bool heartbeatPending, long nextDeadlineMs)
        {
            if (kind != DeviceKind.Fob || pendingFrames > 0 || alertActive || !buttonIdle || indicatorPlaying || heartbeatPending)
            {
                return 0;
            }
            if (nowMs - bootMs < MinimumAwakeMs)
            {
                return 0;
            }
            if (nextDeadlineMs < 0)
            {
                return long.MaxValue;
            }
            long sleep = nextDeadlineMs - nowMs;
            return sleep < MinimumSleepMs ? 0 : sleep;
        }
    }
}
