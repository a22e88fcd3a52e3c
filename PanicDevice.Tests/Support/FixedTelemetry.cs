using PanicDevice.Core.Delivery;

namespace PanicDevice.Tests.Support
{
    /// <summary>Battery, signal and clock that never change, for device tests that are not about them.</summary>
    public sealed class FixedTelemetry : IDeviceTelemetry
    {
        private readonly uint utcSeconds;

        public FixedTelemetry(uint utcSeconds)
        {
            this.utcSeconds = utcSeconds;
        }

        public byte BatteryPercent
        {
            get { return 80; }
        }

        public sbyte SignalDbm
        {
            get { return -75; }
        }

        public byte Flags
        {
            get { return 0; }
        }

        public uint UtcSeconds
        {
            get { return utcSeconds; }
        }
    }
}
