using PanicDevice.Core.Button;

namespace PanicDevice.Tests.Button
{
    /// <summary>
    /// Raw pin edges through a debouncer into a recogniser, wired and polled in the order PanicDeviceApp uses
    /// (debouncer first, then recogniser, at the same time), so a test sees what the device would decide.
    /// </summary>
    public sealed class DebouncedButton
    {
        public readonly ButtonHarness Harness;
        public readonly ButtonDebouncer Debouncer;

        public DebouncedButton(ButtonProfile profile)
        {
            Harness = new ButtonHarness(profile);
            Debouncer = new ButtonDebouncer(profile.DebounceMs, Harness.Recognizer);
        }

        /// <summary>A raw level change from the pin, as the GPIO event delivers it.</summary>
        public DebouncedButton Raw(bool pressed, long atMs)
        {
            Debouncer.OnRawEdge(pressed, atMs);
            Harness.Recognizer.Poll(atMs);
            return this;
        }

        /// <summary>One turn of the main loop at <paramref name="nowMs"/>, however late it comes.</summary>
        public DebouncedButton PollAt(long nowMs)
        {
            Debouncer.Poll(nowMs);
            Harness.Recognizer.Poll(nowMs);
            return this;
        }

        /// <summary>The main loop polling at every deadline of either part up to <paramref name="nowMs"/>.</summary>
        public DebouncedButton RunUntil(long nowMs)
        {
            for (int guard = 0; guard < 10000; guard++)
            {
                long d = Debouncer.NextDeadlineMs;
                long r = Harness.Recognizer.NextDeadlineMs;
                long next = d < 0 ? r : (r < 0 || d < r ? d : r);
                if (next < 0 || next > nowMs)
                {
                    break;
                }
                PollAt(next);
            }
            return PollAt(nowMs);
        }
    }
}
