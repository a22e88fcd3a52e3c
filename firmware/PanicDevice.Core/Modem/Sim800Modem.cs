using System.Collections;
using System.Text;
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
    /// </summary>
    public class Sim800Modem : ITcpLink, ISmsSender, IUnsolicitedListener, INetworkStatus
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

        private enum Op
        {
            None, Probe, Config, SimCheck, Registration, Signal, Clock, Shut, Mux, RxMode, Apn, BringUp, Address,
            BearerType, BearerApn, BearerOpen, Connect, Send, Read, CloseTcp, SmsFormat, SmsSend, CellLocate, Reset,
        }

        private enum Conn
        {
            None, Connecting, Connected,
        }

        private static readonly string[] ConfigCommands = { "ATE0", "AT+CMEE=2", "AT+CLTS=1", "AT+CSCS=\"IRA\"" };

        private readonly IModemPower power;
        private readonly Sim800Settings settings;
        private readonly AtCommandChannel channel;
        private readonly ModemRecoveryLadder ladder = new ModemRecoveryLadder();
        private readonly byte[] tx = new byte[BufferBytes];
        private readonly byte[] rx = new byte[BufferBytes];
        private readonly ArrayList smsQueue = new ArrayList();
        private readonly ArrayList smsDone = new ArrayList();
        private int txCount;
        private int rxCount;
        private int sendingCount;

        private Op op = Op.None;
        private int step;
        private int attempts;
        private long waitUntilMs = -1;
        private long phaseDeadlineMs = long.MaxValue;
        private bool poweredOn;
        private bool simMissing;
        private bool resumeAfterProbe;
        private Sim800Phase resumePhase;
        private long resumeDeadlineMs;

        private bool wantOpen;
        private string host;
        private int port;
        private Conn conn = Conn.None;
        private bool needClose;
        private bool gprsUp;
        private bool bearerUp;
        private int bearerStep;
        private bool rxNotice;
        private bool peerClosed;
        private long nextReadMs;
        private long nextSignalMs;
        private bool clockAsked;
        private bool cellLocationWanted;
        private int smsFormat = -1;
        private int nextSmsId = 1;
        private int smsReference;
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
            Phase = Sim800Phase.Probing;
            NetworkUtcSeconds = -1;
        }

        /// <summary>Where the module stands.</summary>
        public Sim800Phase Phase { get; private set; }

        /// <summary>State of the TCP connection as the MQTT session sees it.</summary>
        public TcpLinkState State { get; private set; }

        /// <summary>The last thing that went wrong, in words (never a password or key).</summary>
        public string LastError { get; private set; }

        /// <summary>Signal strength in dBm from the last AT+CSQ (0 = unknown).</summary>
        public int SignalDbm { get; private set; }

        /// <summary>Network time in UTC seconds when last read, or -1; see <see cref="UtcSeconds"/>.</summary>
        public long NetworkUtcSeconds { get; private set; }

        private long networkTimeAtMs;

        /// <summary>The last cell-based position (AT+CIPGSMLOC), or null.</summary>
        public LocationFix CellFix { get; private set; }

        /// <summary>SMS the network delivered to the SIM (+CMTI) since start; the device does not act on them.</summary>
        public int IncomingSmsNotices { get; private set; }

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
            if (NetworkUtcSeconds < 0)
            {
                return 0;
            }
            return (uint)(NetworkUtcSeconds + (now - networkTimeAtMs) / 1000);
        }

        /// <summary>Asks the module for a cell-based position (needs <see cref="Sim800Settings.CellLocation"/>); the answer shows in <see cref="CellFix"/>.</summary>
        public void RequestCellLocation()
        {
            cellLocationWanted = settings.CellLocation;
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
                if (conn == Conn.Connected && nextReadMs < next)
                {
                    next = nextReadMs;
                }
                return next;
            }
        }

        // ---- ITcpLink ----

        /// <summary>Starts connecting; GPRS is brought up first if needed.</summary>
        public void Open(string hostName, int tcpPort, long now)
        {
            if (conn != Conn.None)
            {
                needClose = true;
            }
            host = hostName;
            port = tcpPort;
            wantOpen = true;
            peerClosed = false;
            txCount = 0;
            rxCount = 0;
            sendingCount = 0;
            State = TcpLinkState.Opening;
            if (simMissing)
            {
                FailTcp("no usable SIM");
            }
        }

        /// <summary>Closes the connection; the module is told with AT+CIPCLOSE on a later Poll.</summary>
        public void Close(long now)
        {
            wantOpen = false;
            peerClosed = false;
            if (conn != Conn.None)
            {
                needClose = true;
            }
            txCount = 0;
            rxCount = 0;
            sendingCount = 0;
            State = TcpLinkState.Closed;
        }

        /// <summary>Buffers bytes for CIPSEND.</summary>
        public int Send(byte[] data, int offset, int count, long now)
        {
            if (State != TcpLinkState.Open)
            {
                return 0;
            }
            int n = count < BufferBytes - txCount ? count : BufferBytes - txCount;
            System.Array.Copy(data, offset, tx, txCount, n);
            txCount += n;
            return n;
        }

        /// <summary>Hands over bytes read from the module.</summary>
        public int Receive(byte[] buffer, int offset, int count)
        {
            int n = count < rxCount ? count : rxCount;
            if (n <= 0)
            {
                return 0;
            }
            System.Array.Copy(rx, 0, buffer, offset, n);
            System.Array.Copy(rx, n, rx, 0, rxCount - n);
            rxCount -= n;
            return n;
        }

        // ---- ISmsSender ----

        /// <summary>Queues an SMS; long or non-GSM text goes as a concatenated PDU-mode SMS.</summary>
        public int Send(string number, string text, long now)
        {
            SmsJob job = new SmsJob();
            job.Id = nextSmsId++;
            job.Number = number;
            job.Text = text == null ? "" : text;
            job.State = SmsSendState.Pending;
            if (!IsDialable(number))
            {
                job.State = SmsSendState.Failed;
                LastError = "SMS number is not a phone number";
            }
            else if (smsQueue.Count >= MaxQueuedSms)
            {
                job.State = SmsSendState.Failed;
                LastError = "SMS queue full";
            }
            else if (simMissing)
            {
                job.State = SmsSendState.Failed;
                LastError = "no usable SIM";
            }
            else
            {
                try
                {
                    if (!SmsTextMode.Fits(job.Text))
                    {
                        smsReference = (smsReference + 1) & 0xFF;
                        job.Parts = SmsPduEncoder.Encode(number, job.Text, smsReference);
                    }
                }
                catch (System.ArgumentException)
                {
                    job.State = SmsSendState.Failed;
                    LastError = "SMS text too long";
                }
            }
            if (job.State == SmsSendState.Pending)
            {
                smsQueue.Add(job);
            }
            else
            {
                Remember(job);
            }
            return job.Id;
        }

        /// <summary>State of a queued SMS.</summary>
        public SmsSendState StateOf(int id)
        {
            for (int i = 0; i < smsQueue.Count; i++)
            {
                if (((SmsJob)smsQueue[i]).Id == id)
                {
                    return SmsSendState.Pending;
                }
            }
            for (int i = 0; i < smsDone.Count; i++)
            {
                SmsJob j = (SmsJob)smsDone[i];
                if (j.Id == id)
                {
                    return j.State;
                }
            }
            return SmsSendState.Unknown;
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
                    op = Op.None;
                    Finish(finished);
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
                if (op == Op.None)
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

        private void Wait(long ms)
        {
            waitUntilMs = nowMs + ms;
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

        private void NextReadyWork()
        {
            if (needClose)
            {
                Run(Op.CloseTcp, "AT+CIPCLOSE", Sim800Timeouts.CloseMs);
                return;
            }
            if (smsQueue.Count > 0)
            {
                SmsJob job = (SmsJob)smsQueue[0];
                int format = job.Parts == null ? 1 : 0;
                if (smsFormat != format)
                {
                    Run(Op.SmsFormat, "AT+CMGF=" + format.ToString(), Sim800Timeouts.SimpleMs);
                    return;
                }
                op = Op.SmsSend;
                if (job.Parts == null)
                {
                    channel.StartWithData("AT+CMGS=\"" + job.Number + "\"", TextModePayload(job.Text), Sim800Timeouts.SmsMs, nowMs);
                }
                else
                {
                    SmsPdu part = job.Parts[job.PartIndex];
                    channel.StartWithData("AT+CMGS=" + part.TpduLength.ToString(), TextModePayload(part.Hex), Sim800Timeouts.SmsMs, nowMs);
                }
                return;
            }
            if (wantOpen && conn == Conn.None)
            {
                if (!gprsUp)
                {
                    NextBringUpStep();
                    return;
                }
                conn = Conn.Connecting;
                op = Op.Connect;
                channel.StartTwoFinals("AT+CIPSTART=\"TCP\",\"" + host + "\"," + port.ToString(), Sim800Timeouts.ConnectMs, nowMs);
                return;
            }
            if (conn == Conn.Connected && txCount > 0)
            {
                sendingCount = txCount < SendChunk ? txCount : SendChunk;
                byte[] chunk = new byte[sendingCount];
                System.Array.Copy(tx, 0, chunk, 0, sendingCount);
                op = Op.Send;
                channel.StartWithData("AT+CIPSEND=" + sendingCount.ToString(), chunk, Sim800Timeouts.SendMs, nowMs);
                return;
            }
            if (conn == Conn.Connected && (rxNotice || nowMs >= nextReadMs) && BufferBytes - rxCount >= ReadChunk)
            {
                rxNotice = false;
                nextReadMs = nowMs + settings.ReceivePollMs;
                Run(Op.Read, "AT+CIPRXGET=3," + ReadChunk.ToString(), Sim800Timeouts.ReadMs);
                return;
            }
            if (cellLocationWanted && gprsUp)
            {
                if (!bearerUp)
                {
                    NextBearerStep();
                    return;
                }
                cellLocationWanted = false;
                Run(Op.CellLocate, "AT+CIPGSMLOC=1,1", Sim800Timeouts.CellLocationMs);
                return;
            }
            if (!clockAsked)
            {
                clockAsked = true;
                Run(Op.Clock, "AT+CCLK?", Sim800Timeouts.SimpleMs);
                return;
            }
            if (nowMs >= nextSignalMs)
            {
                nextSignalMs = nowMs + settings.SignalPollMs;
                Run(Op.Signal, "AT+CSQ", Sim800Timeouts.SimpleMs);
            }
        }

        private void NextBringUpStep()
        {
            switch (step)
            {
                case 0:
                    Run(Op.Shut, "AT+CIPSHUT", Sim800Timeouts.ShutMs);
                    return;
                case 1:
                    Run(Op.Mux, "AT+CIPMUX=0", Sim800Timeouts.SimpleMs);
                    return;
                case 2:
                    Run(Op.RxMode, "AT+CIPRXGET=1", Sim800Timeouts.SimpleMs);
                    return;
                case 3:
                    // Quick send: CIPSEND ends at DATA ACCEPT instead of waiting a round trip for the server's
                    // TCP acknowledgement, so a press is never queued behind a PUBACK still in flight. MQTT's
                    // own PUBACK tells whether the alert arrived.
                    Run(Op.RxMode, "AT+CIPQSEND=1", Sim800Timeouts.SimpleMs);
                    return;
                case 4:
                    Run(Op.Apn, "AT+CSTT=\"" + settings.Apn + "\",\"" + settings.ApnUser + "\",\"" + settings.ApnPassword + "\"", Sim800Timeouts.SetApnMs);
                    return;
                case 5:
                    Run(Op.BringUp, "AT+CIICR", Sim800Timeouts.BringUpMs);
                    return;
                default:
                    op = Op.Address;
                    channel.StartOneLine("AT+CIFSR", Sim800Timeouts.SimpleMs, nowMs);
                    return;
            }
        }

        private void NextBearerStep()
        {
            switch (bearerStep)
            {
                case 0:
                    Run(Op.BearerType, "AT+SAPBR=3,1,\"Contype\",\"GPRS\"", Sim800Timeouts.SimpleMs);
                    return;
                case 1:
                    Run(Op.BearerApn, "AT+SAPBR=3,1,\"APN\",\"" + settings.Apn + "\"", Sim800Timeouts.SimpleMs);
                    return;
                default:
                    Run(Op.BearerOpen, "AT+SAPBR=1,1", Sim800Timeouts.BearerMs);
                    return;
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

        private void Finish(Op finished)
        {
            AtCommandStatus status = channel.Status;
            if (status == AtCommandStatus.TimedOut)
            {
                OnTimeout(finished);
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
                        smsFormat = -1;
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
                case Op.Signal:
                    string csq = channel.LineStartingWith("+CSQ:");
                    SignalDbm = ok && csq != null ? Sim800Replies.SignalDbm(csq) : 0;
                    return;
                case Op.Clock:
                    string cclk = channel.LineStartingWith("+CCLK:");
                    long utc = ok && cclk != null ? Sim800Replies.ClockUtcSeconds(cclk) : -1;
                    if (utc > 0)
                    {
                        NetworkUtcSeconds = utc;
                        networkTimeAtMs = nowMs;
                    }
                    return;
                case Op.Shut:
                case Op.Mux:
                case Op.RxMode:
                case Op.Apn:
                case Op.BringUp:
                    if (ok || finished == Op.Shut)
                    {
                        step++;
                    }
                    else
                    {
                        BringUpFailed(finished);
                    }
                    return;
                case Op.Address:
                    string ip = channel.LineCount > 0 ? channel.Line(0) : "";
                    if (ip.IndexOf('.') > 0 && ip.IndexOf("ERROR") < 0)
                    {
                        gprsUp = true;
                        bearerUp = false;
                    }
                    else
                    {
                        BringUpFailed(finished);
                    }
                    return;
                case Op.BearerType:
                case Op.BearerApn:
                case Op.BearerOpen:
                    // SAPBR=1,1 answers ERROR when the bearer is already open; CIPGSMLOC tells the truth either way.
                    bearerStep++;
                    if (finished == Op.BearerOpen)
                    {
                        bearerUp = true;
                        bearerStep = 0;
                    }
                    return;
                case Op.CellLocate:
                    string loc = channel.LineStartingWith("+CIPGSMLOC:");
                    LocationFix fix = ok && loc != null ? Sim800Replies.CellLocation(loc, nowMs) : null;
                    if (fix != null)
                    {
                        CellFix = fix;
                    }
                    else
                    {
                        LastError = "cell location unavailable";
                    }
                    return;
                case Op.Connect:
                    OnConnect(ok);
                    return;
                case Op.Send:
                    OnSent(ok);
                    return;
                case Op.Read:
                    OnRead(ok);
                    return;
                case Op.CloseTcp:
                    // CLOSE OK, or ERROR because the module already forgot the connection: either way it is gone.
                    needClose = false;
                    conn = Conn.None;
                    return;
                case Op.SmsFormat:
                    smsFormat = ok ? (channel.Command == "AT+CMGF=0" ? 0 : 1) : -1;
                    if (!ok)
                    {
                        SmsFailed("SMS format refused");
                    }
                    return;
                case Op.SmsSend:
                    OnSmsSent(ok);
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
                nextSignalMs = nowMs;
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

        private void OnConnect(bool ok)
        {
            string final = channel.FinalLine;
            if (ok && final == "CONNECT OK")
            {
                conn = Conn.Connected;
                nextReadMs = nowMs;
                if (wantOpen && State == TcpLinkState.Opening)
                {
                    State = TcpLinkState.Open;
                    ladder.OnSuccess();
                }
                else
                {
                    needClose = true;
                }
                return;
            }
            if (ok)
            {
                // ALREADY CONNECT: a connection we lost track of; close it and connect afresh.
                conn = Conn.Connected;
                needClose = true;
                return;
            }
            conn = Conn.None;
            needClose = true; // leaves the module's connection state clean for the next CIPSTART
            FailTcp("TCP connection failed (" + final + ")");
            Climb(ladder.OnFailure(final == "CONNECT FAIL" ? ModemFailure.Connect : ModemFailure.Data));
        }

        private void OnSent(bool ok)
        {
            if (ok && State == TcpLinkState.Open && sendingCount <= txCount)
            {
                System.Array.Copy(tx, sendingCount, tx, 0, txCount - sendingCount);
                txCount -= sendingCount;
                sendingCount = 0;
                return;
            }
            sendingCount = 0;
            if (!ok)
            {
                needClose = true;
                FailTcp("send failed (" + channel.FinalLine + ")");
            }
        }

        private void OnRead(bool ok)
        {
            ReadResult(ok);
            if (peerClosed && !rxNotice)
            {
                peerClosed = false;
                conn = Conn.None;
                FailTcp("connection closed by the network");
            }
        }

        private void ReadResult(bool ok)
        {
            if (!ok)
            {
                if (channel.FinalLine == "OVERLONG")
                {
                    // The hex line outgrew the reader (noise without a line end): the module gave those bytes out, so
                    // the stream has a hole.
                    CorruptStream();
                }
                return; // otherwise no connection any more; CLOSED says so separately
            }
            int length;
            int remaining;
            string header = channel.LineStartingWith("+CIPRXGET: 3,");
            if (header == null)
            {
                return; // nothing waiting
            }
            if (!Sim800Replies.ReceiveHeader(header, out length, out remaining) || length > ReadChunk)
            {
                CorruptStream();
                return;
            }
            if (length == 0)
            {
                return;
            }
            string hex = null;
            for (int i = 0; i < channel.LineCount; i++)
            {
                if (channel.Line(i) != header)
                {
                    hex = channel.Line(i);
                    break;
                }
            }
            if (hex == null || hex.Length != length * 2 || State != TcpLinkState.Open)
            {
                if (State == TcpLinkState.Open)
                {
                    CorruptStream();
                }
                return;
            }
            if (Sim800Replies.Hex(hex, rx, rxCount) != length)
            {
                CorruptStream();
                return;
            }
            rxCount += length;
            // rxNotice was cleared when this read started; a +CIPRXGET: 1 that arrived while it ran has set it
            // again and must not be overwritten, or that data would wait for the periodic read.
            if (remaining > 0)
            {
                rxNotice = true;
            }
        }

        private void CorruptStream()
        {
            // A byte lost or garbled in the middle of the MQTT stream cannot be repaired; a fresh connection
            // (and QoS 1 redelivery) can.
            needClose = true;
            FailTcp("received data was garbled on the UART");
        }

        private void OnSmsSent(bool ok)
        {
            if (smsQueue.Count == 0)
            {
                return;
            }
            SmsJob job = (SmsJob)smsQueue[0];
            if (ok && channel.LineStartingWith("+CMGS:") != null)
            {
                job.PartIndex++;
                if (job.Parts == null || job.PartIndex >= job.Parts.Length)
                {
                    job.State = SmsSendState.Sent;
                    smsQueue.RemoveAt(0);
                    Remember(job);
                    ladder.OnSuccess();
                }
                return;
            }
            job.Attempts++;
            LastError = "SMS refused (" + channel.FinalLine + ")";
            if (job.Attempts >= SmsAttempts)
            {
                SmsFailed(LastError);
                return;
            }
            // Parts already accepted were delivered; a retry resends only what is left.
            Wait(2000);
        }

        private void SmsFailed(string why)
        {
            if (smsQueue.Count == 0)
            {
                return;
            }
            SmsJob job = (SmsJob)smsQueue[0];
            smsQueue.RemoveAt(0);
            job.State = SmsSendState.Failed;
            LastError = why;
            Remember(job);
        }

        private void BringUpFailed(Op finished)
        {
            LastError = "GPRS bring-up failed at " + CommandName(channel.Command) + " (" + channel.FinalLine + ")";
            FailTcp(LastError);
            step = 0;
            Climb(ladder.OnFailure(ModemFailure.Data));
        }

        private void OnTimeout(Op finished)
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
            if (finished == Op.SmsSend)
            {
                SmsFailed(LastError);
            }
            if (finished == Op.Connect || finished == Op.Send || finished == Op.Read || finished == Op.CloseTcp)
            {
                conn = Conn.Connected; // unknown: close it to be sure
                needClose = true;
                FailTcp(LastError);
            }
            if (finished == Op.BringUp || finished == Op.Shut)
            {
                FailTcp(LastError);
                step = 0;
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
                    gprsUp = false;
                    bearerUp = false;
                    step = 0;
                    if (conn != Conn.None)
                    {
                        FailTcp("re-attaching GPRS");
                    }
                    conn = Conn.None;
                    needClose = false;
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
            gprsUp = false;
            bearerUp = false;
            smsFormat = -1;
            clockAsked = false;
            needClose = false;
            peerClosed = false;
            if (conn != Conn.None || State == TcpLinkState.Open || State == TcpLinkState.Opening)
            {
                FailTcp("modem restarted");
            }
            conn = Conn.None;
            // An SMS in flight may or may not have gone; sending it again is better than not at all.
            for (int i = 0; i < smsQueue.Count; i++)
            {
                ((SmsJob)smsQueue[i]).Attempts = 0;
            }
        }

        private void FailTcp(string why)
        {
            LastError = why;
            if (State == TcpLinkState.Opening || State == TcpLinkState.Open)
            {
                State = TcpLinkState.Failed;
            }
            wantOpen = false;
            txCount = 0;
            sendingCount = 0;
        }

        private void FailEverything(string why)
        {
            FailTcp(why);
            while (smsQueue.Count > 0)
            {
                SmsFailed(why);
            }
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
            if (line == "CLOSED" || line.EndsWith(", CLOSED"))
            {
                if (conn == Conn.Connected && (rxNotice || op == Op.Read) && op != Op.Send)
                {
                    // The server's last words (a CONNACK refusing the login, say) are still in the module's
                    // buffer: read them before reporting the connection gone.
                    peerClosed = true;
                    rxNotice = true;
                    return;
                }
                if (op == Op.Send || op == Op.Read)
                {
                    channel.Abort(line);
                }
                if (conn != Conn.None)
                {
                    conn = Conn.None;
                    needClose = false;
                    FailTcp("connection closed by the network");
                }
                return;
            }
            if (line.StartsWith("+PDP: DEACT"))
            {
                if (op == Op.Send || op == Op.Read || op == Op.Connect)
                {
                    channel.Abort(line);
                }
                gprsUp = false;
                bearerUp = false;
                step = 0;
                conn = Conn.None;
                needClose = false;
                FailTcp("GPRS context deactivated by the network");
                return;
            }
            if (line.StartsWith("+CIPRXGET: 1"))
            {
                rxNotice = true;
                return;
            }
            if (line.StartsWith("+CPIN: NOT READY") || line.StartsWith("+CPIN: NOT INSERTED"))
            {
                LastError = "SIM removed";
                ModuleLost();
                Enter(Sim800Phase.CheckingSim);
                return;
            }
            if (line.StartsWith("+CMTI:"))
            {
                IncomingSmsNotices++;
            }
        }

        // ---- Helpers ----

        private void Remember(SmsJob job)
        {
            smsDone.Add(job);
            if (smsDone.Count > 32)
            {
                smsDone.RemoveAt(0);
            }
        }

        private static byte[] TextModePayload(string text)
        {
            byte[] body = Encoding.UTF8.GetBytes(text);
            byte[] payload = new byte[body.Length + 1];
            System.Array.Copy(body, payload, body.Length);
            payload[body.Length] = 0x1A; // Ctrl-Z ends the message
            return payload;
        }

        /// <summary>The command without its arguments: errors never repeat an APN password or a phone number.</summary>
        private static string CommandName(string command)
        {
            if (command == null)
            {
                return "";
            }
            int eq = command.IndexOf('=');
            return eq < 0 ? command : command.Substring(0, eq);
        }

        private static bool IsDialable(string number)
        {
            if (number == null || number.Length == 0 || number.Length > 21)
            {
                return false;
            }
            for (int i = 0; i < number.Length; i++)
            {
                char c = number[i];
                if (!(c >= '0' && c <= '9') && !(c == '+' && i == 0))
                {
                    return false;
                }
            }
            return number != "+";
        }

        private class SmsJob
        {
            public int Id;
            public string Number;
            public string Text;
            public SmsSendState State;
            public int Attempts;
            public SmsPdu[] Parts;
            public int PartIndex;
        }
    }
}
