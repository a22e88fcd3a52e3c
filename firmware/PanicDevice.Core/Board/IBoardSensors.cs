namespace PanicDevice.Core.Board
{
    /// <summary>The board's sense inputs, read by the firmware (ADC and GPIO); what they mean is decided in Core.</summary>
    public interface IBoardSensors
    {
        /// <summary>The battery-sense pin as a fraction of ADC full scale (0–1), or a negative number when the board has none.</summary>
        double ReadBatteryRatio();

        /// <summary>True while external power (mains adapter, USB) is present.</summary>
        bool ExternalPower { get; }

        /// <summary>True while the enclosure's tamper switch is open (a fob has none: always false).</summary>
        bool TamperOpen { get; }
    }
}
