using System.Device.Gpio;
using PanicDevice.Core.Modem;

namespace PanicDevice.Firmware
{
    /// <summary>SIM800 PWRKEY (through an NPN, so high asserts it) and the modem supply switch.</summary>
    internal sealed class GpioModemPower : IModemPower
    {
        private readonly GpioPin powerKey;
        private readonly GpioPin supply;

        public GpioModemPower(GpioPin powerKey, GpioPin supply)
        {
            this.powerKey = powerKey;
            this.supply = supply;
        }

        public void SetPowerKey(bool asserted)
        {
            powerKey.Write(asserted ? PinValue.High : PinValue.Low);
        }

        public void SetSupply(bool on)
        {
            supply.Write(on ? PinValue.High : PinValue.Low);
        }
    }
}
