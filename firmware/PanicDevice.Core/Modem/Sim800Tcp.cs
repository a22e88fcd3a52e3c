using PanicDevice.Core.Net;

namespace PanicDevice.Core.Modem
{
    /// <summary>
    /// The SIM800's one TCP connection (the MQTT session's link): GPRS bring-up on demand (CIPSHUT … CIICR, CIFSR),
    /// CIPSTART, sends in chunks with quick send, reads in hex (AT+CIPRXGET=3) so the line reader never sees binary, and
    /// the network's CLOSED and +PDP: DEACT. A byte lost mid-stream closes the connection: MQTT cannot skip a hole, a new
    /// connection (and QoS 1 redelivery) can.
    /// </summary>
    internal class Sim800Tcp : ISim800Part
    {
        private enum TcpOp
        {
            None, Shut, Mux, RxMode, Apn, BringUp, Address, Connect, Send, Read, Close,
        }

        private enum Conn
        {
            None, Connecting, Connected,
        }

        private readonly Sim800Modem owner;
        private readonly AtCommandChannel channel;
        private readonly Sim800Settings settings;
        private readonly byte[] tx = new byte[Sim800Modem.BufferBytes];
        private readonly byte[] rx = new byte[Sim800Modem.BufferBytes];
        private int txCount;
        private int rxCount;
        private int sendingCount;

        private TcpOp op = TcpOp.None;
        private int bringUpStep;
        private bool wantOpen;
        private string host;
        private int port;
        private Conn conn = Conn.None;
        private bool needClose;
        private bool gprsUp;
        private bool rxNotice;
        private bool peerClosed;
        private long nextReadMs;

        public Sim800Tcp(Sim800Modem owner, AtCommandChannel channel, Sim800Settings settings)
        {
            this.owner = owner;
            this.channel = channel;
            this.settings = settings;
        }

        /// <summary>State of the connection as the MQTT session sees it.</summary>
        public TcpLinkState State { get; private set; }

        /// <summary>GPRS is attached and has an address (the cell-location bearer needs it too).</summary>
        public bool GprsUp
        {
            get { return gprsUp; }
        }

        /// <summary>When the next periodic read is due; long.MaxValue while not connected.</summary>
        public long ReadDueMs
        {
            get { return conn == Conn.Connected ? nextReadMs : long.MaxValue; }
        }

        public void Open(string hostName, int tcpPort)
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
            if (owner.SimMissing)
            {
                Fail("no usable SIM");
            }
        }

        public void Close()
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

        public int Send(byte[] data, int offset, int count)
        {
            if (State != TcpLinkState.Open)
            {
                return 0;
            }
            int n = count < Sim800Modem.BufferBytes - txCount ? count : Sim800Modem.BufferBytes - txCount;
            System.Array.Copy(data, offset, tx, txCount, n);
            txCount += n;
            return n;
        }

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

        /// <summary>A connection to drop goes before any other work, so the next CIPSTART finds the module clean.</summary>
        public bool StartClosing(long now)
        {
            if (!needClose)
            {
                return false;
            }
            Run(TcpOp.Close, "AT+CIPCLOSE", Sim800Timeouts.CloseMs);
            return true;
        }

        public bool StartWork(long now)
        {
            if (wantOpen && conn == Conn.None)
            {
                if (!gprsUp)
                {
                    NextBringUpStep();
                    return true;
                }
                conn = Conn.Connecting;
                op = TcpOp.Connect;
                owner.RunTwoFinals(this, "AT+CIPSTART=\"TCP\",\"" + host + "\"," + port.ToString(), Sim800Timeouts.ConnectMs);
                return true;
            }
            if (conn == Conn.Connected && txCount > 0)
            {
                sendingCount = txCount < Sim800Modem.SendChunk ? txCount : Sim800Modem.SendChunk;
                byte[] chunk = new byte[sendingCount];
                System.Array.Copy(tx, 0, chunk, 0, sendingCount);
                op = TcpOp.Send;
                owner.RunWithData(this, "AT+CIPSEND=" + sendingCount.ToString(), chunk, Sim800Timeouts.SendMs);
                return true;
            }
            if (conn == Conn.Connected && (rxNotice || now >= nextReadMs) && Sim800Modem.BufferBytes - rxCount >= Sim800Modem.ReadChunk)
            {
                rxNotice = false;
                nextReadMs = now + settings.ReceivePollMs;
                Run(TcpOp.Read, "AT+CIPRXGET=3," + Sim800Modem.ReadChunk.ToString(), Sim800Timeouts.ReadMs);
                return true;
            }
            return false;
        }

