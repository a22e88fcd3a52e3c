using System.Device.Adc;
using System.Device.Gpio;
using PanicDevice.Core.Board;

namespace PanicDevice.Firmware
{
    /// <summary>The sense inputs as Core reads them: battery divider on ADC1, tamper switch and DC-in sense on GPIO.</summary>
    internal sealed class BoardSensors : IBoardSensors
    {
        private readonly AdcChannel battery;
        private readonly GpioPin tamper;
        private readonly GpioPin externalPower;

        /// <summary><paramref name="wallUnit"/>: the tamper switch and DC-in sense are fitted (a fob has neither).</summary>
        public BoardSensors(GpioController gpio, bool wallUnit)
        {
            // Classic ESP32: ADC1 channel 7 is hard-wired to GPIO35, no pin function to set.
            battery = new AdcController().OpenChannel(BoardPins.BatterySenseAdcChannel);
            if (wallUnit)
            {
                // Both inputs have external resistors (hardware/pinmap.json); 39 is input-only with no internal pulls.
                tamper = gpio.OpenPin(BoardPins.Tamper, PinMode.Input);
                externalPower = gpio.OpenPin(BoardPins.ExternalPowerSense, PinMode.Input);
            }
        }

        public double ReadBatteryRatio()
        {
            return battery.ReadRatio();
        }

        public bool ExternalPower
        {
            get { return externalPower != null && (bool)externalPower.Read(); }
        }

        public bool TamperOpen
        {
            get { return tamper != null && (bool)tamper.Read(); }
        }
    }
}
