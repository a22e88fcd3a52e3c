namespace PanicDevice.Core.Modem
{
    /// <summary>
    /// How long the driver waits for each command's final result. The figures are the maximum response
    /// times of the SIMCom SIM800 Series AT Command Manual (V1.09), rounded up; a command that outlives its
    /// entry counts as "no answer" and starts the recovery ladder.
    /// </summary>
    public static class Sim800Timeouts
    {
        /// <summary>Plain commands answered from the module's own state (AT, ATE0, CMEE, CMGF, CSQ, CCLK, CIFSR, CREG?).</summary>
        public const int SimpleMs = 2000;
        /// <summary>AT+CPIN?: the SIM can take seconds to answer after power-up.</summary>
        public const int SimStatusMs = 5000;
        /// <summary>AT+CSTT: sets the APN.</summary>
        public const int SetApnMs = 2000;
        /// <summary>AT+CIICR: brings up the wireless connection (manual: 85 s).</summary>
        public const int BringUpMs = 85000;
        /// <summary>AT+CIPSTART until CONNECT OK / CONNECT FAIL (manual: 75 s for the TCP handshake, plus DNS).</summary>
        public const int ConnectMs = 80000;
        /// <summary>AT+CIPSEND until DATA ACCEPT (quick send mode) or SEND OK (normal mode, which waits for the server's TCP acknowledgement).</summary>
        public const int SendMs = 60000;
        /// <summary>Waiting for the '>' prompt after CIPSEND or CMGS.</summary>
        public const int PromptMs = 5000;
        /// <summary>AT+CIPRXGET=3: reads from the module's receive buffer.</summary>
        public const int ReadMs = 2000;
        /// <summary>AT+CIPCLOSE (manual: 1 s in slow close mode; allow more).</summary>
        public const int CloseMs = 5000;
        /// <summary>AT+CIPSHUT (manual: 65 s).</summary>
        public const int ShutMs = 65000;
        /// <summary>AT+CMGS until +CMGS: ref (manual: 60 s).</summary>
        public const int SmsMs = 60000;
        /// <summary>AT+SAPBR=1,1: opens the bearer used by CIPGSMLOC (manual: 85 s).</summary>
        public const int BearerMs = 85000;
        /// <summary>AT+CIPGSMLOC (manual: 60 s).</summary>
        public const int CellLocationMs = 60000;
        /// <summary>ATD…;, ATA and ATH (manual: 20 s each).</summary>
        public const int CallMs = 20000;
        /// <summary>AT+CFUN=1,1 until the module is reachable again.</summary>
        public const int ResetMs = 15000;
        /// <summary>After power-on, how long the module may take before it answers AT.</summary>
        public const int BootMs = 10000;
        /// <summary>PWRKEY low pulse that turns a SIM800 on or off (datasheet: more than 1 s).</summary>
        public const int PowerKeyPulseMs = 1200;
        /// <summary>Supply off time for a power cycle, long enough for the module to lose state.</summary>
        public const int SupplyOffMs = 2000;
    }
}
