using System.Net.Sockets;
using System.Text;
using PanicDevice.Core.Io;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Sms;

namespace PanicDevice.ModemEmulator;

/// <summary>
/// A SIM800 on the host. It speaks the AT dialect of the SIMCom SIM800 Series AT Command Manual (V1.09) to
/// the device over <see cref="DeviceSide"/>, turns on and off through <see cref="IModemPower"/>, bridges
/// its one TCP connection to a real socket (so the device's MQTT session talks to a real broker), records
/// every SMS, and injects the faults in <see cref="Faults"/>. Single-threaded: the caller alternates the
/// device's Poll and this Poll, passing the same clock. docs/modem-emulator.md lists what it reproduces.
/// </summary>
public sealed class Sim800Emulator : IModemPower, IDisposable
{
    private const int ModuleBufferBytes = 1460 * 4;
    private readonly Queue<(long At, byte[] Bytes)> toDevice = new();
    private readonly List<(long At, int Seq, Action Run)> timers = new();
    private readonly Random random;
    private readonly StringBuilder line = new();
    private readonly List<SmsSubmit> pduParts = new();
    private double uartFreeAt;
    private int timerSeq;
    private long now;

    private bool on;
    private bool supply = true;
    private long keyDownAt = -1;
    private bool echo = true;
    private int cmee;
    private int cmgf;
    private bool clts;
    private bool manualReceive;
    private bool quickSend;
    private bool registered;
    private string ipState = "IP INITIAL";
    private bool bearerOpen;

    private enum DataMode { None, TcpSend, SmsText, SmsPdu }
    private DataMode dataMode;
    private int dataExpected;
    private readonly List<byte> data = new();
    private string smsNumber = "";
    private int smsPduLength;

    private Socket? socket;
    private Task? connecting;
    private bool connected;
    private readonly List<byte> moduleRx = new();
    private readonly Queue<(long At, byte[] Bytes)> inFlightToModule = new();
    private int smsReference;

    /// <summary>Creates a module, switched off, with a SIM, and registering 2 s after boot.</summary>
    public Sim800Emulator(EmulatorFaults? faults = null, int seed = 1)
    {
        Faults = faults ?? new EmulatorFaults();
        random = new Random(seed);
        DeviceSide = new Port(this);
    }

    /// <summary>The UART as the device sees it.</summary>
    public IByteStream DeviceSide { get; }

    /// <summary>Faults to show; may be changed at any time.</summary>
    public EmulatorFaults Faults { get; }

    /// <summary>Every SMS accepted (concatenated ones once, whole).</summary>
    public List<EmulatedSms> Sms { get; } = new();

    /// <summary>Every command line received, in order (passwords included: this is a test tool; never log it).</summary>
    public List<string> Commands { get; } = new();

    /// <summary>When each command in <see cref="Commands"/> arrived, in device milliseconds.</summary>
    public List<long> CommandTimes { get; } = new();

    /// <summary>True while the module runs.</summary>
    public bool IsOn => on;

    /// <summary>Times the module booted.</summary>
    public int Boots { get; private set; }

    /// <summary>How long after boot the network registers the module.</summary>
    public int RegistrationDelayMs { get; set; } = 2000;

    /// <summary>
    /// Network time the module reports (with CLTS), as UTC; offset +07:00 (Jakarta) on the wire. The host's clock,
    /// so a simulated device's frames carry the receiver's time; a test that needs an exact value sets one, which
    /// then stays put.
    /// </summary>
    public DateTimeOffset NetworkTime
    {
        get => fixedNetworkTime ?? DateTimeOffset.UtcNow;
        set => fixedNetworkTime = value;
    }

    private DateTimeOffset? fixedNetworkTime;

    /// <summary>Cell-based position reported by AT+CIPGSMLOC, or null for "not found" (code 601).</summary>
    public (string Lon, string Lat)? CellPosition { get; set; } = ("106.827153", "-6.175392");

    /// <summary>Starts switched on, as a module the MCU finds already running (no RDY is sent).</summary>
    public void StartOn(long atMs)
    {
        now = atMs;
        on = true;
        Boots++;
        ResetModuleState();
        ScheduleRegistration();
    }

