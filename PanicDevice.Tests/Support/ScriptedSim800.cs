using System;
using System.Collections;
using System.Text;
using PanicDevice.Core.Io;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Sms;

namespace PanicDevice.Tests.Support
{
    /// <summary>One SMS the scripted module accepted (a concatenated message once, whole).</summary>
    public sealed class ScriptedSms
    {
        public ScriptedSms(string number, string text, bool pduMode, int parts, long atMs)
        {
            Number = number;
            Text = text;
            PduMode = pduMode;
            Parts = parts;
            AtMs = atMs;
        }

        /// <summary>Destination as the driver gave it.</summary>
        public string Number { get; private set; }

        /// <summary>The whole text.</summary>
        public string Text { get; private set; }

        /// <summary>False: text mode (AT+CMGF=1); true: PDU mode (AT+CMGF=0).</summary>
        public bool PduMode { get; private set; }

        /// <summary>Parts it came in (1 unless concatenated).</summary>
        public int Parts { get; private set; }

        /// <summary>When the last part was accepted.</summary>
        public long AtMs { get; private set; }
    }

    /// <summary>
    /// A healthy SIM800 stand-in that answers by rules rather than from a script: every command Sim800Modem uses is
    /// answered the way the SIMCom SIM800 Series AT Command Manual (V1.09) shows, at once (no network latency), with
    /// the module's IP state machine (CIPSHUT → CSTT → CIICR → CIFSR → CIPSTART) enforced. Its one TCP connection is
    /// bridged to an <see cref="ITcpPeer"/>: CIPSEND data (after the '&gt;' prompt) goes to the peer as it arrives,
    /// the peer's bytes wait in a small module buffer announced by "+CIPRXGET: 1" and are read in hex with
    /// AT+CIPRXGET=3, and a peer that closes shows as CLOSED. SMS are decoded (text or PDU, concatenated or not)
    /// and recorded whole. A few faults can be switched at any time. Memory stays small and fixed: a 512-byte
    /// receive buffer, one SMS body, a bounded command log. Deterministic; the caller alternates <see cref="Poll"/>
    /// and the driver's Poll with the same clock.
    /// </summary>
    public sealed class ScriptedSim800 : IByteStream, IModemPower
    {
        /// <summary>From PWRKEY (held 1 s) or AT+CFUN=1,1 to RDY.</summary>
        public const int BootMs = 3000;
        /// <summary>The module's receive buffer for the TCP connection (the peer is read as it empties).</summary>
        public const int ReceiveBufferBytes = 512;
        /// <summary>Commands kept in <see cref="RecentCommands"/>.</summary>
        public const int CommandLogSize = 32;
        /// <summary>The address AT+CIFSR reports.</summary>
        public const string Address = "10.64.12.34";
        /// <summary>The position AT+CIPGSMLOC reports (longitude first, as the module does).</summary>
        public const string CellLocationLine = "+CIPGSMLOC: 0,106.827153,-6.175392,2026/11/29,01:44:52";

        private const int IpInitial = 0;
        private const int IpStart = 1;
        private const int IpGprsActive = 2;
        private const int IpStatus = 3;
        private const int DataNone = 0;
        private const int DataTcp = 1;
        private const int DataSmsText = 2;
        private const int DataSmsPdu = 3;
        private const int MaxLine = 600;
        private const int MaxSmsBody = 512;

        private readonly ITcpPeer peer;
        private readonly ArrayList output = new ArrayList();
        private readonly ArrayList timers = new ArrayList();
        private readonly ArrayList recent = new ArrayList();
        private readonly Hashtable counts = new Hashtable();
        private readonly ArrayList sms = new ArrayList();
        private readonly ArrayList pduParts = new ArrayList();
        private readonly StringBuilder line = new StringBuilder();
        private readonly StringBuilder body = new StringBuilder();
        private readonly byte[] rx = new byte[ReceiveBufferBytes];
        private int rxStart;
        private int rxCount;
        private int outputOffset;
        private int hexSent;
        private long now;

