using System;
using System.IO.Ports;
using Iot.Device.Common.GnssDevice;
using nanoFramework.Hardware.Esp32;
using PanicDevice.Core.Board;
using PanicDevice.Core.Location;

namespace PanicDevice.Firmware
{
    /// <summary>
    /// The NMEA receiver on its own UART through nanoFramework's GenericSerialGnssDevice. Positions arrive on
    /// the serial event thread; the main loop takes the newest one with <see cref="TakeFix"/>.
    /// </summary>
    internal sealed class GnssFeed
    {
        private readonly GenericSerialGnssDevice device;
        private readonly object gate = new object();
        private LocationFix latest;

        public GnssFeed()
        {
            Configuration.SetPinFunction(BoardPins.GnssRx, DeviceFunction.COM3_RX);
            Configuration.SetPinFunction(BoardPins.GnssTx, DeviceFunction.COM3_TX);
            SerialPort port = new SerialPort(BoardPins.GnssPort, BoardPins.GnssBaud);
            // On nanoFramework the library splits sentences on the port's WatchChar, which defaults to '\0'.
            port.WatchChar = '\n';
            device = new GenericSerialGnssDevice(port);
            device.LocationChanged += OnLocationChanged;
        }

        /// <summary>Opens the port and starts parsing.</summary>
        public bool Start()
        {
            return device.Start();
        }

        /// <summary>The newest usable fix since the last call, or null.</summary>
        public LocationFix TakeFix()
        {
            lock (gate)
            {
                LocationFix f = latest;
                latest = null;
                return f;
            }
        }

        private void OnLocationChanged(Iot.Device.Common.GnssDevice.Location position)
        {
            bool hasFix = device.Fix == Fix.Fix2D || device.Fix == Fix.Fix3D;
            // Location.Accuracy is a DOP (HDOP from GGA, PDOP from GSA), not metres: Core converts it.
            LocationFix fix = GnssFixConverter.ToFix(hasFix, position.Latitude, position.Longitude, position.Accuracy, Environment.TickCount64);
            if (fix == null)
            {
                return;
            }
            lock (gate)
            {
                latest = fix;
            }
        }
    }
}
