using System.Diagnostics;
using PanicDevice.Core.App;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;

namespace PanicDevice.Host;

/// <summary>
/// A virtual device running the real Core (button patterns, outbox, delivery, MQTT session) over a host
/// socket, for the CLI's demo and simulator and for end-to-end tests. Feedback events and the SMS it
/// would send are recorded and reported through the log callback instead of sent.
/// </summary>
public sealed class SimulatedDevice : IFeedbackListener, ISmsSender, IDeviceTelemetry
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly Action<string> log;
    private readonly Dictionary<int, SmsSendState> sms = new();

    public SimulatedDevice(DeviceConfig config, Action<string> log, string? mqttPassword = null, int reconnectMinMs = 500, int roundTripMs = 0)
    {
        this.log = log;
        Session = new MqttClientSession(new MqttSessionOptions
        {
            Host = config.BrokerHost,
            Port = config.BrokerPort,
            ClientId = config.DeviceId,
            Password = mqttPassword ?? DeviceCredentials.MqttPassword(config.Key),
            UplinkTopic = Topics.Uplink(config.DeviceId),
            DownlinkTopic = Topics.Downlink(config.DeviceId),
            WillTopic = Topics.Presence(config.DeviceId),
            ReconnectMinMs = reconnectMinMs,
            ReconnectMaxMs = 5000,
            ConnectTimeoutMs = 5000,
        }, roundTripMs > 0 ? new DelayedTcpLink(new SocketTcpLink(), roundTripMs) : new SocketTcpLink());
        App = new PanicDeviceApp(config, null, new MemoryRecordStore(), Session, this, this, new AlertSmsComposer(config.OwnerName, config.Language, null), this);
        App.Start(Now);
    }

    public MqttClientSession Session { get; }
    public PanicDeviceApp App { get; }
    public List<FeedbackEvent> Feedback { get; } = new();

    /// <summary>Every SMS the device sent: (number, text).</summary>
    public List<(string Number, string Text)> SmsSent { get; } = new();
    public long Now => clock.ElapsedMilliseconds;

    public byte BatteryPercent => 93;
    public sbyte SignalDbm => -67;
    public byte Flags => 0;
    public uint UtcSeconds => (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public void OnFeedback(FeedbackEvent feedback, long atMs)
    {
        Feedback.Add(feedback);
        log("device feedback: " + feedback);
    }

    public int Send(string number, string text, long nowMs)
    {
        log("device SMS to " + number + ": " + text);
        SmsSent.Add((number, text));
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

    public bool RunUntil(Func<bool> done, TimeSpan timeout)
    {
        long end = Now + (long)timeout.TotalMilliseconds;
        while (Now < end)
        {
            App.Poll(Now);
            if (done()) return true;
            Thread.Sleep(5);
        }
        return done();
    }
}