        private bool on;
        private bool supply = true;
        private long keyDownAt = -1;
        private bool echo;
        private int smsMode;
        private bool clockFromNetwork;
        private bool manualReceive;
        private bool quickSend;
        private int ipState;
        private bool bearerOpen;
        private bool connected;
        private int dataMode;
        private int dataLeft;
        private int dataLength;
        private string smsNumber;
        private int smsTpduLength;
        private int smsReference;

        /// <summary>A module already running (the MCU finds it on; no RDY), bridging TCP to the peer (null: nothing listens, CONNECT FAIL).</summary>
        public ScriptedSim800(ITcpPeer peer)
            : this(peer, true)
        {
        }

        /// <summary>A module that is running or switched off (then it waits for PWRKEY), bridging TCP to the peer.</summary>
        public ScriptedSim800(ITcpPeer peer, bool switchedOn)
        {
            this.peer = peer;
            NetworkUtcSeconds = 1795914000; // 2026-11-29 01:00:00 UTC
            if (switchedOn)
            {
                on = true;
                Boots = 1;
                ResetState();
            }
        }

        // ---- What a test reads ----

        /// <summary>True while the module runs.</summary>
        public bool IsOn
        {
            get { return on; }
        }

        /// <summary>Times the module started (including the start it was created with).</summary>
        public int Boots { get; private set; }

        /// <summary>True while the TCP connection is open.</summary>
        public bool IsConnected
        {
            get { return connected; }
        }

        /// <summary>Every command line received so far.</summary>
        public int CommandCount { get; private set; }

        /// <summary>The last <see cref="CommandLogSize"/> command lines, oldest first (APN password included: a test tool; never log it).</summary>
        public ArrayList RecentCommands
        {
            get { return recent; }
        }

        /// <summary>How often a command arrived, by its name: the text before '=' ("AT+CMGF" counts AT+CMGF=0 and =1; "AT+CREG?" is its own name).</summary>
        public int CountOf(string name)
        {
            object n = counts[name];
            return n == null ? 0 : (int)n;
        }

        /// <summary>The SMS accepted, oldest first (<see cref="ScriptedSms"/>).</summary>
        public ArrayList Sms
        {
            get { return sms; }
        }

        /// <summary>UTC seconds of the network clock at time 0; AT+CCLK? reports it (as +07:00 local time) once AT+CLTS=1 was set.</summary>
        public long NetworkUtcSeconds { get; set; }

        // ---- Faults (switch at any time) ----

        /// <summary>The network does not register the module: +CREG: 0,2, no GPRS, SMS refused with +CMS ERROR: 331.</summary>
        public bool NoRegistration { get; set; }

        /// <summary>How many of the next SMS submissions (one per AT+CMGS) the network refuses with +CMS ERROR: 500.</summary>
        public int SmsRefusals { get; set; }

        /// <summary>AT+CIPSTART answers OK then CONNECT FAIL (the server is unreachable).</summary>
        public bool ConnectFail { get; set; }

        /// <summary>The module hangs: it takes commands and answers nothing, until its supply is cut or PWRKEY switches it off.</summary>
        public bool Silent { get; set; }

        /// <summary>The network drops the connection now: CLOSED (what the peer sent before stays readable).</summary>
        public void DropConnection()
        {
            if (on && connected)
            {
                connected = false;
                Emit("CLOSED");
            }
        }

        // ---- Clock ----

        /// <summary>Moves the clock: boots a module whose PWRKEY is held long enough, runs boot timers, takes what the peer sent.</summary>
        public void Poll(long nowMs)
        {
            now = nowMs;
            if (keyDownAt >= 0 && !on && supply && now - keyDownAt >= 1000)
            {
                keyDownAt = -1; // held long enough: the module starts before the key is released
                StartBoot();
            }
            for (int i = 0; i < timers.Count; i++)
            {
                long due = (long)timers[i];
                if (due <= now)
                {
                    timers.RemoveAt(i);
                    i--;
                    Boot();
                }
            }
            Pull();
        }

        // ---- IModemPower ----

