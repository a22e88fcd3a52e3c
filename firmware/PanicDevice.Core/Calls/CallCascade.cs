using PanicDevice.Core.Protocol;

namespace PanicDevice.Core.Calls
{
    /// <summary>Receives what the device's calls came to, for a signed Call frame to the receiver.</summary>
    public interface ICallReports
    {
        /// <summary>An event about the open alert's calls (<see cref="CallReport"/> says what who means).</summary>
        void OnCallReport(CallEvent callEvent, int who, long nowMs);
    }

    /// <summary>
    /// The call policy for the open alert (docs/delivery.md, Calls). Once the SMS fallback has gone out (or at the press,
    /// <see cref="CallOptions.AtOnce"/>), it calls the emergency number and keeps an answered call open with the microphone on;
    /// then the guardians in order, each confirmed only by the DTMF key (a voicemail never presses it); busy, no answer and
    /// unconfirmed move to the next number; rounds up to the limit. An operator taking the alert stops it; a plain cancel or
    /// a closed alert ends it; a new alert or cancel frame ends the call in progress so the frame can go (GPRS is suspended
    /// during a call) and the same number is called again after <see cref="CallOptions.YieldS"/>. A duress cancel changes
    /// nothing the attacker can notice: the calls go on with the speaker silent. A test never calls the emergency number,
    /// and a button fault calls nobody. Calls from guardians and the command centre are answered silently while an alert is
    /// open (and a while after) when <see cref="CallOptions.ListenIn"/> is on; any other call is refused.
    /// </summary>
    public class CallCascade
    {
        /// <summary>How long a call ringing in may take to show its number (+CLIP follows RING) before it counts as withheld.</summary>
        public const int CallerIdWaitMs = 2000;

        private enum Phase
        {
            None, Ringing, Emergency, AwaitKey, Holding,
        }

        private readonly CallOptions options;
        private readonly IVoiceCalls voice;
        private readonly string emergencyNumber;
        private readonly string[] guardians;
        private ICallReports reports;

        private bool alertOpen;
        private bool running;
        private bool stopped;
        private bool covert;
        private bool callEmergency;
        private byte code;
        private int round;
        private int target;
        private bool emergencyHeld;
        private bool confirmed;
        private int callId;
        private Phase phase = Phase.None;
        private long callStartedMs;
        private bool dialSeen;
        private long connectedMs;
        private long holdUntilMs;
        private bool hangingUp;
        private bool redo;
        private bool redoneAfterFailure;
        private long resumeAtMs = -1;
        private long yieldUntilMs = -1;
        private long listenInUntilMs = -1;
        private long incomingSinceMs = -1;
        private bool incomingHandled;
        private long lastPollMs;

        /// <summary>A cascade over <paramref name="voice"/>; guardians in the order they are called.</summary>
        public CallCascade(CallOptions options, IVoiceCalls voice, string emergencyNumber, string[] guardians)
        {
            string problem = options == null ? "call options are missing" : options.Validate();
            if (problem != null)
            {
                throw new System.ArgumentException(problem);
            }
            if (voice == null)
            {
                throw new System.ArgumentNullException("voice");
            }
            this.options = options;
            this.voice = voice;
            this.emergencyNumber = emergencyNumber == null ? "" : emergencyNumber;
            this.guardians = guardians == null ? new string[0] : guardians;
        }

        /// <summary>Where Call reports go (the delivery engine, which signs and stores them).</summary>
        public void SetReports(ICallReports sink)
        {
            reports = sink;
        }

        /// <summary>True while calls are being made for the open alert.</summary>
        public bool Running
        {
            get { return running; }
        }

        /// <summary>The round in progress, 1-based (0 before the first call).</summary>
        public int Round
        {
            get { return running || round > 0 ? round + 1 : 0; }
        }

        /// <summary>A guardian confirmed by key.</summary>
        public bool Confirmed
        {
            get { return confirmed; }
        }

        /// <summary>The emergency number answered and was kept on the line.</summary>
        public bool EmergencyHeld
        {
            get { return emergencyHeld; }
        }

