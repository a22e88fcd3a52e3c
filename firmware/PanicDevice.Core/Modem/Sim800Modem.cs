using PanicDevice.Core.Calls;
using PanicDevice.Core.Io;
using PanicDevice.Core.Location;
using PanicDevice.Core.Net;
using PanicDevice.Core.Sms;

namespace PanicDevice.Core.Modem
{
    /// <summary>Where the module stands, for diagnostics and tests.</summary>
    public enum Sim800Phase
    {
        /// <summary>Checking whether the module is already on (it may have kept running while the MCU rebooted).</summary>
        Probing = 0,
        /// <summary>Holding PWRKEY or waiting with the supply cut.</summary>
        Powering = 1,
        /// <summary>Waiting for the module to answer after power-on or a reset.</summary>
        Booting = 2,
        /// <summary>Echo off, verbose errors, network time, SMS format.</summary>
        Configuring = 3,
        /// <summary>Asking for the SIM (AT+CPIN?); again every 10 s while there is no usable one.</summary>
        CheckingSim = 4,
        /// <summary>Waiting for network registration.</summary>
        Registering = 5,
        /// <summary>Registered: SMS can go; GPRS and TCP come up on demand.</summary>
        Ready = 6,
    }

    /// <summary>
    /// SIMCom SIM800 driver over the modem's UART: one TCP connection (the MQTT session's
    /// <see cref="ITcpLink"/>) and SMS (<see cref="ISmsSender"/>), both without blocking, driven by Poll.
    /// It brings the module up (PWRKEY through <see cref="IModemPower"/>, echo off, verbose errors, SIM and
    /// registration checks), brings GPRS up only when a connection is wanted, reads TCP data in hex
    /// (AT+CIPRXGET=3) so the line reader never sees binary, acts on unsolicited codes at any moment, gives
    /// every command a timeout, and climbs <see cref="ModemRecoveryLadder"/> when things keep failing.
    /// The same code runs on the ESP32's UART, a PC serial port and the host emulator.
    /// TCP, SMS and cell information are parts of their own (<see cref="ISim800Part"/>). What stays here, about 680 lines,
    /// is the module's life as one state machine (probe, power, configure, SIM, registration, timeouts and the ladder):
    /// every phase change is read against the others, and spreading them over files would hide that; plus the public
    /// surface the session, the engine and diagnostics use.
    /// </summary>
    public class Sim800Modem : ITcpLink, ISmsSender, IVoiceCalls, IUnsolicitedListener, INetworkStatus
    {
        /// <summary>Largest CIPSEND (the module takes up to 1460 in single-connection mode; smaller keeps the UART turn short).</summary>
        public const int SendChunk = 512;
        /// <summary>Largest CIPRXGET=3 read: its hex line (2 characters a byte) must fit the line reader.</summary>
        public const int ReadChunk = 500;
        /// <summary>Bytes buffered each way.</summary>
        public const int BufferBytes = 2048;
        /// <summary>SMS waiting to be sent before new ones are refused (reported Failed, never dropped silently).</summary>
        public const int MaxQueuedSms = 16;
        /// <summary>Times an SMS is tried before it is reported Failed.</summary>
        public const int SmsAttempts = 2;

        // The modem's own commands: bringing the module up and keeping it there. The services' commands are their own.
        private enum Op
        {
            None, Probe, Config, SimCheck, Registration, Reset,
        }

        private static readonly string[] ConfigCommands = { "ATE0", "AT+CMEE=2", "AT+CLTS=1", "AT+CSCS=\"IRA\"" };

        private readonly IModemPower power;
        private readonly Sim800Settings settings;
        private readonly AtCommandChannel channel;
        private readonly ModemRecoveryLadder ladder = new ModemRecoveryLadder();
        private readonly Sim800Tcp tcp;
        private readonly Sim800Sms sms;
        private readonly Sim800CellInfo cellInfo;
        private readonly Sim800Voice voice;
        private readonly ISim800Part[] parts;