        private void Run(TcpOp what, string command, int timeoutMs)
        {
            op = what;
            owner.Run(this, command, timeoutMs);
        }

        private void NextBringUpStep()
        {
            switch (bringUpStep)
            {
                case 0:
                    Run(TcpOp.Shut, "AT+CIPSHUT", Sim800Timeouts.ShutMs);
                    return;
                case 1:
                    Run(TcpOp.Mux, "AT+CIPMUX=0", Sim800Timeouts.SimpleMs);
                    return;
                case 2:
                    Run(TcpOp.RxMode, "AT+CIPRXGET=1", Sim800Timeouts.SimpleMs);
                    return;
                case 3:
                    // Quick send: CIPSEND ends at DATA ACCEPT instead of waiting a round trip for the server's
                    // TCP acknowledgement, so a press is never queued behind a PUBACK still in flight. MQTT's
                    // own PUBACK tells whether the alert arrived.
                    Run(TcpOp.RxMode, "AT+CIPQSEND=1", Sim800Timeouts.SimpleMs);
                    return;
                case 4:
                    Run(TcpOp.Apn, "AT+CSTT=\"" + settings.Apn + "\",\"" + settings.ApnUser + "\",\"" + settings.ApnPassword + "\"", Sim800Timeouts.SetApnMs);
                    return;
                case 5:
                    Run(TcpOp.BringUp, "AT+CIICR", Sim800Timeouts.BringUpMs);
                    return;
                default:
                    op = TcpOp.Address;
                    owner.RunOneLine(this, "AT+CIFSR", Sim800Timeouts.SimpleMs);
                    return;
            }
        }

        public void Finish(long now)
        {
            TcpOp finished = op;
            op = TcpOp.None;
            AtCommandStatus status = channel.Status;
            if (status == AtCommandStatus.TimedOut)
            {
                OnTimeout(finished);
                return;
            }
            bool ok = status == AtCommandStatus.Ok;
            switch (finished)
            {
                case TcpOp.Shut:
                case TcpOp.Mux:
                case TcpOp.RxMode:
                case TcpOp.Apn:
                case TcpOp.BringUp:
                    if (ok || finished == TcpOp.Shut)
                    {
                        bringUpStep++;
                    }
                    else
                    {
                        BringUpFailed();
                    }
                    return;
                case TcpOp.Address:
                    string ip = channel.LineCount > 0 ? channel.Line(0) : "";
                    if (ip.IndexOf('.') > 0 && ip.IndexOf("ERROR") < 0)
                    {
                        gprsUp = true;
                        owner.BearerLost();
                    }
                    else
                    {
                        BringUpFailed();
                    }
                    return;
                case TcpOp.Connect:
                    OnConnect(ok, now);
                    return;
                case TcpOp.Send:
                    OnSent(ok);
                    return;
                case TcpOp.Read:
                    OnRead(ok);
                    return;
                case TcpOp.Close:
                    // CLOSE OK, or ERROR because the module already forgot the connection: either way it is gone.
                    needClose = false;
                    conn = Conn.None;
                    return;
            }
        }

