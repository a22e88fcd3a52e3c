using System.Diagnostics;
using PanicDevice.Core.App;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Net;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.ModemEmulator;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Host;

/// <summary>How a <see cref="SimulatedDevice"/> reaches the network, and how its time runs.</summary>
public sealed class SimulatedDeviceOptions
{
    /// <summary>MQTT password; derived from the key when null.</summary>
    public string? MqttPassword { get; init; }
    public int ReconnectMinMs { get; init; } = 500;
    public int ConnectTimeoutMs { get; init; } = 5000;

    /// <summary>Round trip added by a delaying host socket (ignored with a modem: set the emulator's RTT instead).</summary>
    public int RoundTripMs { get; init; }

    /// <summary>
    /// When set, the device talks AT to this emulated SIM800 through the real driver, and its SMS go
    /// through the modem. When null, it uses a host socket and records SMS itself.
    /// </summary>
    public Sim800Emulator? Modem { get; init; }

    /// <summary>Folder for the device's flash (counter, outbox); null keeps it in memory for this process only.</summary>
    public string? FlashFolder { get; init; }

    /// <summary>SIM800 settings for the driver.</summary>
    public Sim800Settings ModemSettings { get; init; } = new();

    /// <summary>
    /// 0: real time. Otherwise each loop turn advances a virtual clock by this many milliseconds, so a test
    /// can wait out a 20 s deadline in a second or two (brokers and sockets still run in real time).
    /// </summary>
    public int VirtualStepMs { get; init; }

    /// <summary>
    /// A wall unit's Wi-Fi path: when set, the device sends through Core's DualUplink with this library client
    /// first and the cellular session (modem or socket) standing by, as the firmware does on wall units with Wi-Fi.
    /// </summary>
    public IMqttClientPort? Wifi { get; init; }

    /// <summary>How long the Wi-Fi path may leave a frame unanswered before frames also go on cellular.</summary>
    public int FailoverMs { get; init; } = DualUplink.DefaultFailoverMs;
}