        private Op op = Op.None;
        private ISim800Part running;
        private int step;
        private int attempts;
        private long waitUntilMs = -1;
        private long phaseDeadlineMs = long.MaxValue;
        private bool poweredOn;
        private bool simMissing;
        private bool resumeAfterProbe;
        private Sim800Phase resumePhase;
        private long resumeDeadlineMs;
        private long nowMs;

        /// <summary>Creates a driver; nothing is sent before the first Poll.</summary>
        public Sim800Modem(IByteStream port, IModemPower power, Sim800Settings settings)
        {
            string problem = settings.Validate();
            if (problem != null)
            {
                throw new System.ArgumentException(problem);
            }
            this.power = power;
            this.settings = settings;
            channel = new AtCommandChannel(port, this);
            tcp = new Sim800Tcp(this, channel, settings);
            sms = new Sim800Sms(this, channel);
            cellInfo = new Sim800CellInfo(this, channel, settings);
            voice = new Sim800Voice(this, channel, settings);
            // Once the module is ready, work goes in this order (after a stale TCP connection is closed, see NextReadyWork):
            // an alert's SMS never waits behind a call or data; a hang-up never waits behind data (an alert frame waits
            // for it); nothing waits behind signal, clock or cell position.
            parts = new ISim800Part[] { sms, voice, tcp, cellInfo };
            Phase = Sim800Phase.Probing;
        }

        /// <summary>Where the module stands.</summary>
        public Sim800Phase Phase { get; private set; }

        /// <summary>State of the TCP connection as the MQTT session sees it.</summary>
        public TcpLinkState State
        {
            get { return tcp.State; }
        }

        /// <summary>The last thing that went wrong, in words (never a password or key).</summary>
        public string LastError { get; internal set; }

        /// <summary>Signal strength in dBm from the last AT+CSQ (0 = unknown).</summary>
        public int SignalDbm
        {
            get { return cellInfo.SignalDbm; }
        }

        /// <summary>Network time in UTC seconds when last read, or -1; see <see cref="UtcSeconds"/>.</summary>
        public long NetworkUtcSeconds
        {
            get { return cellInfo.NetworkUtcSeconds; }
        }

        /// <summary>The last cell-based position (AT+CIPGSMLOC), or null.</summary>
        public LocationFix CellFix
        {
            get { return cellInfo.CellFix; }
        }

        /// <summary>SMS the network delivered to the SIM (+CMTI) since start; the device does not act on them.</summary>
        public int IncomingSmsNotices
        {
            get { return sms.IncomingNotices; }
        }

        /// <summary>The ladder, for diagnostics.</summary>
        public ModemRecoveryLadder Recovery
        {
            get { return ladder; }
        }

        /// <summary>Times the module restarted without being asked (RDY, power-down codes).</summary>
        public int UnexpectedRestarts { get; private set; }

        /// <summary>UTC seconds now, from the network clock read at registration; 0 when unknown.</summary>
        public uint UtcSeconds(long now)
        {
            return cellInfo.UtcSeconds(now);
        }

        /// <summary>Asks the module for a cell-based position (needs <see cref="Sim800Settings.CellLocation"/>); the answer shows in <see cref="CellFix"/>.</summary>
        public void RequestCellLocation()
        {
            cellInfo.RequestLocation();
        }

        /// <summary>When Poll next has something to do on its own (the caller may sleep until then or until UART data arrives).</summary>
        public long NextDeadlineMs
        {
            get
            {
                long next = channel.DeadlineMs;
                if (waitUntilMs >= 0 && waitUntilMs < next)
                {
                    next = waitUntilMs;
                }
                if (tcp.ReadDueMs < next)
                {
                    next = tcp.ReadDueMs;
                }
                return next;
            }
        }

        // ---- ITcpLink ----

        /// <summary>Starts connecting; GPRS is brought up first if needed.</summary>
        public void Open(string hostName, int tcpPort, long now)
        {
            tcp.Open(hostName, tcpPort);
        }

        /// <summary>Closes the connection; the module is told with AT+CIPCLOSE on a later Poll.</summary>
        public void Close(long now)
        {
            tcp.Close();
        }

        /// <summary>Buffers bytes for CIPSEND.</summary>
        public int Send(byte[] data, int offset, int count, long now)
        {
            return tcp.Send(data, offset, count);
        }

