namespace PanicDevice.Core.Button
{
    /// <summary>
    /// Matches debounced edges against a <see cref="ButtonProfile"/>'s patterns and reports one action per
    /// decision (docs/button-patterns.md). The rules:
    /// <list type="bullet">
    /// <item>Deadlines up to an edge's time are handled before the edge, so a hold reached exactly at the
    /// release fires, and the outcome never depends on how often Poll is called.</item>
    /// <item>A hold fires while the button is still held, at exactly press-down + HoldMs. Several hold
    /// thresholds of one press fire in order (fob: Alert at 3 s, then Cancel at 8 s): an alert is never
    /// held back to see whether the hold becomes a cancel.</item>
    /// <item>Taps are decided at the earliest edge that makes them unambiguous: at the release that
    /// completes a pattern when no longer pattern could still match; otherwise one millisecond after the
    /// last moment a longer pattern's next press could come.</item>
    /// <item>A sequence that matches nothing, or a long press that is neither tap nor hold, starts a
    /// cooldown during which input is ignored.</item>
    /// <item>After a decision, presses within the cooldown are chatter: one Fault, and the lockout extends
    /// until the button has been quiet for the cooldown, so a bouncing or jostled button can never produce
    /// a burst of alerts. Held past StuckMs: one Fault, then cooldown after release.</item>
    /// </list>
    /// Core never reads a clock: the caller passes times and calls <see cref="Poll"/> at <see cref="NextDeadlineMs"/>.
    /// </summary>
    public class TapPatternRecognizer : IButtonEdgeListener
    {
        private const int MaxDeadlinesPerPoll = 32;

        private readonly ButtonProfile profile;
        private readonly IButtonActionListener listener;
        private readonly int maxPresses;

        private long lastMs = long.MinValue;
        // Sequence: taps completed, first press-down, the current press.
        private int taps;
        private long sequenceStartMs;
        private bool down;
        private int pressIndex;
        private long pressStartMs;
        private int firedHoldMs = -1;
        private bool stuckReported;
        // Waiting after a release for a possible longer pattern.
        private long decisionAtMs = -1;
        private ButtonAction decisionAction;
        // Input is ignored before lockoutUntilMs, and for a press that began while locked out.
        private long lockoutUntilMs = long.MinValue;
        private bool lockoutIsChatterGuard;
        private bool lockoutFaulted;
        private bool ignoringPress;
        private bool extendLockoutOnRelease;

        /// <summary>Creates a recogniser; throws ArgumentException for an invalid profile.</summary>
        public TapPatternRecognizer(ButtonProfile profile, IButtonActionListener listener)
        {
            string problem = profile == null ? "button profile is missing" : profile.Validate();
            if (problem != null)
            {
                throw new System.ArgumentException(problem);
            }
            this.profile = profile;
            this.listener = listener;
            maxPresses = profile.MaxPresses();
        }

        /// <summary>When <see cref="Poll"/> must next be called; -1 when nothing is pending.</summary>
        public long NextDeadlineMs
        {
            get
            {
                if (down)
                {
                    // A stuck button is reported even when the press itself is being ignored.
                    long next = stuckReported ? -1 : pressStartMs + profile.StuckMs;
                    int hold = ignoringPress ? 0 : NextHoldMs();
                    if (hold > 0 && (next < 0 || pressStartMs + hold < next))
                    {
                        next = pressStartMs + hold;
                    }
                    return next;
                }
                return decisionAtMs;
            }
        }

        /// <summary>Handles every deadline up to <paramref name="nowMs"/>.</summary>
        public void Poll(long nowMs)
        {
            nowMs = Clamp(nowMs);
            // Each deadline moves the state forward; the bound only guarantees that a defect can never
            // hang the device's main loop (the caller polls again at NextDeadlineMs).
            for (int step = 0; step < MaxDeadlinesPerPoll; step++)
            {
                long d = NextDeadlineMs;
                if (d < 0 || d > nowMs)
                {
                    return;
                }
                OnDeadline(d);
            }
        }

        /// <summary>A debounced edge.</summary>
        public void OnStableEdge(bool pressed, long atMs)
        {
            atMs = Clamp(atMs);
            Poll(atMs);
            if (pressed)
            {
                if (!down)
                {
                    down = true;
                    OnPress(atMs);
                }
            }
            else if (down)
            {
                down = false;
                OnRelease(atMs);
            }
        }

        private void OnPress(long atMs)
        {
            pressStartMs = atMs;
            stuckReported = false;
            extendLockoutOnRelease = false;
            if (atMs < lockoutUntilMs)
            {
                ignoringPress = true;
                extendLockoutOnRelease = lockoutIsChatterGuard;
                if (lockoutIsChatterGuard && !lockoutFaulted)
                {
                    lockoutFaulted = true;
                    Fire(ButtonAction.Fault, atMs);
                }
                return;
            }
            ignoringPress = false;
            lockoutIsChatterGuard = false;
            decisionAtMs = -1;
            if (taps == 0)
            {
                sequenceStartMs = atMs;
            }
            pressIndex = taps + 1;
            firedHoldMs = -1;
            if (pressIndex > maxPresses || !AnyPatternAdmits(pressIndex, atMs))
            {
                // Nothing can use this press: the sequence is unmatched; the cooldown starts at its release.
                ignoringPress = true;
                extendLockoutOnRelease = true;
                EndSequence();
            }
        }

