using System.Text;
using PanicDevice.Core.Calls;

namespace PanicDevice.Core.Modem
{
    /// <summary>
    /// The SIM800's voice call: caller id (AT+CLIP=1), call state reports (AT+CLCC=1), DTMF detection (AT+DDET), a silent
    /// ringer (AT+CRSL=0) and the microphone gain, set once the module is ready; then ATD, ATA and ATH, and the speaker
    /// level (AT+CLVL) for each call. What the call is doing comes from unsolicited lines at any moment: +CLCC states,
    /// RING and +CLIP, +DTMF keys, and the call results NO CARRIER, BUSY, NO ANSWER and NO DIALTONE.
    /// A hang-up goes before anything else it has; the modem runs SMS before all of it and keeps TCP off the module while
    /// a call is up (a SIM800 suspends GPRS during a call: docs/delivery.md, Calls).
    /// </summary>
    internal class Sim800Voice : ISim800Part
    {
        private enum VoiceOp
        {
            None, Setup, Volume, Dial, Answer, HangUp,
        }

        private readonly Sim800Modem owner;
        private readonly AtCommandChannel channel;
        private readonly Sim800Settings settings;
        private readonly string[] setup;
        private readonly StringBuilder keys = new StringBuilder();
        private VoiceOp op = VoiceOp.None;
        private int setupStep;
        private bool setupDone;
        private bool dialWanted;
        private string dialNumber;
        private bool answerWanted;
        private bool hangUpWanted;
        private int speakerWanted = -1;
        private bool endedByStateReport;

        private bool rejecting;
        private long lastRingMs;

        /// <summary>A call ringing in with no RING for this long has ended (a caller who gave up is not always reported).</summary>
        public const int RingGoneMs = 10000;

        public Sim800Voice(Sim800Modem owner, AtCommandChannel channel, Sim800Settings settings)
        {
            this.owner = owner;
            this.channel = channel;
            this.settings = settings;
            setup = new string[] { "AT+CLIP=1", "AT+CLCC=1", "AT+DDET=1,0,0", "AT+CRSL=0", "AT+CMIC=0," + settings.MicGain.ToString() };
            HearsKeys = true;
        }

        public CallState State { get; private set; }

        public int CallId { get; private set; }

        public CallEnd LastEnd { get; private set; }

        /// <summary>The ATD of the call being placed went to the module (it may have waited behind other commands).</summary>
        public bool Dialled { get; private set; }

        public string IncomingNumber { get; private set; }

        /// <summary>The number of the current or last call: dialled, or the caller's (for diagnostics).</summary>
        public string Number { get; private set; }

        public bool HearsKeys { get; private set; }

        /// <summary>A call is being placed, rings out, is up, or is being answered: the module carries no data now.</summary>
        public bool InCall
        {
            get { return dialWanted || answerWanted || State == CallState.Dialling || State == CallState.Ringing || State == CallState.Connected; }
        }

        /// <summary>True when nothing is under way (no call, nothing asked).</summary>
        public bool Idle
        {
            get { return State == CallState.Idle && !dialWanted && !answerWanted && !hangUpWanted; }
        }

        public int Dial(string number, bool speaker)
        {
            if (!Sim800Replies.IsDialable(number) || !Idle)
            {
                return 0;
            }
            CallId++;
            LastEnd = CallEnd.None;
            State = CallState.Dialling;
            Dialled = false;
            endedByStateReport = false;
            keys.Clear();
            dialNumber = number;
            Number = number;
            dialWanted = true;
            speakerWanted = speaker ? 1 : 0;
            return CallId;
        }

        public void Answer(bool speaker)
        {
            if (State != CallState.Incoming || answerWanted)
            {
                return;
            }
            CallId++;
            LastEnd = CallEnd.None;
            endedByStateReport = false;
            keys.Clear();
            Number = IncomingNumber;
            answerWanted = true;
            speakerWanted = speaker ? 1 : 0;
        }

        public void HangUp()
        {
            if (dialWanted && op != VoiceOp.Dial)
            {
                // Never dialled: nothing to hang up on the module.
                dialWanted = false;
                speakerWanted = -1;
                End(CallEnd.HungUp);
                return;
            }
            if (State != CallState.Idle || op == VoiceOp.Dial || op == VoiceOp.Answer)
            {
                // Refusing a call that rings in is not the end of the device's own last call.
                rejecting = State == CallState.Incoming && !answerWanted;
                hangUpWanted = true;
                answerWanted = answerWanted && op == VoiceOp.Answer;
            }
        }