        /// <summary>Hands over bytes read from the module.</summary>
        public int Receive(byte[] buffer, int offset, int count)
        {
            return tcp.Receive(buffer, offset, count);
        }

        // ---- ISmsSender ----

        /// <summary>Queues an SMS; long or non-GSM text goes as a concatenated PDU-mode SMS.</summary>
        public int Send(string number, string text, long now)
        {
            return sms.Send(number, text);
        }

        /// <summary>State of a queued SMS.</summary>
        public SmsSendState StateOf(int id)
        {
            return sms.StateOf(id);
        }

        // ---- IVoiceCalls ----

        /// <summary>True when a call can be placed now: the module is registered, has a SIM, and no call is under way.</summary>
        public bool Available
        {
            get { return Phase == Sim800Phase.Ready && !simMissing && voice.Idle; }
        }

        /// <summary>The call in progress, or Idle.</summary>
        CallState IVoiceCalls.State
        {
            get { return voice.State; }
        }

        /// <summary>The call in progress, or Idle.</summary>
        public CallState CallState
        {
            get { return voice.State; }
        }

        /// <summary>Number of the current or last call.</summary>
        public int CallId
        {
            get { return voice.CallId; }
        }

        /// <summary>The module took the dial command of the call being placed.</summary>
        public bool Dialled
        {
            get { return voice.Dialled; }
        }

        /// <summary>How the last call ended.</summary>
        public CallEnd LastEnd
        {
            get { return voice.LastEnd; }
        }

        /// <summary>The number ringing in, "" when withheld, null when none.</summary>
        public string IncomingNumber
        {
            get { return voice.IncomingNumber; }
        }

        /// <summary>The number of the current or last call (dialled, or the caller's once answered); for diagnostics.</summary>
        public string CallNumber
        {
            get { return voice.Number; }
        }

        /// <summary>False when the module refused DTMF detection.</summary>
        public bool HearsKeys
        {
            get { return voice.HearsKeys; }
        }

        /// <summary>Places a voice call (<see cref="Sim800Settings.Voice"/> sets the module up for it first).</summary>
        public int Dial(string number, bool speaker, long now)
        {
            return simMissing ? 0 : voice.Dial(number, speaker);
        }

        /// <summary>Answers the call ringing in.</summary>
        public void Answer(bool speaker, long now)
        {
            voice.Answer(speaker);
        }

        /// <summary>Ends the call, or refuses the one ringing in.</summary>
        public void HangUp(long now)
        {
            voice.HangUp();
        }

        /// <summary>Speaker on or silent for the call in progress.</summary>
        public void SetSpeaker(bool on, long now)
        {
            voice.SetSpeaker(on);
        }

        /// <summary>DTMF keys heard since the last take.</summary>
        public string TakeKeys()
        {
            return voice.TakeKeys();
        }

        // ---- What the parts use ----

        /// <summary>No usable SIM: nothing can be sent, and callers are told at once.</summary>
        internal bool SimMissing
        {
            get { return simMissing; }
        }

        /// <summary>GPRS is up (the cell-location bearer rides on it).</summary>
        internal bool GprsUp
        {
            get { return tcp.GprsUp; }
        }

        internal void Run(ISim800Part part, string command, int timeoutMs)
        {
            running = part;
            channel.Start(command, timeoutMs, nowMs);
        }

        internal void RunTwoFinals(ISim800Part part, string command, int timeoutMs)
        {
            running = part;
            channel.StartTwoFinals(command, timeoutMs, nowMs);
        }

        internal void RunOneLine(ISim800Part part, string command, int timeoutMs)
        {
            running = part;
            channel.StartOneLine(command, timeoutMs, nowMs);
        }

        internal void RunWithData(ISim800Part part, string command, byte[] payload, int timeoutMs)
        {
            running = part;
            channel.StartWithData(command, payload, timeoutMs, nowMs);
        }

        /// <summary>No command goes out before <paramref name="ms"/> from now.</summary>
        internal void Wait(long ms)
        {
            waitUntilMs = nowMs + ms;
        }