        /// <summary>PWRKEY held low for at least a second toggles the module (SIM800 hardware design): off when on, on when off.</summary>
        public void SetPowerKey(bool asserted)
        {
            if (asserted)
            {
                keyDownAt = now;
                return;
            }
            if (keyDownAt >= 0 && now - keyDownAt >= 1000 && supply)
            {
                if (on)
                {
                    bool hung = Silent;
                    PowerOff();
                    Silent = false;
                    if (!hung)
                    {
                        output.Add("\r\nNORMAL POWER DOWN\r\n");
                    }
                }
                else
                {
                    StartBoot();
                }
            }
            keyDownAt = -1;
        }

        /// <summary>Cutting the supply switches the module off and clears a hang; restoring it leaves the module off until PWRKEY.</summary>
        public void SetSupply(bool powered)
        {
            supply = powered;
            if (!powered)
            {
                PowerOff();
                Silent = false; // a hang does not survive losing power
            }
        }

        // ---- IByteStream ----

        /// <summary>What the module has sent, in any chunking.</summary>
        public int Read(byte[] buffer, int offset, int count)
        {
            int n = 0;
            while (n < count && output.Count > 0)
            {
                object head = output[0];
                string text = head as string;
                if (text != null)
                {
                    while (n < count && outputOffset < text.Length)
                    {
                        buffer[offset + n++] = (byte)text[outputOffset++];
                    }
                    if (outputOffset >= text.Length)
                    {
                        output.RemoveAt(0);
                        outputOffset = 0;
                    }
                    continue;
                }
                // A hex read: the bytes leave the receive buffer as their hex digits go out, so no copy is made.
                int total = (int)head;
                while (n < count && hexSent < total * 2)
                {
                    byte b = rx[rxStart];
                    buffer[offset + n++] = (byte)HexDigit((hexSent & 1) == 0 ? b >> 4 : b & 0xF);
                    hexSent++;
                    if ((hexSent & 1) == 0)
                    {
                        rxStart = (rxStart + 1) % rx.Length;
                        rxCount--;
                    }
                }
                if (hexSent >= total * 2)
                {
                    output.RemoveAt(0);
                    hexSent = 0;
                }
            }
            return n;
        }

        /// <summary>Command lines (CR-terminated), or the data a '&gt;' prompt asked for; a module that is off hears nothing.</summary>
        public void Write(byte[] buffer, int offset, int count)
        {
            int end = offset + count;
            int i = offset;
            while (i < end)
            {
                if (!on)
                {
                    return;
                }
                if (dataMode == DataTcp)
                {
                    int n = dataLeft < end - i ? dataLeft : end - i;
                    if (connected && peer != null)
                    {
                        peer.Receive(buffer, i, n, now);
                    }
                    i += n;
                    dataLeft -= n;
                    if (dataLeft == 0)
                    {
                        dataMode = DataNone;
                        Emit(!connected ? "SEND FAIL" : quickSend ? "DATA ACCEPT:" + dataLength.ToString() : "SEND OK");
                    }
                    continue;
                }
                byte b = buffer[i++];
                if (dataMode != DataNone)
                {
                    OnSmsByte(b);
                    continue;
                }
                if (b == (byte)'\r')
                {
                    string command = line.ToString().Trim();
                    line.Clear();
                    if (command.Length > 0)
                    {
                        OnCommand(command);
                    }
                }
                else if (b != (byte)'\n' && line.Length < MaxLine)
                {
                    line.Append((char)b);
                }
            }
        }

        // ---- Commands ----

