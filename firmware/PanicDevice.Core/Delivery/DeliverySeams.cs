using PanicDevice.Core.Protocol;

namespace PanicDevice.Core.Delivery
{
    /// <summary>What the device tells its user, discreetly (LED and vibration patterns are chosen per event).</summary>
    public enum FeedbackEvent
    {
        /// <summary>The alert is stored on the device and being sent.</summary>
        Sending = 1,
        /// <summary>
        /// Received by the system: the command centre stored the alert (signed acknowledgement). No person has seen it
        /// yet; <see cref="OperatorHasIt"/> says that, with a different pattern, so a wearer never reads this as "help knows".
        /// </summary>
        Acknowledged = 2,
        /// <summary>A responder is assigned.</summary>
        ResponderOnTheWay = 3,
        /// <summary>The data path did not answer in time; SMS went to the emergency number, guardians and gateway.</summary>
        SmsFallback = 4,
        /// <summary>Neither path has confirmed delivery; the device keeps trying.</summary>
        Failed = 5,
        /// <summary>The alert was cancelled (also shown for a duress cancel).</summary>
        Cancelled = 6,
        /// <summary>The command centre closed the alert.</summary>
        Resolved = 7,
        /// <summary>An operator has taken the alert: a person at the command centre knows.</summary>
        OperatorHasIt = 8,
    }

    /// <summary>Receives feedback events (the firmware maps them to LED / vibration patterns).</summary>
    public interface IFeedbackListener
    {
        /// <summary>Called from the engine's Poll or entry points.</summary>
        void OnFeedback(FeedbackEvent feedback, long atMs);
    }

    /// <summary>The device's own state that goes into every frame.</summary>
    public interface IDeviceTelemetry
    {
        /// <summary>0–100, or Frame.UnknownBattery.</summary>
        byte BatteryPercent { get; }
        /// <summary>Signal in dBm, 0 when unknown.</summary>
        sbyte SignalDbm { get; }
        /// <summary>FrameFlags bits (external power, low battery, tamper).</summary>
        byte Flags { get; }
        /// <summary>UTC seconds since 1970, or 0 while the clock is not set.</summary>
        uint UtcSeconds { get; }
    }

    /// <summary>Writes the human-readable SMS for a frame (language, owner name and map link come from configuration).</summary>
    public interface IAlertSmsText
    {
        /// <summary>The text for 112 and guardians about this frame.</summary>
        string Compose(Frame frame);
    }
}