        /// <summary>Something worked end to end: the recovery ladder starts from the bottom again.</summary>
        internal void Succeeded()
        {
            ladder.OnSuccess();
        }

        /// <summary>Something failed: one rung up the recovery ladder.</summary>
        internal void Failed(ModemFailure failure)
        {
            Climb(ladder.OnFailure(failure));
        }

        /// <summary>GPRS went down or came up afresh: the cell-location bearer must be opened again.</summary>
        internal void BearerLost()
        {
            cellInfo.OnBearerLost();
        }

        // ---- Poll ----

        /// <summary>Reads the UART, finishes commands, and starts the next one.</summary>
        public void Poll(long now)
        {
            nowMs = now;
            channel.Poll(now);
            // A few turns, so a burst of quick answers does not wait for the next Poll each.
            for (int turn = 0; turn < 4; turn++)
            {
                if (channel.Status != AtCommandStatus.Idle && !channel.IsBusy)
                {
                    Op finished = op;
                    ISim800Part part = running;
                    op = Op.None;
                    running = null;
                    Finish(finished, part);
                    if (!channel.IsBusy)
                    {
                        channel.Clear();
                    }
                }
                if (channel.IsBusy)
                {
                    return;
                }
                if (waitUntilMs >= 0 && now < waitUntilMs)
                {
                    return;
                }
                waitUntilMs = -1;
                Next();
                if (op == Op.None && running == null)
                {
                    return;
                }
            }
        }

        private void Run(Op what, string command, int timeoutMs)
        {
            op = what;
            channel.Start(command, timeoutMs, nowMs);
        }

        /// <summary>Picks the next command for the phase.</summary>
        private void Next()
        {
            switch (Phase)
            {
                case Sim800Phase.Probing:
                case Sim800Phase.Booting:
                    Run(Op.Probe, "AT", 1000);
                    return;
                case Sim800Phase.Powering:
                    NextPowerStep();
                    return;
                case Sim800Phase.Configuring:
                    Run(Op.Config, ConfigCommands[step], Sim800Timeouts.SimpleMs);
                    return;
                case Sim800Phase.CheckingSim:
                    Run(Op.SimCheck, "AT+CPIN?", Sim800Timeouts.SimStatusMs);
                    return;
                case Sim800Phase.Registering:
                    Run(Op.Registration, "AT+CREG?", Sim800Timeouts.SimpleMs);
                    return;
                default:
                    NextReadyWork();
                    return;
            }
        }

        /// <summary>
        /// The one place where the order of work is decided: a TCP connection to drop first (a new CIPSTART needs the
        /// module clean), then each part in <see cref="parts"/>' order.
        /// </summary>
        private void NextReadyWork()
        {
            if (tcp.StartClosing(nowMs))
            {
                return;
            }
            for (int i = 0; i < parts.Length; i++)
            {
                // A SIM800 suspends GPRS while a call is up: a CIPSEND then would only time out and climb the ladder.
                if (voice.InCall && (parts[i] == tcp || parts[i] == cellInfo))
                {
                    continue;
                }
                if (parts[i].StartWork(nowMs))
                {
                    return;
                }
            }
        }

        private void NextPowerStep()
        {
            // step 0: cut supply; 1: restore; 2: press PWRKEY; 3: release and boot.
            switch (step)
            {
                case 0:
                    power.SetSupply(false);
                    step = 1;
                    Wait(Sim800Timeouts.SupplyOffMs);
                    return;
                case 1:
                    power.SetSupply(true);
                    step = 2;
                    Wait(500);
                    return;
                case 2:
                    power.SetPowerKey(true);
                    step = 3;
                    Wait(Sim800Timeouts.PowerKeyPulseMs);
                    return;
                default:
                    power.SetPowerKey(false);
                    poweredOn = true;
                    EnterBooting(Sim800Timeouts.BootMs);
                    Wait(2000);
                    return;
            }
        }

        // ---- Results ----