        private void OnCommand(string command)
        {
            Log(command);
            if (Silent)
            {
                return;
            }
            if (echo)
            {
                output.Add(command + "\r");
            }
            string name = Name(command);
            string arg = command.Length > name.Length ? command.Substring(name.Length + 1) : "";
            switch (name)
            {
                case "AT":
                case "AT+CMEE":
                case "AT+CSCS":
                    Emit("OK");
                    return;
                case "AT+CIPMUX":
                    // The manual: only in IP INITIAL, so a driver that skips AT+CIPSHUT is caught here.
                    Emit(ipState == IpInitial ? "OK" : "ERROR");
                    return;
                case "AT+SAPBR":
                    if (arg == "1,1")
                    {
                        OpenBearer();
                        return;
                    }
                    Emit("OK");
                    return;
                case "ATE0":
                case "ATE1":
                    echo = name == "ATE1";
                    Emit("OK");
                    return;
                case "AT+CLTS":
                    clockFromNetwork = arg == "1";
                    Emit("OK");
                    return;
                case "AT+CPIN?":
                    Emit("+CPIN: READY");
                    Emit("OK");
                    return;
                case "AT+CREG?":
                    Emit(Registered ? "+CREG: 0,1" : "+CREG: 0,2");
                    Emit("OK");
                    return;
                case "AT+CSQ":
                    Emit(Registered ? "+CSQ: 18,0" : "+CSQ: 99,99");
                    Emit("OK");
                    return;
                case "AT+CCLK?":
                    Emit("+CCLK: \"" + Clock() + "\"");
                    Emit("OK");
                    return;
                case "AT+CMGF":
                    smsMode = arg == "1" ? 1 : 0;
                    Emit("OK");
                    return;
                case "AT+CMGS":
                    StartSms(arg);
                    return;
                case "AT+CIPRXGET":
                    OnReceiveCommand(arg);
                    return;
                case "AT+CIPQSEND":
                    quickSend = arg == "1";
                    Emit("OK");
                    return;
                case "AT+CIPSHUT":
                    connected = false;
                    ClearReceived();
                    ipState = IpInitial;
                    Emit("SHUT OK");
                    return;
                case "AT+CSTT":
                    Step(ipState == IpInitial, IpStart);
                    return;
                case "AT+CIICR":
                    Step(ipState == IpStart && Registered, IpGprsActive);
                    return;
                case "AT+CIFSR":
                    if (ipState < IpGprsActive)
                    {
                        Emit("ERROR");
                        return;
                    }
                    ipState = IpStatus;
                    Emit(Address); // the manual's quirk: the address alone, no OK
                    return;
                case "AT+CIPSTART":
                    Connect(arg);
                    return;
                case "AT+CIPSEND":
                    StartSend(arg);
                    return;
                case "AT+CIPCLOSE":
                    if (!connected)
                    {
                        Emit("ERROR");
                        return;
                    }
                    connected = false;
                    ClearReceived();
                    Emit("CLOSE OK");
                    return;
                case "AT+CIPGSMLOC":
                    if (!bearerOpen)
                    {
                        Emit("ERROR");
                        return;
                    }
                    Emit(CellLocationLine);
                    Emit("OK");
                    return;
                case "AT+CFUN":
                    if (arg == "1,1")
                    {
                        PowerOff();
                        output.Add("\r\nOK\r\n"); // the OK still reaches the MCU before the module goes down
                        StartBoot();
                        return;
                    }
                    Emit("OK");
                    return;
                default:
                    Emit("ERROR");
                    return;
            }
        }

        private bool Registered
        {
            get { return on && !NoRegistration; }
        }

        private void Step(bool allowed, int next)
        {
            if (!allowed)
            {
                Emit("ERROR");
                return;
            }
            ipState = next;
            Emit("OK");
        }

        private void OpenBearer()
        {
            if (bearerOpen || !Registered)
            {
                Emit("ERROR"); // as the module does when the bearer is already open
                return;
            }
            bearerOpen = true;
            Emit("OK");
        }

        // ---- TCP ----

        private void Connect(string arg)
        {
            string[] parts = arg.Split(',');
            int port;
            if (parts.Length != 3 || parts[0] != "\"TCP\"" || !int.TryParse(parts[2].Trim(), out port))
            {
                Emit("ERROR");
                return;
            }
            if (connected)
            {
                Emit("OK");
                Emit("ALREADY CONNECT");
                return;
            }
            if (ipState != IpStatus || !Registered)
            {
                Emit("ERROR");
                return;
            }
            Emit("OK");
            ClearReceived();
            string host = parts[1].Trim('"');
            if (ConnectFail || peer == null || !peer.Accept(host, port, now))
            {
                Emit("STATE: TCP CLOSED");
                Emit("CONNECT FAIL");
                return;
            }
            connected = true;
            Emit("CONNECT OK");
        }

        private void StartSend(string arg)
        {
            int length;
            if (!connected || !int.TryParse(arg, out length) || length < 1 || length > 1460)
            {
                Emit("ERROR");
                return;
            }
            dataMode = DataTcp;
            dataLeft = length;
            dataLength = length;
            output.Add("\r\n> ");
        }

