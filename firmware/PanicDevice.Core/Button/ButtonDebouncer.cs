namespace PanicDevice.Core.Button
{
    /// <summary>
    /// Turns raw edges into stable ones: a new level counts only after it has held for DebounceMs, and the
    /// stable edge carries the confirmation time (first edge + DebounceMs), so press durations are kept.
    /// This mirrors the ESP32 native GpioPin.DebounceTimeout, so the firmware may use either or both.
    /// </summary>
    public class ButtonDebouncer
    {
        private readonly int debounceMs;
        private readonly IButtonEdgeListener listener;
        private bool stable;
        private bool raw;
        private bool pending;
        private long pendingSinceMs;
        private long lastMs = long.MinValue;

        /// <summary>Starts released.</summary>
        public ButtonDebouncer(int debounceMs, IButtonEdgeListener listener)
        {
            this.debounceMs = debounceMs < 0 ? 0 : debounceMs;
            this.listener = listener;
        }

        /// <summary>The debounced level.</summary>
        public bool IsPressed
        {
            get { return stable; }
        }

        /// <summary>When <see cref="Poll"/> next has something to confirm; -1 when nothing is pending.</summary>
        public long NextDeadlineMs
        {
            get { return pending ? pendingSinceMs + debounceMs : -1; }
        }

        /// <summary>A raw level change from the pin. A timestamp earlier than one already seen is treated as that one (clocks never go back).</summary>
        public void OnRawEdge(bool pressed, long atMs)
        {
            atMs = Clamp(atMs);
            Poll(atMs);
            if (pressed == raw)
            {
                return;
            }
            raw = pressed;
            if (raw == stable)
            {
                // Bounced back before confirmation: nothing happened.
                pending = false;
                return;
            }
            pending = true;
            pendingSinceMs = atMs;
            if (debounceMs == 0)
            {
                Poll(atMs);
            }
        }

        /// <summary>Confirms a pending level whose debounce time has passed.</summary>
        public void Poll(long nowMs)
        {
            nowMs = Clamp(nowMs);
            if (pending && nowMs >= pendingSinceMs + debounceMs)
            {
                pending = false;
                stable = raw;
                listener.OnStableEdge(stable, pendingSinceMs + debounceMs);
            }
        }

        private long Clamp(long atMs)
        {
            if (atMs < lastMs)
            {
                return lastMs;
            }
            lastMs = atMs;
            return atMs;
        }
    }
}
