namespace PanicDevice.Core.Modem
{
    /// <summary>
    /// The modem's power pins, wired by the firmware (GPIO) or the emulator. The driver decides when and how
    /// long: SIM800 turns on or off after PWRKEY is held low for about a second.
    /// </summary>
    public interface IModemPower
    {
        /// <summary>Asserts (true) or releases (false) the PWRKEY line.</summary>
        void SetPowerKey(bool asserted);

        /// <summary>Switches the modem's supply, where the board can (a no-op where it cannot).</summary>
        void SetSupply(bool on);
    }
}
