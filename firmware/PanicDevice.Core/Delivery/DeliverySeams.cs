using PanicDevice.Core.Protocol;

namespace PanicDevice.Core.Delivery
{
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
        /// <summary>The text for the emergency number about this frame.</summary>
        string Compose(Frame frame);

        /// <summary>The text for guardians: the same facts, and the link to the live page when the device has one.</summary>
        string ComposeForGuardian(Frame frame);
    }
}