        /// <summary>An alert was raised (also a second press of the same emergency).</summary>
        public void AlertRaised(byte alertCode, long nowMs)
        {
            if (!options.Enabled || alertCode == (byte)AlertCode.ButtonFault)
            {
                return;
            }
            if (!alertOpen || (!running && round > 0 && !stopped))
            {
                // A new emergency, or a press after the rounds ran out with nobody reached: every number is called again,
                // whatever the earlier calls came to. A call of the closed alert still being hung up is forgotten here;
                // no new call is placed before the module is free (Available).
                round = 0;
                target = 0;
                emergencyHeld = false;
                confirmed = false;
                callEmergency = false;
                redo = false;
                redoneAfterFailure = false;
                callId = 0;
                phase = Phase.None;
                hangingUp = false;
                running = false;
                resumeAtMs = -1;
                if (!alertOpen)
                {
                    stopped = false;
                    covert = false;
                }
            }
            alertOpen = true;
            code = alertCode;
            // A test exercises the guardians' path and never reaches the emergency number; a real alert after a test does.
            callEmergency = callEmergency || (options.CallEmergency && emergencyNumber.Length > 0 && alertCode != (byte)AlertCode.Test);
            if (options.AtOnce && !running)
            {
                // At once, but after the alert frame had its go at the data path (FrameWaiting set the wait; an ack ends it).
                Begin(nowMs);
            }
        }

        /// <summary>The open alert's SMS fallback went out: the data path did not answer, so people are called now.</summary>
        public void TextedForHelp(long nowMs)
        {
            if (options.Enabled && alertOpen && !running && !stopped && round == 0 && target == 0)
            {
                Begin(nowMs);
            }
        }

        /// <summary>
        /// A new alert or cancel frame waits for the data path, which a call holds: the call in progress ends now, and the same
        /// number is called again after <see cref="CallOptions.YieldS"/>.
        /// </summary>
        public void FrameWaiting(long nowMs)
        {
            yieldUntilMs = nowMs + options.YieldS * 1000L;
            if (callId != 0 && !hangingUp)
            {
                // A guardian who confirmed has it; anyone else, the emergency number too, is called again.
                redo = phase != Phase.Holding;
                if (phase == Phase.Emergency)
                {
                    emergencyHeld = false;
                }
                HangUp(nowMs);
            }
        }

        /// <summary>No new alert or cancel frame waits for the data path any more (acknowledged): calls may go on at once.</summary>
        public void FrameSettled(long nowMs)
        {
            yieldUntilMs = -1;
        }

        /// <summary>An operator has the alert: no new call; a call still ringing or waiting for its key ends, an answered one runs its time.</summary>
        public void OperatorHasIt(long nowMs)
        {
            if (!running)
            {
                stopped = true;
                return;
            }
            stopped = true;
            if (callId != 0 && (phase == Phase.Ringing || phase == Phase.AwaitKey))
            {
                HangUp(nowMs);
            }
        }

        /// <summary>
        /// The wearer cancelled. A plain cancel ends every call; a duress cancel only silences the speaker, so the far end
        /// keeps hearing what happens and nothing on the device shows it.
        /// </summary>
        public void Cancelled(bool duress, long nowMs)
        {
            if (duress)
            {
                covert = true;
                if (callId != 0)
                {
                    voice.SetSpeaker(false, nowMs);
                }
                return;
            }
            Closed(nowMs);
        }

        /// <summary>The alert is over (cancelled, resolved, a false alarm): calls stop; listen-in stays allowed for a while.</summary>
        public void Closed(long nowMs)
        {
            if (alertOpen)
            {
                listenInUntilMs = nowMs + options.ListenInAfterS * 1000L;
            }
            alertOpen = false;
            stopped = true;
            if (callId != 0)
            {
                HangUp(nowMs);
            }
            else if (running)
            {
                running = false;
            }
        }

