using System;
using System.Collections;
using System.Text;
using PanicDevice.Core.Button;

namespace PanicDevice.Tests.Button
{
    /// <summary>One decision the recogniser reported, and when.</summary>
    public sealed class RecordedAction
    {
        public readonly ButtonAction Action;
        public readonly long AtMs;

        public RecordedAction(ButtonAction action, long atMs)
        {
            Action = action;
            AtMs = atMs;
        }
    }

    /// <summary>
    /// Drives a recogniser with stable edges at given times and records what it decides, and when. Decisions
    /// read back as text ("Alert@930,Cancel@8000"), so a failed comparison shows both whole sequences on either
    /// runtime, and action names are spelt here because nanoFramework's Enum.ToString gives the number.
    /// </summary>
    public sealed class ButtonHarness : IButtonActionListener
    {
        public readonly ArrayList Actions = new ArrayList();
        public readonly TapPatternRecognizer Recognizer;
        public readonly ButtonProfile Profile;
        private long now;

        public ButtonHarness(ButtonProfile profile)
        {
            Profile = profile;
            Recognizer = new TapPatternRecognizer(profile, this);
        }

        public static ButtonHarness Fob()
        {
            return new ButtonHarness(ButtonProfile.Fob());
        }

        public static ButtonHarness Wall()
        {
            return new ButtonHarness(ButtonProfile.WallButton());
        }

        public void OnButtonAction(ButtonAction action, long atMs)
        {
            Actions.Add(new RecordedAction(action, atMs));
        }

        public ButtonHarness Press(long atMs)
        {
            Advance(atMs);
            Recognizer.OnStableEdge(true, atMs);
            return this;
        }

        public ButtonHarness Release(long atMs)
        {
            Advance(atMs);
            Recognizer.OnStableEdge(false, atMs);
            return this;
        }

        public ButtonHarness Tap(long downMs, long upMs)
        {
            return Press(downMs).Release(upMs);
        }

        /// <summary>Polls as the firmware would: at every deadline up to the given time, then at the time.</summary>
        public ButtonHarness Advance(long toMs)
        {
            long previous = long.MinValue;
            int repeats = 0;
            while (true)
            {
                long d = Recognizer.NextDeadlineMs;
                if (d < 0 || d > toMs)
                {
                    break;
                }
                Assert.IsTrue(d >= now, "deadline " + d.ToString() + " is before the last poll at " + now.ToString() + ": a deadline in the past would make the firmware spin");
                repeats = d == previous ? repeats + 1 : 0;
                Assert.IsTrue(repeats < 3, "polling at deadline " + d.ToString() + " did not move it: the firmware loop would spin");
                previous = d;
                now = d;
                Recognizer.Poll(d);
            }
            if (toMs > now)
            {
                now = toMs;
            }
            Recognizer.Poll(toMs);
            return this;
        }

        public int Count
        {
            get { return Actions.Count; }
        }

        public RecordedAction At(int index)
        {
            return (RecordedAction)Actions[index];
        }

        /// <summary>The actions so far with their times: "Alert@930,Cancel@8000"; "" when none.</summary>
        public string Timeline()
        {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Actions.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }
                RecordedAction a = At(i);
                sb.Append(NameOf(a.Action)).Append('@').Append(a.AtMs.ToString());
            }
            return sb.ToString();
        }

        /// <summary>The actions so far without times: "Alert,Fault"; "" when none.</summary>
        public string Kinds()
        {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Actions.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }
                sb.Append(NameOf(At(i).Action));
            }
            return sb.ToString();
        }

        /// <summary>True when any recorded action is <paramref name="action"/>.</summary>
        public bool Saw(ButtonAction action)
        {
            for (int i = 0; i < Actions.Count; i++)
            {
                if (At(i).Action == action)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>The enum member's name on both runtimes (nanoFramework's Enum.ToString gives the number).</summary>
        public static string NameOf(ButtonAction action)
        {
            switch (action)
            {
                case ButtonAction.None: return "None";
                case ButtonAction.Alert: return "Alert";
                case ButtonAction.HoldUp: return "HoldUp";
                case ButtonAction.Test: return "Test";
                case ButtonAction.Cancel: return "Cancel";
                case ButtonAction.DuressCancel: return "DuressCancel";
                case ButtonAction.Fault: return "Fault";
                default: return "#" + ((int)action).ToString();
            }
        }
    }
}
