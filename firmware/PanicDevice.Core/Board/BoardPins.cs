namespace PanicDevice.Core.Board
{
    /// <summary>
    /// ESP32 GPIO numbers of the PanicDevice board (fob and wall unit share one board). The single source of
    /// truth for hardware is hardware/pinmap.json; PanicDevice.Tests/Board checks these constants against it,
    /// and the firmware takes every pin number from here.
    /// </summary>
    public static class BoardPins
    {
        /// <summary>Panic button, active low, external 100 kΩ pull-up (GPIO 34–39 have no internal pulls); RTC pin for ext0 wake.</summary>
        public const int Button = 34;
        /// <summary>The button pulls the pin to ground when pressed.</summary>
        public const bool ButtonActiveLow = true;
        /// <summary>ESP32 TX to the SIM800 RXD (UART2, nanoFramework COM2).</summary>
        public const int ModemTx = 17;
        /// <summary>ESP32 RX from the SIM800 TXD (UART2, nanoFramework COM2).</summary>
        public const int ModemRx = 16;
        /// <summary>Drives an NPN transistor (100 kΩ base pull-down) that pulls SIM800 PWRKEY low: high here = key asserted.</summary>
        public const int ModemPowerKey = 23;
        /// <summary>EN of the SIM800 4.0 V buck-boost rail, 100 kΩ pull-down (high = on; off while the pin floats).</summary>
        public const int ModemSupply = 19;
        /// <summary>ESP32 TX to the GNSS receiver RX (UART1, nanoFramework COM3).</summary>
        public const int GnssTx = 27;
        /// <summary>ESP32 RX from the GNSS receiver TX (UART1, nanoFramework COM3).</summary>
        public const int GnssRx = 26;
        /// <summary>Gate of the GNSS load switch's 2N7002, 100 kΩ pull-down (high = on; off while the pin floats).</summary>
        public const int GnssSupply = 18;
        /// <summary>Status LED through a resistor to ground (high = lit).</summary>
        public const int Led = 2;
        /// <summary>Vibration motor through an NPN transistor, 100 kΩ base pull-down (high = running).</summary>
        public const int Vibration = 13;
        /// <summary>Battery voltage through a 1:2 divider (ADC1 channel 7), read by BatteryGauge.</summary>
        public const int BatterySense = 35;
        /// <summary>nanoFramework's ESP32 ADC channel number of <see cref="BatterySense"/> (channels 0–7 are ADC1_CH0–7).</summary>
        public const int BatterySenseAdcChannel = 7;
        /// <summary>Wall unit's enclosure switch: high = open (tampered), external pull-up.</summary>
        public const int Tamper = 32;
        /// <summary>Wall unit's DC-in sense through a divider: high = external power present.</summary>
        public const int ExternalPowerSense = 39;

        /// <summary>nanoFramework serial port of the modem (COM1 carries the debugger, so never COM1).</summary>
        public const string ModemPort = "COM2";
        /// <summary>nanoFramework serial port of the GNSS receiver.</summary>
        public const string GnssPort = "COM3";
        /// <summary>SIM800 autobauds from the first AT; 115200 keeps a 1 KB hex receive line under 0.1 s.</summary>
        public const int ModemBaud = 115200;
        /// <summary>The common factory rate of NMEA GNSS modules (u-blox NEO-6M, ATGM336H).</summary>
        public const int GnssBaud = 9600;

        /// <summary>True for GPIOs the classic ESP32 can use for ext0 / ext1 wake (RTC GPIOs).</summary>
        public static bool IsRtcCapable(int gpio)
        {
            return gpio == 0 || gpio == 2 || gpio == 4 || (gpio >= 12 && gpio <= 15) || (gpio >= 25 && gpio <= 27) || (gpio >= 32 && gpio <= 39);
        }

        /// <summary>True for GPIOs that can only be inputs on the classic ESP32 (34–39).</summary>
        public static bool IsInputOnly(int gpio)
        {
            return gpio >= 34 && gpio <= 39;
        }
    }
}