/// <summary>
/// A virtual device running the real Core (button patterns, outbox, delivery, MQTT session) over a host
/// socket or over the SIM800 driver and the modem emulator, for the CLI's demo and simulator, the
/// benchmark and end-to-end tests. Feedback events are recorded; SMS are recorded (socket) or go through
/// the emulated modem, which records them.
/// </summary>
public sealed class SimulatedDevice : IFeedbackListener, ISmsSender, IDeviceTelemetry
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Action<string> log;
    private readonly Dictionary<int, SmsSendState> sms = new();
    private readonly SimulatedDeviceOptions options;
    private long virtualNow;

    public SimulatedDevice(DeviceConfig config, Action<string> log, string? mqttPassword = null, int reconnectMinMs = 500, int roundTripMs = 0)
        : this(config, log, new SimulatedDeviceOptions { MqttPassword = mqttPassword, ReconnectMinMs = reconnectMinMs, RoundTripMs = roundTripMs })
    {
    }

    public SimulatedDevice(DeviceConfig config, Action<string> log, SimulatedDeviceOptions options)
    {
        this.log = log;
        this.options = options;
        ITcpLink link;
        ISmsSender smsSender = this;
        if (options.Modem != null)
        {
            if (config.Calls.Enabled)
            {
                options.ModemSettings.Voice = true;
                options.ModemSettings.MicGain = config.Calls.MicGain;
                options.ModemSettings.SpeakerVolume = config.Calls.SpeakerVolume;
            }
            Driver = new Sim800Modem(options.Modem.DeviceSide, options.Modem, options.ModemSettings);
            link = Driver;
            smsSender = Driver;
        }
        else
        {
            link = options.RoundTripMs > 0 ? new DelayedTcpLink(new SocketTcpLink(), options.RoundTripMs) : new SocketTcpLink();
        }
        var sessionOptions = new MqttSessionOptions
        {
            Host = config.BrokerHost,
            Port = config.BrokerPort,
            ClientId = config.DeviceId,
            Password = options.MqttPassword ?? DeviceCredentials.MqttPassword(config.Key),
            UplinkTopic = Topics.Uplink(config.DeviceId),
            DownlinkTopic = Topics.Downlink(config.DeviceId),
            WillTopic = Topics.Presence(config.DeviceId),
            ReconnectMinMs = options.ReconnectMinMs,
            ReconnectMaxMs = 5000,
            ConnectTimeoutMs = options.ConnectTimeoutMs,
        };
        Session = new MqttClientSession(sessionOptions, link);
        IUplink uplink = Session;
        if (options.Wifi != null)
        {
            WifiUplink = new BrokerClientUplink(sessionOptions.ForWifi(), options.Wifi);
            Dual = new DualUplink(WifiUplink, Session, options.FailoverMs);
            uplink = Dual;
        }
        App = new PanicDeviceApp(config, null, options.FlashFolder != null ? HostFileOps.Folder(options.FlashFolder) : new MemoryRecordStore(), uplink, smsSender, Driver, this, new AlertSmsComposer(config.OwnerName, config.Language, null, config.GuardianLinkUrl, config.Key), this);
        App.Start(Now);
    }

    public MqttClientSession Session { get; }

    /// <summary>The Wi-Fi path and the dual uplink, when <see cref="SimulatedDeviceOptions.Wifi"/> is set.</summary>
    public BrokerClientUplink? WifiUplink { get; }
    public DualUplink? Dual { get; }
    public PanicDeviceApp App { get; }

    /// <summary>The SIM800 driver when the device runs over the emulated modem.</summary>
    public Sim800Modem? Driver { get; }

    public List<FeedbackEvent> Feedback { get; } = new();

    /// <summary>Every SMS the device sent: (number, text), from the emulated modem when there is one.</summary>
    public List<(string Number, string Text)> SmsSent =>
        options.Modem != null ? options.Modem.Sms.Select(s => (s.Number, s.Text)).ToList() : recordedSms;

    private readonly List<(string Number, string Text)> recordedSms = new();

    public long Now => options.VirtualStepMs > 0 ? virtualNow : clock.ElapsedMilliseconds;

    public byte BatteryPercent => 93;
    public sbyte SignalDbm => (sbyte)(Driver?.SignalDbm ?? -67);
    public byte Flags => 0;
    public uint UtcSeconds => Driver != null ? Driver.UtcSeconds(Now) : (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public void OnFeedback(FeedbackEvent feedback, long atMs)
    {
        Feedback.Add(feedback);
        log("device feedback: " + feedback);
    }

    public int Send(string number, string text, long nowMs)
    {
        log("device SMS to " + number + ": " + text);
        recordedSms.Add((number, text));
        int id = sms.Count + 1;
        sms[id] = SmsSendState.Sent;
        return id;
    }

    public SmsSendState StateOf(int id) => sms.TryGetValue(id, out var s) ? s : SmsSendState.Unknown;

    public void Poll(long nowMs) { }

    /// <summary>Presses and releases the button, running the device in between.</summary>
    public void Tap(int downMs, int upMs)
    {
        App.OnRawButtonEdge(true, Now);
        RunFor(downMs);
        App.OnRawButtonEdge(false, Now);
        RunFor(upMs);
    }

    public void RunFor(int ms) => RunUntil(() => false, TimeSpan.FromMilliseconds(ms));

    /// <summary>Runs the device (and its modem) until done() or the timeout, in device time.</summary>
    public bool RunUntil(Func<bool> done, TimeSpan timeout)
    {
        long end = Now + (long)timeout.TotalMilliseconds;
        while (Now < end)
        {
            Step();
            if (done()) return true;
        }
        return done();
    }

    /// <summary>Runs once every loop turn (a GNSS track, an SMS network bridge, keys).</summary>
    public Action? EachStep { get; set; }

    /// <summary>One loop turn: the modem, then the device, then time moves on.</summary>
    private PanicDevice.Core.Calls.CallState lastCallState;
    private int lastCallId;
    private bool confirmedShown;

    /// <summary>Each change of the device's voice call, as a log line ("device call: …"), so a simulation shows who was called.</summary>
    private void ShowCalls()
    {
        if (App.Engine.Calls is { Confirmed: true } && !confirmedShown)
        {
            confirmedShown = true;
            log("device call: " + Driver?.CallNumber + " confirmed with the key");
        }
        if (Driver == null || (Driver.CallState == lastCallState && Driver.CallId == lastCallId))
        {
            return;
        }
        var number = Driver.CallState == PanicDevice.Core.Calls.CallState.Incoming ? Driver.IncomingNumber : Driver.CallNumber;
        log(Driver.CallState == PanicDevice.Core.Calls.CallState.Idle
            ? "device call: ended (" + Driver.LastEnd + ")"
            : "device call: " + Driver.CallState.ToString().ToLowerInvariant() + (number != null ? " " + number : ""));
        lastCallState = Driver.CallState;
        lastCallId = Driver.CallId;
    }

    public void Step()
    {
        EachStep?.Invoke();
        options.Modem?.Poll(Now);
        App.Poll(Now);
        options.Modem?.Poll(Now);
        ShowCalls();
        if (options.VirtualStepMs > 0)
        {
            // Let the broker's and the sockets' threads run (about 1 ms real a turn); then move device time on.
            Thread.Sleep(1);
            virtualNow += options.VirtualStepMs;
        }
        else
        {
            Thread.Sleep(options.Modem != null ? 1 : 5);
        }
    }
}