        private void Finish(Op finished, ISim800Part part)
        {
            AtCommandStatus status = channel.Status;
            if (status == AtCommandStatus.TimedOut)
            {
                OnTimeout(finished, part);
                return;
            }
            if (part != null)
            {
                part.Finish(nowMs);
                return;
            }
            bool ok = status == AtCommandStatus.Ok;
            switch (finished)
            {
                case Op.Probe:
                    OnProbe(ok);
                    return;
                case Op.Config:
                    // A refused setting (old firmware without CLTS, say) is not worth stopping for.
                    step++;
                    if (step >= ConfigCommands.Length)
                    {
                        sms.FormatUnknown();
                        Enter(Sim800Phase.CheckingSim);
                        waitUntilMs = -1;
                    }
                    return;
                case Op.SimCheck:
                    OnSimCheck(ok);
                    return;
                case Op.Registration:
                    OnRegistration(ok);
                    return;
                case Op.Reset:
                    // OK now, RDY when it is back; Booting probes until then.
                    EnterBooting(Sim800Timeouts.ResetMs);
                    Wait(3000);
                    return;
            }
        }

        private void OnProbe(bool ok)
        {
            if (ok)
            {
                if (Phase == Sim800Phase.Booting || Phase == Sim800Phase.Probing)
                {
                    EnterConfiguring();
                }
                return;
            }
            // ERROR to a bare AT is line noise mid-answer; ask again shortly, within the same deadline.
            if (Phase == Sim800Phase.Booting && nowMs >= phaseDeadlineMs)
            {
                FailEverything("modem does not answer");
                Climb(ladder.OnFailure(ModemFailure.NoAnswer));
                return;
            }
            Wait(200);
        }

        private void OnSimCheck(bool ok)
        {
            string cpin = channel.LineStartingWith("+CPIN:");
            // Exactly READY: "+CPIN: NOT READY" (SIM missing or still starting) contains the word too.
            if (ok && cpin != null && cpin.Substring(cpin.IndexOf(':') + 1).Trim() == "READY")
            {
                simMissing = false;
                Enter(Sim800Phase.Registering);
                phaseDeadlineMs = nowMs + settings.RegistrationTimeoutMs;
                return;
            }
            LastError = "no usable SIM (" + (cpin != null ? cpin : channel.FinalLine) + ")";
            simMissing = true;
            // Nothing can be sent without a SIM: say so now rather than let callers wait.
            FailEverything(LastError);
            Wait(10000);
        }

        private void OnRegistration(bool ok)
        {
            string creg = channel.LineStartingWith("+CREG:");
            int status = ok && creg != null ? Sim800Replies.RegistrationStatus(creg) : -1;
            if (Sim800Replies.IsRegistered(status))
            {
                Enter(Sim800Phase.Ready);
                cellInfo.OnRegistered(nowMs);
                return;
            }
            if (nowMs >= phaseDeadlineMs)
            {
                LastError = status == 3 ? "registration denied" : "not registered on the network";
                FailEverything(LastError);
                Climb(ladder.OnFailure(ModemFailure.Registration));
                return;
            }
            Wait(settings.RegistrationPollMs);
        }

        private void OnTimeout(Op finished, ISim800Part part)
        {
            LastError = "no answer to " + CommandName(channel.Command);
            if (finished == Op.Probe)
            {
                attempts++;
                if (Phase == Sim800Phase.Probing && attempts >= 3)
                {
                    // Silent from the start: the module is off (or hung); power it.
                    BeginPowerCycle(poweredOn);
                    return;
                }
                if (Phase == Sim800Phase.Booting && nowMs >= phaseDeadlineMs)
                {
                    FailEverything("modem does not answer");
                    Climb(ladder.OnFailure(ModemFailure.NoAnswer));
                }
                return;
            }
            if (part != null)
            {
                // The part undoes what it had under way (an SMS failed, a connection closed to be sure), naming this error.
                part.Finish(nowMs);
            }
            // Is the module still there? Probing decides between carrying on and the ladder.
            channel.Reset();
            resumePhase = Phase;
            resumeDeadlineMs = phaseDeadlineMs;
            attempts = 0;
            Phase = Sim800Phase.Booting;
            phaseDeadlineMs = nowMs + 3000;
            resumeAfterProbe = true;
        }

