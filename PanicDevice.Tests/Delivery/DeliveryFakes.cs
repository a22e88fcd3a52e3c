using PanicDevice.Core.Counter;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Location;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Delivery;

/// <summary>An uplink whose connectivity the test controls; records every publish.</summary>
public class FakeUplink : IUplink
{
    public bool Connected;
    public readonly List<byte[]> Published = new();
    public IDownlinkListener Listener;
    public Action<byte[]> OnPublish;

    public bool IsConnected => Connected;

    public bool Publish(byte[] payload, long nowMs)
    {
        if (!Connected) return false;
        OnPublish?.Invoke(payload);
        Published.Add(payload);
        return true;
    }

    public void SetListener(IDownlinkListener listener) => Listener = listener;
    public void Poll(long nowMs) { }
}

public class FakeSms : ISmsSender
{
    public record Sent(string Number, string Text, long AtMs);
    public readonly List<Sent> Messages = new();
    private readonly Dictionary<int, SmsSendState> states = new();
    public Func<string, SmsSendState> Outcome = _ => SmsSendState.Sent;

    public int Send(string number, string text, long nowMs)
    {
        Messages.Add(new Sent(number, text, nowMs));
        int id = Messages.Count;
        states[id] = SmsSendState.Pending;
        return id;
    }

    public SmsSendState StateOf(int id) => states.TryGetValue(id, out var s) ? s : SmsSendState.Unknown;

    public void Poll(long nowMs)
    {
        foreach (int id in states.Keys.ToList())
        {
            if (states[id] == SmsSendState.Pending) states[id] = Outcome(Messages[id - 1].Number);
        }
    }
}

public class FakeLocation : ILocationProvider
{
    public LocationFix Fix;
    public LocationFix LastKnown(long nowMs) => Fix;
}

public class FakeTelemetry : IDeviceTelemetry
{
    public byte BatteryPercent { get; set; } = 80;
    public sbyte SignalDbm { get; set; } = -75;
    public byte Flags { get; set; }
    public uint UtcSeconds { get; set; } = 1795000000;
}

public class PlainSmsText : IAlertSmsText
{
    public string Compose(Frame frame) => "ALERT " + frame.DeviceId + " #" + frame.Counter + " kind " + frame.Kind + " code " + frame.Code;
}

public class FeedbackRecorder : IFeedbackListener
{
    public readonly List<FeedbackEvent> Events = new();
    public void OnFeedback(FeedbackEvent feedback, long atMs) => Events.Add(feedback);
}

/// <summary>A device's delivery stack over one simulated flash store; "reboot" = a new instance on the same store.</summary>
public class DeviceUnderTest
{
    public static readonly byte[] Key = SampleFrames.Key(0x30);
    public const string Id = "fob-0042";

    public readonly FlashRecordStore Store;
    public readonly FakeUplink Uplink = new();
    public readonly FakeSms Sms = new();
    public readonly FakeLocation Location = new();
    public readonly FakeTelemetry Telemetry = new();
    public readonly FeedbackRecorder Feedback = new();
    public readonly DeliveryOptions Options;
    public readonly AlertOutbox Outbox;
    public readonly DeliveryEngine Engine;

    public DeviceUnderTest(FlashRecordStore store = null, long bootMs = 0, Action<DeliveryOptions> configure = null)
    {
        Store = store ?? new FlashRecordStore();
        Store.Revive();
        Options = new DeliveryOptions
        {
            DeviceId = Id,
            Key = Key,
            GuardianNumbers = new[] { "+6281200000001", "+6281200000002" },
            GatewayNumber = "+6281299999999",
        };
        configure?.Invoke(Options);
        Outbox = new AlertOutbox(Store, AlertOutbox.DefaultCapacity);
        Engine = new DeliveryEngine(Options, Outbox, new MonotonicCounter(Store, "counter", 8), Uplink, Sms, Location, Telemetry, new PlainSmsText(), Feedback);
        Engine.Start(bootMs);
    }

    /// <summary>What the receiver would send back for a stored frame.</summary>
    public static byte[] AckFor(byte[] published, AlertStatus status = AlertStatus.Received, byte[] key = null, string deviceId = null)
    {
        Frame stored = FrameCodec.Decode(published).Frame;
        Frame reply = Frame.AckFor(stored, 1795000100);
        if (status != AlertStatus.Received)
        {
            reply.Kind = MessageKind.Status;
            reply.Code = (byte)status;
        }
        if (deviceId != null) reply.DeviceId = deviceId;
        return FrameCodec.Encode(reply, key ?? Key);
    }

    public static Frame Decode(byte[] b) => FrameCodec.Decode(b).Frame;
}
