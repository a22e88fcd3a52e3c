using System.Collections;
using PanicDevice.Core.Calls;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Tests.Calls
{
    /// <summary>A call the policy placed, as <see cref="VoiceFake"/> saw it.</summary>
    public class PlacedCall
    {
        public string Number;
        public bool Speaker;
        public long AtMs;
        public long HungUpAtMs = -1;
    }

    /// <summary>The modem's voice side as a test drives it: the test says when a call rings, is answered, keyed or ended.</summary>
    public class VoiceFake : IVoiceCalls
    {
        public readonly ArrayList Placed = new ArrayList();
        public bool Ready = true;
        public int Answered;
        public bool AnsweredWithSpeaker;
        public int Refused;
        public int SpeakerOffs;
        /// <summary>True: a placed call's dial command waits (behind other commands) until <see cref="DialNow"/>.</summary>
        public bool DialQueued;
        private string keys = "";

        public bool Available
        {
            get { return Ready && State == CallState.Idle; }
        }

        public CallState State { get; private set; }

        public int CallId { get; private set; }

        public CallEnd LastEnd { get; private set; }

        public bool Dialled { get; private set; }

        /// <summary>The module takes the queued dial command.</summary>
        public void DialNow()
        {
            Dialled = true;
        }

        public string IncomingNumber { get; private set; }

        public bool HearsKeys
        {
            get { return true; }
        }

        public PlacedCall Call(int i)
        {
            return (PlacedCall)Placed[i];
        }

        public PlacedCall LastCall
        {
            get { return (PlacedCall)Placed[Placed.Count - 1]; }
        }

        /// <summary>The numbers dialled, in order, joined by spaces.</summary>
        public string Numbers
        {
            get
            {
                string s = "";
                for (int i = 0; i < Placed.Count; i++)
                {
                    s += (i == 0 ? "" : " ") + Call(i).Number;
                }
                return s;
            }
        }

        public int Dial(string number, bool speaker, long nowMs)
        {
            if (!Available)
            {
                return 0;
            }
            PlacedCall c = new PlacedCall();
            c.Number = number;
            c.Speaker = speaker;
            c.AtMs = nowMs;
            Placed.Add(c);
            CallId++;
            LastEnd = CallEnd.None;
            State = CallState.Dialling;
            Dialled = !DialQueued;
            keys = "";
            return CallId;
        }

        public void Answer(bool speaker, long nowMs)
        {
            if (State != CallState.Incoming)
            {
                return;
            }
            Answered++;
            AnsweredWithSpeaker = speaker;
            CallId++;
            State = CallState.Connected;
            IncomingNumber = null;
        }

        public void HangUp(long nowMs)
        {
            if (State == CallState.Incoming)
            {
                Refused++;
                State = CallState.Idle;
                IncomingNumber = null;
                return;
            }
            if (State != CallState.Idle)
            {
                if (Placed.Count > 0 && LastCall.HungUpAtMs < 0)
                {
                    LastCall.HungUpAtMs = nowMs;
                }
                State = CallState.Idle;
                LastEnd = CallEnd.HungUp;
            }
        }

        public void SetSpeaker(bool on, long nowMs)
        {
            if (!on)
            {
                SpeakerOffs++;
            }
        }

        public string TakeKeys()
        {
            string k = keys;
            keys = "";
            return k;
        }

        // ---- The network, as the test plays it ----

        public void Rings()
        {
            State = CallState.Ringing;
        }

        public void Answers()
        {
            State = CallState.Connected;
        }

        public void Press(string k)
        {
            keys += k;
        }

        public void Ends(CallEnd how)
        {
            State = CallState.Idle;
            LastEnd = how;
        }

        public void RingsIn(string number)
        {
            State = CallState.Incoming;
            IncomingNumber = number;
        }
    }

    /// <summary>The Call reports the policy made, as "event/who" words.</summary>
    public class ReportRecorder : ICallReports
    {
        public string Sequence = "";

        public void OnCallReport(CallEvent callEvent, int who, long nowMs)
        {
            Sequence += (Sequence.Length == 0 ? "" : " ") + ((int)callEvent).ToString() + "/" + who.ToString();
        }
    }

    /// <summary>A cascade over a <see cref="VoiceFake"/>, with 112 and two guardians, and a clock the test moves.</summary>
    public class CascadeRig
    {
        public const string Emergency = "112";
        public const string Siti = "+6281200000001";
        public const string Budi = "+6281200000002";

        public readonly VoiceFake Voice = new VoiceFake();
        public readonly ReportRecorder Reports = new ReportRecorder();
        public readonly CallOptions Options;
        public readonly CallCascade Cascade;
        public long Now;

        public CascadeRig(CallOptions options)
        {
            Options = options;
            Cascade = new CallCascade(options, Voice, Emergency, new string[] { Siti, Budi });
            Cascade.SetReports(Reports);
        }

        public static CallOptions Defaults()
        {
            CallOptions o = new CallOptions();
            o.Enabled = true;
            o.ListenIn = true;
            o.CallBackNumbers = new string[] { "+62215550000" };
            return o;
        }

        public static CascadeRig Started()
        {
            CascadeRig r = new CascadeRig(Defaults());
            r.Cascade.AlertRaised((byte)AlertCode.Panic, 0);
            r.Cascade.TextedForHelp(0);
            return r;
        }

        /// <summary>Moves the clock by <paramref name="ms"/> in 100 ms polls.</summary>
        public void Run(long ms)
        {
            long end = Now + ms;
            while (Now < end)
            {
                Now += 100;
                Cascade.Poll(Now);
            }
        }
    }
}