        private void OnReceiveCommand(string arg)
        {
            if (arg == "1")
            {
                manualReceive = true;
                Emit("OK");
                return;
            }
            int want;
            if (!manualReceive || arg.Length < 3 || arg.Substring(0, 2) != "3," || !int.TryParse(arg.Substring(2), out want) || want < 1 || want > 730)
            {
                Emit("ERROR");
                return;
            }
            Pull();
            if (!connected && rxCount == 0)
            {
                Emit("+CME ERROR: operation not allowed");
                return;
            }
            int n = want < rxCount - Reserved() ? want : rxCount - Reserved();
            Emit("+CIPRXGET: 3," + n.ToString() + "," + (rxCount - Reserved() - n).ToString());
            if (n > 0)
            {
                output.Add("\r\n");
                output.Add(n);
                output.Add("\r\n");
            }
            Emit("OK");
        }

        /// <summary>Bytes already promised to a hex read still going out.</summary>
        private int Reserved()
        {
            int reserved = 0;
            for (int i = 0; i < output.Count; i++)
            {
                if (output[i] is int)
                {
                    reserved += (int)output[i];
                }
            }
            return reserved - hexSent / 2;
        }

        /// <summary>Fills the receive buffer from the peer; announces data and the peer's close as the module would.</summary>
        private void Pull()
        {
            if (!on || !connected || peer == null)
            {
                return;
            }
            bool wasEmpty = rxCount - Reserved() == 0;
            bool drained = false;
            while (rxCount < rx.Length)
            {
                int tail = (rxStart + rxCount) % rx.Length;
                int space = tail >= rxStart ? rx.Length - tail : rxStart - tail;
                if (space > rx.Length - rxCount)
                {
                    space = rx.Length - rxCount;
                }
                int n = peer.Take(rx, tail, space, now);
                if (n <= 0)
                {
                    drained = true;
                    break;
                }
                rxCount += n;
            }
            if (wasEmpty && rxCount - Reserved() > 0 && manualReceive)
            {
                Emit("+CIPRXGET: 1");
            }
            if (drained && peer.Closed)
            {
                connected = false; // what arrived before the close stays readable
                Emit("CLOSED");
            }
        }

        private void ClearReceived()
        {
            // A hex read still going out keeps its bytes; everything after it is dropped.
            int keep = Reserved();
            rxCount = keep;
        }

        // ---- SMS ----

        private void StartSms(string arg)
        {
            body.Clear();
            if (smsMode == 1)
            {
                if (arg.Length < 3 || arg[0] != '"' || arg[arg.Length - 1] != '"')
                {
                    Emit("ERROR");
                    return;
                }
                smsNumber = arg.Substring(1, arg.Length - 2);
                dataMode = DataSmsText;
            }
            else
            {
                if (!int.TryParse(arg, out smsTpduLength))
                {
                    Emit("ERROR");
                    return;
                }
                dataMode = DataSmsPdu;
            }
            output.Add("\r\n> ");
        }

        private void OnSmsByte(byte b)
        {
            if (b == 0x1B)
            {
                dataMode = DataNone; // ESC cancels the message
                Emit("OK");
                return;
            }
            if (b != 0x1A)
            {
                if (body.Length < MaxSmsBody)
                {
                    body.Append((char)b);
                }
                return;
            }
            bool pdu = dataMode == DataSmsPdu;
            dataMode = DataNone;
            string text = body.ToString();
            body.Clear();
            if (!Registered)
            {
                Emit("+CMS ERROR: 331"); // no network service
                return;
            }
            if (SmsRefusals > 0)
            {
                SmsRefusals--;
                Emit("+CMS ERROR: 500");
                return;
            }
            if (!pdu)
            {
                if (text.Length > 160)
                {
                    Emit("+CMS ERROR: 304");
                    return;
                }
                sms.Add(new ScriptedSms(smsNumber, text, false, 1, now));
            }
            else if (!AcceptPdu(text))
            {
                Emit("+CMS ERROR: 304"); // invalid PDU mode parameter
                return;
            }
            smsReference = (smsReference + 1) & 0xFF;
            Emit("+CMGS: " + smsReference.ToString());
            Emit("OK");
        }

