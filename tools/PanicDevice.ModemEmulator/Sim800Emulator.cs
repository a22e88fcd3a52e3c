using PanicDevice.Core.Io;
using PanicDevice.Core.Modem;

namespace PanicDevice.ModemEmulator;

/// <summary>
/// A SIM800 on the host. It speaks the AT dialect of the SIMCom SIM800 Series AT Command Manual (V1.09) to
/// the device over <see cref="DeviceSide"/>, turns on and off through <see cref="IModemPower"/>, bridges
/// its one TCP connection to a real socket (so the device's MQTT session talks to a real broker), records
/// every SMS, and injects the faults in <see cref="Faults"/>. Single-threaded: the caller alternates the
/// device's Poll and this Poll, passing the same clock. docs/modem-emulator.md lists what it reproduces.
/// This class is the module's power, boot, registration, clock and faults; its parts are the UART
/// (<see cref="EmulatedUart"/>), the command table (<see cref="Sim800CommandTable"/>), the TCP bridge
/// (<see cref="EmulatedTcpBridge"/>) and the SMS centre (<see cref="EmulatedSmsCentre"/>).
/// </summary>
public sealed class Sim800Emulator : IModemPower, IDisposable
{
    private readonly List<(long At, int Seq, Action Run)> timers = new();
    private readonly EmulatedUart uart;
    private readonly EmulatedTcpBridge tcp;
    private readonly EmulatedSmsCentre smsCentre;
    private readonly EmulatedVoice voice;
    private readonly Sim800CommandTable commands;
    private int timerSeq;
    private long now;

    private bool on;
    private bool supply = true;
    private long keyDownAt = -1;
    private bool registered;

    /// <summary>Creates a module, switched off, with a SIM, and registering 2 s after boot.</summary>
    public Sim800Emulator(EmulatorFaults? faults = null, int seed = 1)
    {
        Faults = faults ?? new EmulatorFaults();
        uart = new EmulatedUart(this, new Random(seed));
        tcp = new EmulatedTcpBridge(this);
        smsCentre = new EmulatedSmsCentre(this);
        voice = new EmulatedVoice(this);
        commands = new Sim800CommandTable(this, tcp, smsCentre, voice);
    }

    /// <summary>The UART as the device sees it.</summary>
    public IByteStream DeviceSide => uart.DeviceSide;

    /// <summary>Faults to show; may be changed at any time.</summary>
    public EmulatorFaults Faults { get; }

    /// <summary>Every SMS accepted (concatenated ones once, whole).</summary>
    public List<EmulatedSms> Sms { get; } = new();

    /// <summary>Phones the network can call, by number as dialled; any other number rings unanswered.</summary>
    public Dictionary<string, EmulatedPhone> Phones { get; } = new(StringComparer.Ordinal);

    /// <summary>Every call placed or rung in, in order.</summary>
    public List<EmulatedCall> Calls { get; } = new();

    /// <summary>The call in progress (placed, ringing or up), or null.</summary>
    public EmulatedCall? CurrentCall => voice.Current;

    /// <summary>The ringer level (AT+CRSL): 0 means a call ringing in makes no sound.</summary>
    public int RingerLevel => voice.RingerLevel;

    /// <summary>Data commands (AT+CIP…) the driver sent while a call was up, when a SIM800 carries no data.</summary>
    public int DataCommandsDuringCalls { get; internal set; }

    /// <summary>Someone calls the module now (caller id <paramref name="number"/>).</summary>
    public void RingFrom(string number)
    {
        if (on)
        {
            voice.RingFrom(number);
        }
    }

    /// <summary>The far end of the call in progress presses a key now.</summary>
    public void PressKey(char key) => voice.PressKey(key);

    /// <summary>The network drops the call in progress (NO CARRIER).</summary>
    public void DropCall() => voice.Drop();

    /// <summary>The far end of the call in progress hangs up.</summary>
    public void RemoteHangUp() => voice.RemoteHangUp();

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
        if (on)
        {
            tcp.DeactivatePdp();
        }
    }

    /// <summary>The far end closes the TCP connection.</summary>
    public void DropConnection()
    {
        if (on)
        {
            tcp.DropConnection();
        }
    }

    /// <summary>Runs after each command is executed (tests use it to make network data arrive at an exact moment).</summary>
    public Action<string>? AfterCommand { get; set; }

    /// <summary>Data arrives from the network on the open connection now, as if the server had sent it.</summary>
    public void DeliverFromNetwork(byte[] data)
    {
        if (on)
        {
            tcp.DeliverFromNetwork(data);
        }
    }

    /// <summary>Line noise on the UART now.</summary>
    public void InjectGarbage(byte[] bytes) => uart.Send(bytes);

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
        tcp.Pump();
    }

    // ---- What the parts use ----

    internal long Now => now;

    internal bool Echo { get; set; } = true;

    /// <summary>AT+CMEE: 0 plain ERROR, 1 numeric, 2 verbose.</summary>
    internal int Cmee { get; set; }

    internal bool Registered => registered && !Faults.NoRegistration && !Faults.NoSim;

    internal void Emit(string text) => uart.Emit(text);

    internal void Ok() => Emit("OK");

    internal void Error() => Emit("ERROR");

    internal void CmeError(int code, string text) =>
        Emit(Cmee == 2 ? "+CME ERROR: " + text : Cmee == 1 ? "+CME ERROR: " + code : "ERROR");

    internal void CmsError(int code) => Emit(Cmee == 0 ? "ERROR" : "+CMS ERROR: " + code);

    internal void After(int ms, Action run) => timers.Add((now + ms, timerSeq++, run));

    internal void PromptForData(IEmulatedDataReceiver receiver) => uart.PromptForData(receiver);

    internal void EndDataMode() => uart.EndDataMode();

    /// <summary>A whole command line from the device.</summary>
    internal void OnCommandLine(string command)
    {
        Commands.Add(command);
        CommandTimes.Add(now);
        if (!Faults.Mute)
        {
            commands.Execute(command);
            AfterCommand?.Invoke(command);
        }
    }

    /// <summary>AT+CFUN=1,1: off, then booting again.</summary>
    internal void Restart()
    {
        PowerOff();
        Boot(3000);
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
        voice.ModuleOff();
        on = false;
        tcp.CloseSocket();
        uart.PowerOff();
        timers.Clear();
        registered = false;
    }

    private void ResetModuleState()
    {
        Echo = true;
        Cmee = 0;
        registered = false;
        uart.EndDataMode();
        commands.ResetModuleState();
        tcp.ResetModuleState();
        smsCentre.ResetModuleState();
        voice.ResetModuleState();
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

    public void Dispose() => tcp.CloseSocket();
}