        public void SetSpeaker(bool on)
        {
            if (State == CallState.Connected || dialWanted || answerWanted || State == CallState.Dialling || State == CallState.Ringing)
            {
                speakerWanted = on ? 1 : 0;
            }
        }

        public string TakeKeys()
        {
            string k = keys.ToString();
            keys.Clear();
            return k;
        }

        public bool StartWork(long now)
        {
            if (State == CallState.Incoming && !answerWanted && !hangUpWanted && now - lastRingMs > RingGoneMs)
            {
                CallerGaveUp(); // RING repeats every few seconds while a call rings in
            }
            if (hangUpWanted)
            {
                op = VoiceOp.HangUp;
                owner.Run(this, "ATH", Sim800Timeouts.CallMs);
                return true;
            }
            if (!dialWanted && !answerWanted && speakerWanted < 0)
            {
                // Caller id and keys must be on before the first call rings in, not after the data path settles.
                return StartSetup(now);
            }
            if (!setupDone)
            {
                return RunSetup();
            }
            if (speakerWanted >= 0)
            {
                op = VoiceOp.Volume;
                owner.Run(this, "AT+CLVL=" + (speakerWanted == 1 ? settings.SpeakerVolume : 0).ToString(), Sim800Timeouts.SimpleMs);
                return true;
            }
            if (answerWanted)
            {
                op = VoiceOp.Answer;
                owner.Run(this, "ATA", Sim800Timeouts.CallMs);
                return true;
            }
            op = VoiceOp.Dial;
            Dialled = true;
            owner.Run(this, "ATD" + dialNumber + ";", Sim800Timeouts.CallMs);
            return true;
        }

        /// <summary>Caller id, call reports, keys, silent ringer, microphone: once after each module start, before data (only SMS go first).</summary>
        public bool StartSetup(long now)
        {
            return !setupDone && settings.Voice && RunSetup();
        }

        private bool RunSetup()
        {
            op = VoiceOp.Setup;
            owner.Run(this, setup[setupStep], Sim800Timeouts.SimpleMs);
            return true;
        }

        public void Finish(long now)
        {
            VoiceOp finished = op;
            op = VoiceOp.None;
            bool ok = channel.Status == AtCommandStatus.Ok;
            switch (finished)
            {
                case VoiceOp.Setup:
                    if (!ok && setupStep == 2)
                    {
                        // This firmware has no DTMF detection: calls still go, but no guardian can confirm one.
                        HearsKeys = false;
                        owner.LastError = "DTMF detection refused (" + channel.FinalLine + ")";
                    }
                    setupStep++;
                    setupDone = setupStep >= setup.Length;
                    return;
                case VoiceOp.Volume:
                    speakerWanted = -1; // a refused level leaves the module's own; the call goes on
                    return;
                case VoiceOp.Dial:
                    dialWanted = false;
                    if (!ok)
                    {
                        End(channel.Status == AtCommandStatus.TimedOut ? CallEnd.Failed : EndOf(channel.FinalLine));
                        if (channel.Status != AtCommandStatus.TimedOut)
                        {
                            owner.LastError = "call refused (" + channel.FinalLine + ")";
                        }
                    }
                    return;
                case VoiceOp.Answer:
                    answerWanted = false;
                    if (ok && State == CallState.Incoming)
                    {
                        State = CallState.Connected;
                        IncomingNumber = null;
                    }
                    else if (!ok)
                    {
                        End(channel.Status == AtCommandStatus.TimedOut ? CallEnd.Failed : EndOf(channel.FinalLine));
                    }
                    return;
                case VoiceOp.HangUp:
                    hangUpWanted = false;
                    if (rejecting)
                    {
                        rejecting = false;
                        CallerGaveUp();
                        return;
                    }
                    End(CallEnd.HungUp);
                    return;
            }
        }

