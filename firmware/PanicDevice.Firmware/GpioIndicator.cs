using System.Device.Gpio;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Firmware
{
    /// <summary>The status LED and the vibration motor driver, both active high.</summary>
    internal sealed class GpioIndicator : IIndicator
    {
        private readonly GpioPin led;
        private readonly GpioPin motor;

        public GpioIndicator(GpioPin led, GpioPin motor)
        {
            this.led = led;
            this.motor = motor;
        }

        public void Set(bool ledOn, bool vibrationOn)
        {
            led.Write(ledOn ? PinValue.High : PinValue.Low);
            motor.Write(vibrationOn ? PinValue.High : PinValue.Low);
        }
    }
}