        private void Climb(ModemRecoveryStep next)
        {
            switch (next)
            {
                case ModemRecoveryStep.Retry:
                    Wait(1000);
                    return;
                case ModemRecoveryStep.Reattach:
                    tcp.Reattach();
                    cellInfo.OnBearerLost();
                    return;
                case ModemRecoveryStep.Reset:
                    ModuleLost();
                    Phase = Sim800Phase.Ready; // the reset command itself goes out from here
                    op = Op.Reset;
                    channel.Start("AT+CFUN=1,1", Sim800Timeouts.SimpleMs, nowMs);
                    return;
                default:
                    BeginPowerCycle(true);
                    return;
            }
        }

        private void BeginPowerCycle(bool cutSupply)
        {
            ModuleLost();
            Phase = Sim800Phase.Powering;
            step = cutSupply ? 0 : 2;
            waitUntilMs = -1;
        }

        private void EnterBooting(int timeoutMs)
        {
            Phase = Sim800Phase.Booting;
            attempts = 0;
            resumeAfterProbe = false;
            phaseDeadlineMs = nowMs + timeoutMs;
        }

        private void EnterConfiguring()
        {
            if (resumeAfterProbe)
            {
                // The module answered after a command timed out: it is alive, carry on where we were.
                resumeAfterProbe = false;
                Phase = resumePhase;
                phaseDeadlineMs = resumeDeadlineMs;
                return;
            }
            Enter(Sim800Phase.Configuring);
        }

        private void Enter(Sim800Phase phase)
        {
            Phase = phase;
            step = 0;
            attempts = 0;
            phaseDeadlineMs = long.MaxValue;
        }

        /// <summary>The module restarted or is being restarted: everything it held is gone.</summary>
        private void ModuleLost()
        {
            channel.Reset();
            op = Op.None;
            running = null;
            tcp.OnModuleRestarted();
            sms.OnModuleRestarted();
            cellInfo.OnModuleRestarted();
            voice.OnModuleRestarted();
        }

        private void FailEverything(string why)
        {
            tcp.Fail(why);
            sms.FailAll(why);
            voice.Fail();
        }

        // ---- Unsolicited ----

        /// <summary>Acts on a URC (or a final code no command waited for).</summary>
        public void OnUnsolicited(string line, long now)
        {
            nowMs = now;
            if (line == "RDY" || line == "+CFUN: 1" || line.StartsWith("+CPIN: READY") || line == "Call Ready" || line == "SMS Ready")
            {
                if (line != "RDY")
                {
                    return; // boot chatter after RDY
                }
                if (Phase == Sim800Phase.Booting && !resumeAfterProbe)
                {
                    EnterConfiguring();
                    waitUntilMs = -1;
                    return;
                }
                // A reboot nobody asked for (brown-out, watchdog): start over.
                UnexpectedRestarts++;
                LastError = "modem rebooted";
                ModuleLost();
                Enter(Sim800Phase.Configuring);
                waitUntilMs = -1;
                return;
            }
            if (line.IndexOf("POWER DOWN") >= 0)
            {
                UnexpectedRestarts++;
                LastError = "modem powered down (" + line + ")";
                BeginPowerCycle(false);
                return;
            }
            if (line.StartsWith("UNDER-VOLTAGE") || line.StartsWith("OVER-VOLTAGE"))
            {
                LastError = line; // a warning: the module keeps running
                return;
            }
            if (line.StartsWith("+CPIN: NOT READY") || line.StartsWith("+CPIN: NOT INSERTED"))
            {
                LastError = "SIM removed";
                ModuleLost();
                Enter(Sim800Phase.CheckingSim);
                return;
            }
            for (int i = 0; i < parts.Length; i++)
            {
                if (parts[i].OnUnsolicited(line, now))
                {
                    return;
                }
            }
        }

        // ---- Helpers ----

        /// <summary>The command without its arguments: errors never repeat an APN password or a phone number.</summary>
        internal static string CommandName(string command)
        {
            if (command == null)
            {
                return "";
            }
            int eq = command.IndexOf('=');
            return eq < 0 ? command : command.Substring(0, eq);
        }
    }
}
