using PanicDevice.Core.Button;

namespace PanicDevice.Tests.Button;

/// <summary>Drives a recogniser with stable edges at given times and records what it decides, and when.</summary>
public sealed class ButtonHarness : IButtonActionListener
{
    public readonly List<(ButtonAction Action, long AtMs)> Actions = new();
    public readonly TapPatternRecognizer Recognizer;
    public readonly ButtonProfile Profile;
    private long now;

    public ButtonHarness(ButtonProfile profile)
    {
        Profile = profile;
        Recognizer = new TapPatternRecognizer(profile, this);
    }

    public static ButtonHarness Fob() => new(ButtonProfile.Fob());
    public static ButtonHarness Wall() => new(ButtonProfile.WallButton());

    public void OnButtonAction(ButtonAction action, long atMs) => Actions.Add((action, atMs));

    public ButtonHarness Press(long atMs) { Advance(atMs); Recognizer.OnStableEdge(true, atMs); return this; }
    public ButtonHarness Release(long atMs) { Advance(atMs); Recognizer.OnStableEdge(false, atMs); return this; }
    public ButtonHarness Tap(long downMs, long upMs) => Press(downMs).Release(upMs);

    /// <summary>Polls as the firmware would: at every deadline up to the given time, then at the time.</summary>
    public ButtonHarness Advance(long toMs)
    {
        long previous = long.MinValue;
        int repeats = 0;
        while (true)
        {
            long d = Recognizer.NextDeadlineMs;
            if (d < 0 || d > toMs) break;
            Assert.IsGreaterThanOrEqualTo(now, d, "a deadline in the past would make the firmware spin");
            repeats = d == previous ? repeats + 1 : 0;
            Assert.IsLessThan(3, repeats, "polling at deadline " + d + " did not move it: the firmware loop would spin");
            previous = d;
            now = d;
            Recognizer.Poll(d);
        }
        now = Math.Max(now, toMs);
        Recognizer.Poll(toMs);
        return this;
    }

    public ButtonAction[] Kinds => Actions.Select(a => a.Action).ToArray();
}