        private void OnRelease(long atMs)
        {
            if (ignoringPress)
            {
                ignoringPress = false;
                if (extendLockoutOnRelease || stuckReported)
                {
                    // Chatter, a stuck button or an unusable press: quiet for the cooldown before new input counts.
                    StartLockout(atMs, lockoutIsChatterGuard || stuckReported);
                }
                return;
            }
            if (stuckReported)
            {
                EndSequence();
                StartLockout(atMs, true);
                return;
            }
            if (firedHoldMs > 0)
            {
                EndSequence();
                StartLockout(atMs, true);
                return;
            }
            if (atMs - pressStartMs > profile.TapMaxMs)
            {
                EndSequence();
                StartLockout(atMs, false);
                return;
            }
            taps = pressIndex;
            ButtonAction complete = CompleteTapPattern();
            long continueUntil = LatestContinuationMs();
            if (continueUntil > atMs)
            {
                decisionAtMs = continueUntil + 1;
                decisionAction = complete;
                return;
            }
            Decide(complete, atMs);
        }

        private void OnDeadline(long atMs)
        {
            if (down)
            {
                long held = atMs - pressStartMs;
                if (!stuckReported && held >= profile.StuckMs)
                {
                    stuckReported = true;
                    Fire(ButtonAction.Fault, atMs);
                    return;
                }
                int hold = ignoringPress ? 0 : NextHoldMs();
                if (hold > 0 && held >= hold)
                {
                    firedHoldMs = hold;
                    Fire(HoldAction(hold), pressStartMs + hold);
                }
                return;
            }
            decisionAtMs = -1;
            Decide(decisionAction, atMs);
        }

        private void Decide(ButtonAction action, long atMs)
        {
            EndSequence();
            if (action == ButtonAction.None)
            {
                StartLockout(atMs, false);
                return;
            }
            Fire(action, atMs);
            StartLockout(atMs, true);
        }

        /// <summary>The action of the complete tap pattern for the taps so far, or None.</summary>
        private ButtonAction CompleteTapPattern()
        {
            for (int i = 0; i < profile.Patterns.Length; i++)
            {
                ButtonPattern p = profile.Patterns[i];
                if (p.Presses == taps && p.HoldMs == 0 && p.Admits(taps, sequenceStartMs, pressStartMs))
                {
                    return p.Action;
                }
            }
            return ButtonAction.None;
        }

        /// <summary>Latest time a next press-down could still continue a longer pattern; -1 when none can.</summary>
        private long LatestContinuationMs()
        {
            long latest = -1;
            for (int i = 0; i < profile.Patterns.Length; i++)
            {
                ButtonPattern p = profile.Patterns[i];
                if (p.Presses > taps && PreviousPressesFit(p))
                {
                    long until = sequenceStartMs + p.WindowMs;
                    if (until > latest)
                    {
                        latest = until;
                    }
                }
            }
            return latest;
        }

        /// <summary>True when every press so far came within the pattern's window (checked on the latest, which is the furthest).</summary>
        private bool PreviousPressesFit(ButtonPattern p)
        {
            return p.Admits(pressIndex, sequenceStartMs, pressStartMs);
        }

        private bool AnyPatternAdmits(int index, long pressDownMs)
        {
            for (int i = 0; i < profile.Patterns.Length; i++)
            {
                if (profile.Patterns[i].Admits(index, sequenceStartMs, pressDownMs))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>The smallest hold threshold of the current press not fired yet, or 0.</summary>
        private int NextHoldMs()
        {
            int next = 0;
            for (int i = 0; i < profile.Patterns.Length; i++)
            {
                ButtonPattern p = profile.Patterns[i];
                if (p.HoldMs > 0 && p.Presses == pressIndex && p.HoldMs > firedHoldMs && p.Admits(pressIndex, sequenceStartMs, pressStartMs)
                    && (next == 0 || p.HoldMs < next))
                {
                    next = p.HoldMs;
                }
            }
            return next;
        }

        private ButtonAction HoldAction(int holdMs)
        {
            for (int i = 0; i < profile.Patterns.Length; i++)
            {
                ButtonPattern p = profile.Patterns[i];
                if (p.HoldMs == holdMs && p.Presses == pressIndex)
                {
                    return p.Action;
                }
            }
            return ButtonAction.None;
        }

        private void EndSequence()
        {
            taps = 0;
            decisionAtMs = -1;
            decisionAction = ButtonAction.None;
        }

        private void StartLockout(long atMs, bool chatterGuard)
        {
            lockoutUntilMs = atMs + profile.CooldownMs;
            lockoutIsChatterGuard = chatterGuard;
            if (!chatterGuard)
            {
                lockoutFaulted = false;
            }
        }

        private void Fire(ButtonAction action, long atMs)
        {
            if (action != ButtonAction.Fault)
            {
                lockoutFaulted = false;
            }
            listener.OnButtonAction(action, atMs);
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
