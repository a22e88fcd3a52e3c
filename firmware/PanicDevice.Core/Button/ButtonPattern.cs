namespace PanicDevice.Core.Button
{
    /// <summary>
    /// One pattern: <see cref="Presses"/> presses, all but the last of them taps; the last is a tap
    /// (<see cref="HoldMs"/> = 0) or a hold of at least HoldMs. Every press-down after the first must come
    /// within <see cref="WindowMs"/> of the first press-down (docs/button-patterns.md has the diagrams).
    /// </summary>
    public class ButtonPattern
    {
        /// <summary>What the pattern means.</summary>
        public ButtonAction Action;
        /// <summary>Number of presses, at least 1.</summary>
        public int Presses;
        /// <summary>0: the last press is a tap. Otherwise the last press is held at least this long (fires while held).</summary>
        public int HoldMs;
        /// <summary>Latest press-down after the first, in ms from the first press-down (inclusive). Unused for one press.</summary>
        public int WindowMs;

        /// <summary>Creates a pattern.</summary>
        public ButtonPattern(ButtonAction action, int presses, int holdMs, int windowMs)
        {
            Action = action;
            Presses = presses;
            HoldMs = holdMs;
            WindowMs = windowMs;
        }

        /// <summary>True when a press-down at <paramref name="pressDownMs"/> can be press number <paramref name="index"/> of this pattern.</summary>
        public bool Admits(int index, long sequenceStartMs, long pressDownMs)
        {
            return index <= Presses && (index == 1 || pressDownMs - sequenceStartMs <= WindowMs);
        }
    }
}