        /// <summary>When <see cref="Poll"/> next has something to do; -1 when nothing is scheduled.</summary>
        public long NextDeadlineMs
        {
            get
            {
                if (incomingSinceMs >= 0 && !incomingHandled)
                {
                    return incomingSinceMs + CallerIdWaitMs;
                }
                if (!running)
                {
                    return -1;
                }
                if (callId != 0)
                {
                    switch (phase)
                    {
                        case Phase.Ringing:
                            return callStartedMs + options.RingS * 1000L;
                        case Phase.AwaitKey:
                            return connectedMs + options.ConfirmS * 1000L;
                        case Phase.Emergency:
                            return connectedMs + options.EmergencyHoldS * 1000L;
                        case Phase.Holding:
                            return holdUntilMs;
                    }
                }
                // A pause, a frame going first, or the module (or a hang-up) to wait for: look again then, or shortly.
                long next = resumeAtMs > yieldUntilMs ? resumeAtMs : yieldUntilMs;
                return next > lastPollMs ? next : lastPollMs + 1000;
            }
        }

        /// <summary>Advances the calls: answers or refuses a call ringing in, follows the call in progress, places the next.</summary>
        public void Poll(long nowMs)
        {
            lastPollMs = nowMs;
            HandleIncoming(nowMs);
            if (!running)
            {
                return;
            }
            if (callId != 0)
            {
                Follow(nowMs);
                return;
            }
            if ((resumeAtMs >= 0 && nowMs < resumeAtMs) || (yieldUntilMs >= 0 && nowMs < yieldUntilMs))
            {
                return; // a pause, or a frame that needs the data path first
            }
            if (stopped)
            {
                running = false;
                return;
            }
            if (!voice.Available)
            {
                return; // the module is not ready or a listen-in call is up: no round is spent waiting
            }
            PlaceNext(nowMs);
        }

        private void Begin(long nowMs)
        {
            running = true;
            resumeAtMs = -1;
            Poll(nowMs);
        }

        /// <summary>An alert found in the outbox at boot: it is open again, and its calls start over if it was already texted.</summary>
        public void Resumed(byte alertCode, long nowMs)
        {
            FrameWaiting(nowMs); // the outbox goes out first
            AlertRaised(alertCode, nowMs);
        }

        private void PlaceNext(long nowMs)
        {
            while (true)
            {
                string number = NumberOf(target);
                if (number != null)
                {
                    int id = voice.Dial(number, Speaker(), nowMs);
                    if (id == 0)
                    {
                        target++; // refused outright (not dialable, no SIM): the next number
                        resumeAtMs = nowMs + options.GapS * 1000L;
                        return;
                    }
                    callId = id;
                    phase = Phase.Ringing;
                    callStartedMs = nowMs;
                    dialSeen = false;
                    hangingUp = false;
                    redo = false;
                    return;
                }
                if (target <= guardians.Length)
                {
                    target++; // nobody to call at this place this round
                    continue;
                }
                round++;
                target = 0;
                if (Finished())
                {
                    End(nowMs);
                    return;
                }
                resumeAtMs = nowMs + options.RoundPauseS * 1000L;
                return;
            }
        }

        /// <summary>Place 0 is the emergency number, place i the i-th guardian; null when that place is not called now.</summary>
        private string NumberOf(int place)
        {
            if (place == 0)
            {
                return callEmergency && !emergencyHeld ? emergencyNumber : null;
            }
            return place <= guardians.Length && !confirmed ? guardians[place - 1] : null;
        }

        private bool Finished()
        {
            bool emergencyDone = !callEmergency || emergencyHeld;
            bool guardiansDone = guardians.Length == 0 || confirmed;
            return round >= options.Rounds || (emergencyDone && guardiansDone);
        }

        private void End(long nowMs)
        {
            running = false;
            if (stopped || reports == null)
            {
                return;
            }
            if (guardians.Length > 0 && !confirmed)
            {
                reports.OnCallReport(CallEvent.NoGuardianConfirmed, 0, nowMs);
            }
            if (callEmergency && !emergencyHeld)
            {
                reports.OnCallReport(CallEvent.EmergencyUnanswered, 0, nowMs);
            }
        }