    // ---- IModemPower ----

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
                Emit("NORMAL POWER DOWN");
                PowerOff();
            }
            else
            {
                Boot(3000);
            }
        }
        keyDownAt = -1;
    }

    public void SetSupply(bool powered)
    {
        supply = powered;
        if (!powered)
        {
            PowerOff();
            Faults.Mute = false; // a hang does not survive losing power
        }
    }

    // ---- Faults that are events ----

    /// <summary>The module reboots by itself now (brown-out, watchdog): connection and state are lost, RDY follows.</summary>
    public void RebootNow()
    {
        PowerOff();
        Boot(2000);
    }

    /// <summary>The network deactivates the PDP context: +PDP: DEACT, the connection is gone, CIPSHUT is needed.</summary>
    public void DeactivatePdp()
    {
        if (!on)
        {
            return;
        }
        CloseSocket();
        ipState = "PDP DEACT";
        Emit("+PDP: DEACT");
    }

    /// <summary>The far end closes the TCP connection.</summary>
    public void DropConnection()
    {
        if (on && (connected || socket != null))
        {
            CloseSocket();
            ipState = "TCP CLOSED";
            Emit("CLOSED");
        }
    }

    /// <summary>Runs after each command is executed (tests use it to make network data arrive at an exact moment).</summary>
    public Action<string>? AfterCommand { get; set; }

    /// <summary>Data arrives from the network on the open connection now, as if the server had sent it.</summary>
    public void DeliverFromNetwork(byte[] data)
    {
        if (!on || !connected || data.Length == 0)
        {
            return;
        }
        bool wasEmpty = moduleRx.Count == 0;
        moduleRx.AddRange(data);
        if (manualReceive && wasEmpty)
        {
            Emit("+CIPRXGET: 1");
        }
    }

    /// <summary>Line noise on the UART now.</summary>
    public void InjectGarbage(byte[] bytes) => Send(bytes);

    // ---- Clock ----

    /// <summary>Runs timers, moves TCP data, and releases UART bytes due by now.</summary>
    public void Poll(long nowMs)
    {
        now = nowMs;
        if (keyDownAt >= 0 && !on && supply && now - keyDownAt >= 1000)
        {
            // Held long enough: the module starts even before the key is released.
            keyDownAt = -1;
            Boot(3000);
        }
        for (int guard = 0; guard < 1000; guard++)
        {
            var due = timers.Where(t => t.At <= now).OrderBy(t => t.At).ThenBy(t => t.Seq).FirstOrDefault();
            if (due.Run == null)
            {
                break;
            }
            timers.Remove(due);
            due.Run();
        }
        PumpSocket();
    }

    // ---- UART ----

    private sealed class Port(Sim800Emulator modem) : IByteStream
    {
        public int Read(byte[] buffer, int offset, int count)
        {
            int n = 0;
            while (n < count && modem.toDevice.Count > 0 && modem.toDevice.Peek().At <= modem.now)
            {
                var (at, bytes) = modem.toDevice.Dequeue();
                int take = Math.Min(bytes.Length, count - n);
                Array.Copy(bytes, 0, buffer, offset + n, take);
                n += take;
                if (take < bytes.Length)
                {
                    // Put the rest back at the front.
                    var rest = bytes[take..];
                    var all = modem.toDevice.ToList();
                    modem.toDevice.Clear();
                    modem.toDevice.Enqueue((at, rest));
                    foreach (var x in all) modem.toDevice.Enqueue(x);
                }
            }
            return n;
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            for (int i = offset; i < offset + count; i++)
            {
                modem.FromDevice(buffer[i]);
            }
        }
    }

    private void Send(byte[] bytes)
    {
        if (!on)
        {
            return;
        }
        double perByte = Faults.BaudRate > 0 ? 10000.0 / Faults.BaudRate : 0;
        double start = Math.Max(now, uartFreeAt);
        uartFreeAt = start + perByte * bytes.Length;
        toDevice.Enqueue(((long)Math.Ceiling(uartFreeAt), bytes));
    }

    private void Emit(string text)
    {
        if (!on || Faults.Mute)
        {
            return;
        }
        if (Faults.GarbageProbability > 0 && random.NextDouble() < Faults.GarbageProbability)
        {
            var noise = new byte[random.Next(1, 12)];
            random.NextBytes(noise);
            Send(noise);
        }
        Send(Encoding.ASCII.GetBytes("\r\n" + text + "\r\n"));
    }

    private void After(int ms, Action run) => timers.Add((now + ms, timerSeq++, run));

    private void FromDevice(byte b)
    {
        if (!on)
        {
            return;
        }
        if (dataMode != DataMode.None)
        {
            OnData(b);
            return;
        }
        if (echo && !Faults.Mute)
        {
            Send(new[] { b });
        }
        if (b == (byte)'\r')
        {
            string command = line.ToString().Trim();
            line.Clear();
            if (command.Length > 0)
            {
                Commands.Add(command);
                CommandTimes.Add(now);
                if (!Faults.Mute)
                {
                    Execute(command);
                    AfterCommand?.Invoke(command);
                }
            }
            return;
        }
        if (b != (byte)'\n' && line.Length < 600)
        {
            line.Append((char)b);
        }
    }

    // ---- Power ----

    private void Boot(int delayMs)
    {
        After(delayMs, () =>
        {
            if (on || !supply)
            {
                return;
            }
            on = true;
            Boots++;
            ResetModuleState();
            Emit("RDY");
            Emit("+CFUN: 1");
            if (!Faults.NoSim)
            {
                Emit("+CPIN: READY");
            }
            Emit("Call Ready");
            Emit("SMS Ready");
            ScheduleRegistration();
        });
    }

    private void PowerOff()
    {
        on = false;
        CloseSocket();
        toDevice.Clear();
        timers.Clear();
        line.Clear();
        dataMode = DataMode.None;
        registered = false;
    }

    private void ResetModuleState()
    {
        echo = true;
        cmee = 0;
        cmgf = 0;
        clts = false;
        manualReceive = false;
        quickSend = false;
        registered = false;
        ipState = "IP INITIAL";
        bearerOpen = false;
        dataMode = DataMode.None;
        moduleRx.Clear();
        pduParts.Clear();
    }

    private void ScheduleRegistration()
    {
        int boot = Boots;
        After(RegistrationDelayMs, () =>
        {
            if (on && Boots == boot)
            {
                registered = true;
            }
        });
    }

    private bool Registered => registered && !Faults.NoRegistration && !Faults.NoSim;

    // ---- Commands ----

    private void Ok() => Emit("OK");

    private void Error() => Emit("ERROR");

    private void CmeError(int code, string text) =>
        Emit(cmee == 2 ? "+CME ERROR: " + text : cmee == 1 ? "+CME ERROR: " + code : "ERROR");

    private void CmsError(int code) => Emit(cmee == 0 ? "ERROR" : "+CMS ERROR: " + code);

    private bool InjectedCmeError(string command)
    {
        foreach (var (prefix, count) in Faults.CmeErrors)
        {
            if (count > 0 && command.StartsWith(prefix, StringComparison.Ordinal))
            {
                Faults.CmeErrors[prefix] = count - 1;
                CmeError(100, "unknown");
                return true;
            }
        }
        return false;
    }

    private void Execute(string command)
    {
        string upper = command.ToUpperInvariant();
        if (!upper.StartsWith("AT", StringComparison.Ordinal))
        {
            Error();
            return;
        }
        if (InjectedCmeError(upper))
        {
            return;
        }
        string body = upper[2..];
        string raw = command[2..];
        switch (body)
        {
            case "":
                Ok();
                return;
            case "E0":
                echo = false;
                Ok();
                return;
            case "E1":
                echo = true;
                Ok();
                return;
            case "+CPIN?":
                if (Faults.NoSim)
                    CmeError(10, "SIM not inserted");
                else
                {
                    Emit("+CPIN: READY");
                    Ok();
                }
                return;
            case "+CREG?":
            case "+CGREG?":
                int stat = Faults.NoSim ? 0 : Registered ? 1 : 2;
                Emit((body == "+CREG?" ? "+CREG: 0," : "+CGREG: 0,") + stat);
                Ok();
                return;
            case "+CSQ":
                Emit(Registered ? "+CSQ: 18,0" : "+CSQ: 99,99");
                Ok();
                return;
            case "+CCLK?":
                Emit("+CCLK: \"" + Clock() + "\"");
                Ok();
                return;
            case "+CIPSHUT":
                CloseSocket();
                ipState = "IP INITIAL";
                Emit("SHUT OK");
                return;
            case "+CIICR":
                if (ipState != "IP START")
                {
                    Error();
                    return;
                }
                if (!Registered || Faults.NoData)
                {
                    After(1000, Error);
                    return;
                }
                After(500 + Faults.RoundTripMs, () =>
                {
                    ipState = "IP GPRSACT";
                    Ok();
                });
                return;
            case "+CIFSR":
                if (ipState != "IP GPRSACT" && ipState != "IP STATUS" && !ipState.StartsWith("TCP", StringComparison.Ordinal) && ipState != "CONNECT OK")
                {
                    Error();
                    return;
                }
                if (ipState == "IP GPRSACT") ipState = "IP STATUS";
                Emit("10.64.12.34"); // the manual's quirk: the address, with no OK after it
                return;
            case "+CIPSTATUS":
                Ok();
                Emit("STATE: " + ipState);
                return;
            case "+CIPCLOSE":
                if (!connected && connecting == null)
                {
                    Error();
                    return;
                }
                CloseSocket();
                ipState = "TCP CLOSED";
                Emit("CLOSE OK");
                return;
            case "+CFUN=1,1":
                Ok();
                After(100, () =>
                {
                    PowerOff();
                    Boot(3000);
                });
                return;
            case "+SAPBR=1,1":
                if (bearerOpen || !Registered)
                {
                    Error();
                    return;
                }
                After(500 + Faults.RoundTripMs, () =>
                {
                    bearerOpen = true;
                    Ok();
                });
                return;
            case "+CIPGSMLOC=1,1":
                if (!bearerOpen)
                {
                    Error();
                    return;
                }
                After(1000 + Faults.RoundTripMs, () =>
                {
                    Emit(CellPosition is { } p
                        ? "+CIPGSMLOC: 0," + p.Lon + "," + p.Lat + "," + NetworkTime.ToString("yyyy/MM/dd,HH:mm:ss")
                        : "+CIPGSMLOC: 601");
                    Ok();
                });
                return;
        }
        if (body.StartsWith("+CMEE=", StringComparison.Ordinal) && int.TryParse(body[6..], out int level) && level is >= 0 and <= 2)
        {
            cmee = level;
            Ok();
        }
        else if (body == "+CLTS=1" || body == "+CLTS=0")
        {
            clts = body.EndsWith('1');
            Ok();
        }
        else if (body.StartsWith("+CSCS=", StringComparison.Ordinal) || body.StartsWith("+CSMP=", StringComparison.Ordinal)
            || body == "+CIPMUX=0" || body.StartsWith("+SAPBR=3,1,", StringComparison.Ordinal) || body.StartsWith("+CFUN=", StringComparison.Ordinal))
        {
            Ok();
        }
        else if (body == "+CMGF=0" || body == "+CMGF=1")
        {
            cmgf = body[6] - '0';
            Ok();
        }
        else if (body == "+CIPQSEND=0" || body == "+CIPQSEND=1")
        {
            quickSend = body.EndsWith('1');
            Ok();
        }
        else if (body == "+CIPRXGET=1")
        {
            manualReceive = true;
            Ok();
        }
        else if (body.StartsWith("+CIPRXGET=3,", StringComparison.Ordinal) && int.TryParse(body[12..], out int want))
        {
            ReadHex(want);
        }
        else if (body.StartsWith("+CSTT=", StringComparison.Ordinal))
        {
            if (ipState != "IP INITIAL")
            {
                Error();
                return;
            }
            ipState = "IP START";
            Ok();
        }
        else if (body.StartsWith("+CIPSTART=", StringComparison.Ordinal))
        {
            Connect(raw[10..]);
        }
        else if (body.StartsWith("+CIPSEND=", StringComparison.Ordinal) && int.TryParse(body[9..], out int length))
        {
            if (!connected || length < 1 || length > 1460)
            {
                Error();
                return;
            }
            dataMode = DataMode.TcpSend;
            dataExpected = length;
            data.Clear();
            Send(Encoding.ASCII.GetBytes("> "));
        }
        else if (body.StartsWith("+CMGS=", StringComparison.Ordinal))
        {
            data.Clear();
            if (cmgf == 1)
            {
                smsNumber = raw[6..].Trim('"');
                dataMode = DataMode.SmsText;
            }
            else if (int.TryParse(body[6..], out smsPduLength))
            {
                dataMode = DataMode.SmsPdu;
            }
            else
            {
                Error();
                return;
            }
            Send(Encoding.ASCII.GetBytes("> "));
        }
        else
        {
            Error();
        }
    }

    private string Clock()
    {
        if (!clts || !Registered)
        {
            return "04/01/01,00:00:12+00"; // the module's own start time: never set from the network
        }
        var local = NetworkTime.ToOffset(TimeSpan.FromHours(7));
        return local.ToString("yy/MM/dd,HH:mm:ss") + "+28";
    }

    // ---- TCP ----

    private void Connect(string args)
    {
        var parts = args.Split(',');
        if (parts.Length != 3 || !int.TryParse(parts[2].Trim().Trim('"'), out int port))
        {
            Error();
            return;
        }
        if (connected || connecting != null)
        {
            Ok();
            Emit("ALREADY CONNECT");
            return;
        }
        if (ipState is not ("IP STATUS" or "TCP CLOSED" or "IP INITIAL") || !Registered)
        {
            Error();
            return;
        }
        string host = parts[1].Trim().Trim('"');
        moduleRx.Clear(); // a new connection starts with an empty receive buffer
        Ok();
        ipState = "TCP CONNECTING";
        socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var attempt = socket.ConnectAsync(host, port);
        connecting = attempt;
        long answerAt = now + Math.Max(Faults.RoundTripMs, 1);
        void Check()
        {
            if (connecting != attempt)
            {
                return;
            }
            if (!attempt.IsCompleted || now < answerAt)
            {
                After(5, Check);
                return;
            }
            connecting = null;
            if (attempt.IsCompletedSuccessfully)
            {
                connected = true;
                ipState = "CONNECT OK";
                Emit("CONNECT OK");
            }
            else
            {
                CloseSocket();
                ipState = "TCP CLOSED";
                Emit("STATE: TCP CLOSED");
                Emit("CONNECT FAIL");
            }
        }
        After(1, Check);
    }

    private void OnData(byte b)
    {
        switch (dataMode)
        {
            case DataMode.TcpSend:
                data.Add(b);
                if (data.Count == dataExpected)
                {
                    dataMode = DataMode.None;
                    ForwardToServer(data.ToArray());
                }
                return;
            default:
                if (b == 0x1B)
                {
                    dataMode = DataMode.None; // ESC cancels the message
                    Ok();
                    return;
                }
                if (b != 0x1A)
                {
                    if (data.Count < 2000) data.Add(b);
                    return;
                }
                var mode = dataMode;
                dataMode = DataMode.None;
                AcceptSms(mode, Encoding.ASCII.GetString(data.ToArray()));
                return;
        }
    }

    private void ForwardToServer(byte[] bytes)
    {
        var s = socket;
        if (s == null || !connected)
        {
            Emit("SEND FAIL");
            return;
        }
        if (Faults.DropMidPublish > 0 && (bytes[0] & 0xF0) == 0x30)
        {
            Faults.DropMidPublish--;
            int half = Math.Max(1, bytes.Length / 2);
            After(Faults.RoundTripMs / 2, () =>
            {
                try { s.Send(bytes, 0, half, SocketFlags.None); } catch (SocketException) { }
                if (socket == s)
                {
                    CloseSocket();
                    ipState = "TCP CLOSED";
                    Emit("CLOSED");
                }
            });
            return;
        }
        After(Faults.RoundTripMs / 2, () =>
        {
            if (socket != s) return;
            try { s.Send(bytes, SocketFlags.None); }
            catch (SocketException) { }
        });
        if (quickSend)
        {
            Emit("DATA ACCEPT:" + bytes.Length); // quick send mode: accepted into the module's buffer
            return;
        }
        // Normal mode: SEND OK when the server's TCP acknowledgement is back, one round trip later.
        After(Faults.RoundTripMs, () =>
        {
            if (socket == s && connected) Emit("SEND OK");
        });
    }

    private void PumpSocket()
    {
        var s = socket;
        if (s != null && connected)
        {
            try
            {
                if (s.Available > 0)
                {
                    var buffer = new byte[s.Available];
                    int n = s.Receive(buffer);
                    inFlightToModule.Enqueue((now + Faults.RoundTripMs / 2, buffer[..n]));
                }
                else if (s.Poll(0, SelectMode.SelectRead))
                {
                    // The server closed; what it sent before still arrives first.
                    inFlightToModule.Enqueue((now + Faults.RoundTripMs / 2, Array.Empty<byte>()));
                    connected = false;
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                inFlightToModule.Enqueue((now + Faults.RoundTripMs / 2, Array.Empty<byte>()));
                connected = false;
            }
        }
        while (inFlightToModule.Count > 0 && inFlightToModule.Peek().At <= now)
        {
            var (_, bytes) = inFlightToModule.Dequeue();
            if (bytes.Length == 0)
            {
                // The peer closed: what it sent before stays readable (CIPRXGET) until CIPCLOSE/CIPSHUT/CIPSTART.
                var unread = moduleRx.ToList();
                CloseSocket();
                moduleRx.AddRange(unread);
                ipState = "TCP CLOSED";
                Emit("CLOSED");
                continue;
            }
            bool wasEmpty = moduleRx.Count == 0;
            moduleRx.AddRange(bytes.Take(ModuleBufferBytes - moduleRx.Count));
            if (manualReceive && wasEmpty)
            {
                Emit("+CIPRXGET: 1");
            }
        }
    }

    private void ReadHex(int want)
    {
        if (!manualReceive || want < 1 || want > 730)
        {
            Error();
            return;
        }
        if (!connected && moduleRx.Count == 0)
        {
            CmeError(3, "operation not allowed");
            return;
        }
        int n = Math.Min(want, moduleRx.Count);
        var chunk = moduleRx.Take(n).ToArray();
        moduleRx.RemoveRange(0, n);
        Emit("+CIPRXGET: 3," + n + "," + moduleRx.Count);
        if (n > 0)
        {
            Emit(Convert.ToHexString(chunk));
        }
        Ok();
    }

    private void CloseSocket()
    {
        try { socket?.Dispose(); } catch (ObjectDisposedException) { }
        socket = null;
        connecting = null;
        connected = false;
        moduleRx.Clear();
        inFlightToModule.Clear();
    }

    // ---- SMS ----

    private void AcceptSms(DataMode mode, string body)
    {
        if (!Registered)
        {
            After(1000, () => CmsError(331)); // no network service
            return;
        }
        if (Faults.SmsFailures > 0)
        {
            Faults.SmsFailures--;
            After(1500, () => CmsError(500));
            return;
        }
        if (mode == DataMode.SmsText)
        {
            if (body.Length > 160)
            {
                CmsError(304); // invalid text mode parameter: one text-mode SMS is at most 160 characters
                return;
            }
            RecordAfterNetwork(new EmulatedSms(smsNumber, body, "text", 1, now));
            return;
        }
        var part = SmsPduDecoder.Decode(body);
        if (part == null || body.Length / 2 - 1 != smsPduLength)
        {
            CmsError(304);
            return;
        }
        EmulatedSms? whole = null;
        if (!part.IsConcatenated)
        {
            whole = new EmulatedSms(part.Number, part.Text, "pdu", 1, now);
        }
        else
        {
            pduParts.Add(part);
            var set = pduParts.Where(p => p.Number == part.Number && p.ConcatReference == part.ConcatReference).ToArray();
            string? text = set.Length == part.PartCount ? SmsPduDecoder.Join(set) : null;
            if (text != null)
            {
                pduParts.RemoveAll(p => set.Contains(p));
                whole = new EmulatedSms(part.Number, text, "pdu", part.PartCount, now);
            }
        }
        int reference = ++smsReference;
        After(1500 + Faults.RoundTripMs, () =>
        {
            if (whole != null) Sms.Add(whole with { AtMs = now });
            Emit("+CMGS: " + reference);
            Ok();
        });
    }

    private void RecordAfterNetwork(EmulatedSms sms)
    {
        int reference = ++smsReference;
        After(1500 + Faults.RoundTripMs, () =>
        {
            Sms.Add(sms with { AtMs = now });
            Emit("+CMGS: " + reference);
            Ok();
        });
    }

    public void Dispose() => CloseSocket();
}
