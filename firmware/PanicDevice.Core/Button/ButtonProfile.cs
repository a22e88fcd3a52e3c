namespace PanicDevice.Core.Button
{
    /// <summary>
    /// Button timings and patterns for one kind of device. The defaults below are the only place the
    /// default patterns are written down; device.json may replace them (validated by <see cref="Validate"/>).
    /// </summary>
    public class ButtonProfile
    {
        /// <summary>A level must hold this long to count (the ESP32 native GPIO debounce behaves alike).</summary>
        public int DebounceMs = 30;
        /// <summary>A press released within this is a tap.</summary>
        public int TapMaxMs = 1000;
        /// <summary>Held this long: the button is stuck (Fault).</summary>
        public int StuckMs = 30000;
        /// <summary>Input ignored this long after an unmatched sequence, a decision or a fault.</summary>
        public int CooldownMs = 1000;
        /// <summary>The patterns, none of them sharing a (presses, hold) shape.</summary>
        public ButtonPattern[] Patterns = new ButtonPattern[0];

        /// <summary>Wearable fob: triple tap within 2 s or hold 3 s → Alert; hold 8 s → Cancel; tap then hold 8 s → DuressCancel.</summary>
        public static ButtonProfile Fob()
        {
            ButtonProfile p = new ButtonProfile();
            p.TapMaxMs = 1000;
            p.StuckMs = 30000;
            p.Patterns = new ButtonPattern[]
            {
                new ButtonPattern(ButtonAction.Alert, 3, 0, 2000),
                new ButtonPattern(ButtonAction.Alert, 1, 3000, 0),
                new ButtonPattern(ButtonAction.Cancel, 1, 8000, 0),
                new ButtonPattern(ButtonAction.DuressCancel, 2, 8000, 2000),
            };
            return p;
        }

        /// <summary>
        /// Wall button: a single press of any length under 10 s → silent HoldUp; hold 10 s → Test. A clerk
        /// who keeps the button down for 4 s must still raise the alarm, so a "tap" lasts up to 10 s here.
        /// </summary>
        public static ButtonProfile WallButton()
        {
            ButtonProfile p = new ButtonProfile();
            p.TapMaxMs = 10000;
            p.StuckMs = 60000;
            p.Patterns = new ButtonPattern[]
            {
                new ButtonPattern(ButtonAction.HoldUp, 1, 0, 0),
                new ButtonPattern(ButtonAction.Test, 1, 10000, 0),
            };
            return p;
        }

        /// <summary>Most presses any pattern uses.</summary>
        public int MaxPresses()
        {
            int max = 0;
            for (int i = 0; i < Patterns.Length; i++)
            {
                if (Patterns[i].Presses > max)
                {
                    max = Patterns[i].Presses;
                }
            }
            return max;
        }

        /// <summary>The first problem with this profile, or null when it is usable.</summary>
        public string Validate()
        {
            if (DebounceMs < 0 || DebounceMs > 500)
            {
                return "debounce must be 0..500 ms";
            }
            if (TapMaxMs < 50 || CooldownMs < 0 || CooldownMs > 10000)
            {
                return "tap maximum must be at least 50 ms and cooldown 0..10000 ms";
            }
            if (StuckMs <= TapMaxMs)
            {
                return "stuck time must be longer than the tap maximum";
            }
            if (Patterns == null || Patterns.Length == 0)
            {
                return "at least one button pattern is needed";
            }
            for (int i = 0; i < Patterns.Length; i++)
            {
                ButtonPattern p = Patterns[i];
                string which = "pattern " + (i + 1).ToString() + ": ";
                if (p == null)
                {
                    return which + "missing";
                }
                if (p.Action != ButtonAction.Alert && p.Action != ButtonAction.HoldUp && p.Action != ButtonAction.Test
                    && p.Action != ButtonAction.Cancel && p.Action != ButtonAction.DuressCancel)
                {
                    // Also rejects numeric values outside the enum: no pattern can reach an action that does not exist.
                    return which + "action must be Alert, HoldUp, Test, Cancel or DuressCancel";
                }
                if (p.Presses < 1 || p.Presses > 8)
                {
                    return which + "presses must be 1..8";
                }
                if (p.HoldMs < 0 || p.WindowMs < 0)
                {
                    return which + "times cannot be negative";
                }
                if (p.HoldMs > 0 && p.HoldMs <= DebounceMs)
                {
                    return which + "a hold must be longer than the debounce time";
                }
                if (p.HoldMs >= StuckMs)
                {
                    return which + "hold must be shorter than the stuck time";
                }
                if (p.HoldMs > 0 && p.HoldMs < TapMaxMs && p.Presses >= 1)
                {
                    // A press that fires a hold before it could still be a tap would make every such tap a hold.
                    return which + "hold must be at least the tap maximum (" + TapMaxMs.ToString() + " ms)";
                }
                if (p.Presses > 1 && p.WindowMs < DebounceMs * 2)
                {
                    return which + "window is too short for more than one press";
                }
                for (int j = 0; j < i; j++)
                {
                    if (Patterns[j].Presses == p.Presses && Patterns[j].HoldMs == p.HoldMs)
                    {
                        return which + "same presses and hold as pattern " + (j + 1).ToString();
                    }
                }
            }
            return null;
        }
    }
}
