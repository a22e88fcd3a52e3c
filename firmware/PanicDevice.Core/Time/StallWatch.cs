namespace PanicDevice.Core.Time
{
    /// <summary>
    /// The watchdog substitute: nanoFramework on ESP32 offers no managed hardware watchdog, so the main loop
    /// kicks this every turn and a separate timer asks <see cref="IsStalled"/>; a stalled loop reboots the
    /// device (the outbox on flash survives the reboot, so nothing is lost).
    /// </summary>
    public class StallWatch
    {
        private readonly long limitMs;
        private long lastKickMs;

        /// <summary>A loop silent for longer than <paramref name="limitMs"/> counts as stalled.</summary>
        public StallWatch(long limitMs, long nowMs)
        {
            this.limitMs = limitMs;
            lastKickMs = nowMs;
        }

        /// <summary>The loop is alive.</summary>
        public void Kick(long nowMs)
        {
            lastKickMs = nowMs;
        }

        /// <summary>True when the loop has not kicked within the limit.</summary>
        public bool IsStalled(long nowMs)
        {
            return nowMs - lastKickMs > limitMs;
        }
    }
}