        private bool AcceptPdu(string hex)
        {
            SmsSubmit part = SmsPduDecoder.Decode(hex);
            if (part == null || hex.Length < 2)
            {
                return false;
            }
            int smsc = Hex.Bytes(hex.Substring(0, 2))[0];
            if (hex.Length / 2 - 1 - smsc != smsTpduLength)
            {
                return false; // AT+CMGS gave a length that does not match the PDU
            }
            if (!part.IsConcatenated)
            {
                sms.Add(new ScriptedSms(part.Number, part.Text, true, 1, now));
                return true;
            }
            pduParts.Add(part);
            int have = 0;
            for (int i = 0; i < pduParts.Count; i++)
            {
                SmsSubmit p = (SmsSubmit)pduParts[i];
                if (p.Number == part.Number && p.ConcatReference == part.ConcatReference)
                {
                    have++;
                }
            }
            if (have < part.PartCount)
            {
                return true;
            }
            SmsSubmit[] set = new SmsSubmit[have];
            int k = 0;
            for (int i = 0; i < pduParts.Count; i++)
            {
                SmsSubmit p = (SmsSubmit)pduParts[i];
                if (p.Number == part.Number && p.ConcatReference == part.ConcatReference)
                {
                    set[k++] = p;
                    pduParts.RemoveAt(i);
                    i--;
                }
            }
            string whole = SmsPduDecoder.Join(set);
            if (whole == null)
            {
                return false;
            }
            sms.Add(new ScriptedSms(part.Number, whole, true, set.Length, now));
            return true;
        }

        // ---- Power ----

        private void StartBoot()
        {
            timers.Add(now + BootMs);
        }

        private void Boot()
        {
            if (on || !supply)
            {
                return;
            }
            on = true;
            Boots++;
            ResetState();
            Emit("RDY");
            Emit("+CFUN: 1");
            Emit("+CPIN: READY");
            Emit("Call Ready");
            Emit("SMS Ready");
        }

        private void PowerOff()
        {
            on = false;
            output.Clear();
            outputOffset = 0;
            hexSent = 0;
            timers.Clear();
            line.Clear();
            ResetState();
        }

        private void ResetState()
        {
            echo = true;
            smsMode = 0;
            clockFromNetwork = false;
            manualReceive = false;
            quickSend = false;
            ipState = IpInitial;
            bearerOpen = false;
            connected = false;
            dataMode = DataNone;
            rxStart = 0;
            rxCount = 0;
            body.Clear();
            pduParts.Clear();
        }

        // ---- Helpers ----

        private void Emit(string text)
        {
            if (on && !Silent)
            {
                output.Add("\r\n" + text + "\r\n");
            }
        }

        private void Log(string command)
        {
            CommandCount++;
            recent.Add(command);
            if (recent.Count > CommandLogSize)
            {
                recent.RemoveAt(0);
            }
            string name = Name(command);
            counts[name] = CountOf(name) + 1;
        }

        private static string Name(string command)
        {
            int eq = command.IndexOf('=');
            return eq < 0 ? command : command.Substring(0, eq);
        }

        private string Clock()
        {
            if (!clockFromNetwork || !Registered)
            {
                return "04/01/01,00:00:12+00"; // the module's own start time: never set from the network
            }
            // Jakarta local time (+07:00 = 28 quarter hours), as a network there would set it.
            DateTime local = new DateTime(1970, 1, 1).AddTicks((NetworkUtcSeconds + now / 1000 + 7 * 3600) * TimeSpan.TicksPerSecond);
            return Two(local.Year % 100) + "/" + Two(local.Month) + "/" + Two(local.Day) + ","
                + Two(local.Hour) + ":" + Two(local.Minute) + ":" + Two(local.Second) + "+28";
        }

        private static string Two(int v)
        {
            return v < 10 ? "0" + v.ToString() : v.ToString();
        }

        private static char HexDigit(int v)
        {
            return (char)(v < 10 ? '0' + v : 'A' + v - 10);
        }
    }
}