        /// <summary>The modem's error already names the command; its connection state is unknown, so it is closed to be sure.</summary>
        private void OnTimeout(TcpOp finished)
        {
            if (finished == TcpOp.Connect || finished == TcpOp.Send || finished == TcpOp.Read || finished == TcpOp.Close)
            {
                conn = Conn.Connected;
                needClose = true;
                Fail(owner.LastError);
            }
            if (finished == TcpOp.BringUp || finished == TcpOp.Shut)
            {
                Fail(owner.LastError);
                bringUpStep = 0;
            }
        }

        private void OnConnect(bool ok, long now)
        {
            string final = channel.FinalLine;
            if (ok && final == "CONNECT OK")
            {
                conn = Conn.Connected;
                nextReadMs = now;
                if (wantOpen && State == TcpLinkState.Opening)
                {
                    State = TcpLinkState.Open;
                    owner.Succeeded();
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
            Fail("TCP connection failed (" + final + ")");
            owner.Failed(final == "CONNECT FAIL" ? ModemFailure.Connect : ModemFailure.Data);
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
                Fail("send failed (" + channel.FinalLine + ")");
            }
        }

        private void OnRead(bool ok)
        {
            ReadResult(ok);
            if (peerClosed && !rxNotice)
            {
                peerClosed = false;
                conn = Conn.None;
                Fail("connection closed by the network");
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
            if (!Sim800Replies.ReceiveHeader(header, out length, out remaining) || length > Sim800Modem.ReadChunk)
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
            Fail("received data was garbled on the UART");
        }

        private void BringUpFailed()
        {
            owner.LastError = "GPRS bring-up failed at " + Sim800Modem.CommandName(channel.Command) + " (" + channel.FinalLine + ")";
            Fail(owner.LastError);
            bringUpStep = 0;
            owner.Failed(ModemFailure.Data);
        }

        public bool OnUnsolicited(string line, long now)
        {
            if (line == "CLOSED" || line.EndsWith(", CLOSED"))
            {
                if (conn == Conn.Connected && (rxNotice || op == TcpOp.Read) && op != TcpOp.Send)
                {
                    // The server's last words (a CONNACK refusing the login, say) are still in the module's
                    // buffer: read them before reporting the connection gone.
                    peerClosed = true;
                    rxNotice = true;
                    return true;
                }
                if (op == TcpOp.Send || op == TcpOp.Read)
                {
                    channel.Abort(line);
                }
                if (conn != Conn.None)
                {
                    conn = Conn.None;
                    needClose = false;
                    Fail("connection closed by the network");
                }
                return true;
            }
            if (line.StartsWith("+PDP: DEACT"))
            {
                if (op == TcpOp.Send || op == TcpOp.Read || op == TcpOp.Connect)
                {
                    channel.Abort(line);
                }
                gprsUp = false;
                owner.BearerLost();
                bringUpStep = 0;
                conn = Conn.None;
                needClose = false;
                Fail("GPRS context deactivated by the network");
                return true;
            }
            if (line.StartsWith("+CIPRXGET: 1"))
            {
                rxNotice = true;
                return true;
            }
            return false;
        }

        /// <summary>The recovery ladder's re-attach: GPRS (and with it the connection) is brought up from the start.</summary>
        public void Reattach()
        {
            gprsUp = false;
            bringUpStep = 0;
            if (conn != Conn.None)
            {
                Fail("re-attaching GPRS");
            }
            conn = Conn.None;
            needClose = false;
        }

        public void OnModuleRestarted()
        {
            op = TcpOp.None;
            gprsUp = false;
            bringUpStep = 0;
            needClose = false;
            peerClosed = false;
            if (conn != Conn.None || State == TcpLinkState.Open || State == TcpLinkState.Opening)
            {
                Fail("modem restarted");
            }
            conn = Conn.None;
        }

        /// <summary>The connection failed (or cannot be made): the session sees Failed, buffered bytes are dropped.</summary>
        public void Fail(string why)
        {
            owner.LastError = why;
            if (State == TcpLinkState.Opening || State == TcpLinkState.Open)
            {
                State = TcpLinkState.Failed;
            }
            wantOpen = false;
            txCount = 0;
            sendingCount = 0;
        }
    }
}