        public bool OnUnsolicited(string line, long now)
        {
            if (line.StartsWith("+CLCC:"))
            {
                OnCallState(line, now);
                return true;
            }
            if (line == "RING")
            {
                lastRingMs = now;
                if (State == CallState.Idle && !dialWanted)
                {
                    State = CallState.Incoming;
                    if (IncomingNumber == null)
                    {
                        IncomingNumber = "";
                    }
                }
                return true;
            }
            if (line.StartsWith("+CLIP:"))
            {
                lastRingMs = now;
                if (State == CallState.Idle && !dialWanted)
                {
                    State = CallState.Incoming;
                }
                if (State == CallState.Incoming)
                {
                    IncomingNumber = Sim800Replies.QuotedField(line, 0);
                }
                return true;
            }
            if (line.StartsWith("+DTMF:"))
            {
                string key = line.Substring(6).Trim();
                int comma = key.IndexOf(',');
                if (comma >= 0)
                {
                    key = key.Substring(0, comma).Trim();
                }
                // Single-frequency tones (+DTMF: 1400) are not keys.
                if (State == CallState.Connected && key.Length == 1)
                {
                    keys.Append(key);
                }
                return true;
            }
            if (line == "NO CARRIER" || line == "BUSY" || line == "NO ANSWER" || line == "NO DIALTONE")
            {
                CallEnd reason = EndOf(line);
                if (State == CallState.Incoming && !answerWanted)
                {
                    CallerGaveUp();
                }
                else if (State != CallState.Idle)
                {
                    End(reason);
                }
                else if (endedByStateReport && LastEnd == CallEnd.Dropped)
                {
                    LastEnd = reason; // the state report came first; the result line says why
                }
                return true;
            }
            return false;
        }

        private void OnCallState(string line, long now)
        {
            // +CLCC: <id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>[,<alpha>]] (3GPP TS 27.007)
            string[] f = line.Substring(6).Trim().Split(',');
            int stat;
            if (f.Length < 3 || !int.TryParse(f[2].Trim(), out stat))
            {
                return;
            }
            switch (stat)
            {
                case 0:
                    if (State == CallState.Dialling || State == CallState.Ringing || (State == CallState.Incoming && answerWanted))
                    {
                        State = CallState.Connected;
                        IncomingNumber = null;
                    }
                    return;
                case 2:
                    if (State == CallState.Dialling)
                    {
                        State = CallState.Dialling;
                    }
                    return;
                case 3:
                    if (State == CallState.Dialling)
                    {
                        State = CallState.Ringing;
                    }
                    return;
                case 4:
                case 5:
                    lastRingMs = now;
                    if (State == CallState.Idle && !dialWanted)
                    {
                        State = CallState.Incoming;
                        IncomingNumber = f.Length > 5 ? Sim800Replies.Unquote(f[5].Trim()) : "";
                    }
                    return;
                case 6:
                    if (State == CallState.Incoming && !answerWanted)
                    {
                        CallerGaveUp();
                    }
                    else if (State != CallState.Idle)
                    {
                        End(CallEnd.Dropped);
                        endedByStateReport = true;
                    }
                    return;
            }
        }

        private void CallerGaveUp()
        {
            State = CallState.Idle;
            IncomingNumber = null;
        }

        public void OnModuleRestarted()
        {
            if (State != CallState.Idle || dialWanted || answerWanted)
            {
                End(CallEnd.Failed);
            }
            op = VoiceOp.None;
            dialWanted = false;
            answerWanted = false;
            hangUpWanted = false;
            rejecting = false;
            speakerWanted = -1;
            setupDone = false;
            setupStep = 0;
        }

        /// <summary>No SIM or no network: a call being placed cannot go.</summary>
        public void Fail()
        {
            if (dialWanted && op != VoiceOp.Dial)
            {
                dialWanted = false;
                speakerWanted = -1;
                End(CallEnd.Failed);
            }
        }

        private void End(CallEnd reason)
        {
            if (State == CallState.Idle && LastEnd != CallEnd.None)
            {
                return;
            }
            State = CallState.Idle;
            // The module reports the end of a call the device hung up before it answers ATH.
            LastEnd = hangUpWanted || op == VoiceOp.HangUp ? CallEnd.HungUp : reason;
            IncomingNumber = null;
            endedByStateReport = false;
        }

        private static CallEnd EndOf(string finalLine)
        {
            if (finalLine == "BUSY")
            {
                return CallEnd.Busy;
            }
            if (finalLine == "NO ANSWER")
            {
                return CallEnd.NoAnswer;
            }
            if (finalLine == "NO CARRIER")
            {
                return CallEnd.Dropped;
            }
            return CallEnd.Failed;
        }
    }
}
