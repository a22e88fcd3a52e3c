using System;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Firmware
{
    /// <summary>What the frames say about the device: signal and network time from the modem; battery not measured yet.</summary>
    internal sealed class ModemTelemetry : IDeviceTelemetry
    {
        private readonly Sim800Modem modem;

        public ModemTelemetry(Sim800Modem modem)
        {
            this.modem = modem;
        }

        public byte BatteryPercent
        {
            get { return Frame.UnknownBattery; }
        }

        public sbyte SignalDbm
        {
            get { return (sbyte)modem.SignalDbm; }
        }

        public byte Flags
        {
            get { return 0; }
        }

        public uint UtcSeconds
        {
            get { return modem.UtcSeconds(Environment.TickCount64); }
        }
    }
}