        private void Follow(long nowMs)
        {
            if (voice.CallId != callId || voice.State == CallState.Idle)
            {
                Ended(nowMs);
                return;
            }
            if (hangingUp)
            {
                return;
            }
            CallState state = voice.State;
            switch (phase)
            {
                case Phase.Ringing:
                    if (!dialSeen && voice.Dialled)
                    {
                        // The ring time runs from the dial command, not from when the call was queued behind an SMS or a
                        // data command: a number is given its full ring time to answer.
                        dialSeen = true;
                        callStartedMs = nowMs;
                    }
                    if (state == CallState.Connected)
                    {
                        connectedMs = nowMs;
                        if (target == 0)
                        {
                            phase = Phase.Emergency;
                            emergencyHeld = true;
                            Report(CallEvent.EmergencyConnected, 0, nowMs);
                        }
                        else
                        {
                            phase = Phase.AwaitKey;
                            voice.TakeKeys(); // only keys pressed after the answer count
                        }
                    }
                    else if (nowMs - callStartedMs >= options.RingS * 1000L)
                    {
                        HangUp(nowMs);
                    }
                    return;
                case Phase.AwaitKey:
                    if (voice.TakeKeys().IndexOf(options.ConfirmKey) >= 0)
                    {
                        confirmed = true;
                        phase = Phase.Holding;
                        holdUntilMs = nowMs + options.GuardianHoldS * 1000L;
                        Report(CallEvent.GuardianConfirmed, target, nowMs);
                    }
                    else if (nowMs - connectedMs >= options.ConfirmS * 1000L)
                    {
                        HangUp(nowMs);
                    }
                    return;
                case Phase.Emergency:
                    if (nowMs - connectedMs >= options.EmergencyHoldS * 1000L)
                    {
                        HangUp(nowMs);
                    }
                    return;
                case Phase.Holding:
                    if (nowMs >= holdUntilMs)
                    {
                        HangUp(nowMs);
                    }
                    return;
            }
        }

        private void Ended(long nowMs)
        {
            if (voice.LastEnd == CallEnd.Failed && phase != Phase.Holding && !redoneAfterFailure)
            {
                // Cut by the module (a restart, no network for a moment), not by the person: called once more.
                emergencyHeld = emergencyHeld && phase != Phase.Emergency;
                redo = true;
                redoneAfterFailure = true;
            }
            callId = 0;
            phase = Phase.None;
            hangingUp = false;
            if (!alertOpen)
            {
                running = false;
                return;
            }
            if (redo)
            {
                redo = false;
                resumeAtMs = nowMs + options.YieldS * 1000L;
                return;
            }
            target++;
            redoneAfterFailure = false;
            resumeAtMs = nowMs + options.GapS * 1000L;
        }

        private void HangUp(long nowMs)
        {
            hangingUp = true;
            voice.HangUp(nowMs);
        }

        private bool Speaker()
        {
            return options.Speaker && !covert && code != (byte)AlertCode.HoldUp;
        }

        private void Report(CallEvent e, int who, long nowMs)
        {
            if (reports != null)
            {
                reports.OnCallReport(e, who, nowMs);
            }
        }

        // ---- Calls ringing in ----

        private void HandleIncoming(long nowMs)
        {
            if (voice.State != CallState.Incoming)
            {
                incomingSinceMs = -1;
                incomingHandled = false;
                return;
            }
            if (incomingHandled)
            {
                return;
            }
            if (incomingSinceMs < 0)
            {
                incomingSinceMs = nowMs;
            }
            string number = voice.IncomingNumber;
            if ((number == null || number.Length == 0) && nowMs - incomingSinceMs < CallerIdWaitMs)
            {
                return; // +CLIP comes just after RING
            }
            incomingHandled = true;
            int who = WhoCalls(number);
            bool window = alertOpen || (listenInUntilMs >= 0 && nowMs < listenInUntilMs);
            if (options.Enabled && options.ListenIn && who > 0 && window && callId == 0)
            {
                voice.Answer(false, nowMs);
                Report(CallEvent.ListenedIn, who, nowMs);
                return;
            }
            voice.HangUp(nowMs);
        }

        /// <summary>1–8 for a guardian, <see cref="CallReport.CallBackNumber"/> for a call-back number, 0 for anyone else.</summary>
        private int WhoCalls(string number)
        {
            for (int i = 0; i < guardians.Length && i < 8; i++)
            {
                if (CallerNumbers.Same(number, guardians[i]))
                {
                    return i + 1;
                }
            }
            for (int i = 0; i < options.CallBackNumbers.Length; i++)
            {
                if (CallerNumbers.Same(number, options.CallBackNumbers[i]))
                {
                    return CallReport.CallBackNumber;
                }
            }
            return 0;
        }
    }
}
