namespace PanicDevice.ModemEmulator;

/// <summary>
/// Faults the emulated SIM800 shows; change them at any time, the emulator reads them as it goes. Counts
/// ("how many times") decrease as faults fire, so a test can ask for "the first two fail".
/// </summary>
public sealed class EmulatorFaults
{
    /// <summary>No SIM: AT+CPIN? answers +CME ERROR: SIM not inserted.</summary>
    public bool NoSim { get; set; }

    /// <summary>No data service (GPRS barred or out of credit): AT+CIICR answers ERROR; SMS still work.</summary>
    public bool NoData { get; set; }

    /// <summary>The network never registers the module (+CREG: 0,2 "searching").</summary>
    public bool NoRegistration { get; set; }

    /// <summary>Network round trip for TCP (connect, send, receive), in milliseconds.</summary>
    public int RoundTripMs { get; set; }

    /// <summary>Commands (by prefix, e.g. "AT+CIICR") that answer +CME ERROR, and how many more times.</summary>
    public Dictionary<string, int> CmeErrors { get; } = new(StringComparer.Ordinal);

    /// <summary>How many of the next MQTT PUBLISH sends lose the connection halfway (the broker gets half a packet, the module says CLOSED).</summary>
    public int DropMidPublish { get; set; }

    /// <summary>How many of the next SMS are refused (+CMS ERROR: 500).</summary>
    public int SmsFailures { get; set; }

    /// <summary>How many of the next calls the network refuses before they ring (congestion: NO CARRIER).</summary>
    public int CallsRefused { get; set; }

    /// <summary>Probability (0..1) that a line from the module is preceded by a burst of line noise.</summary>
    public double GarbageProbability { get; set; }

    /// <summary>The module hangs: reads commands, answers nothing, until its supply is cut or PWRKEY turns it off.</summary>
    public bool Mute { get; set; }

    /// <summary>UART speed; each byte to the MCU takes 10 bit times. 0 = instant.</summary>
    public int BaudRate { get; set; } = 115200;
}
