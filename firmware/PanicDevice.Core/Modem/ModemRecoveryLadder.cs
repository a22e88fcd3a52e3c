namespace PanicDevice.Core.Modem
{
    /// <summary>What the driver does next to get a failing modem back.</summary>
    public enum ModemRecoveryStep
    {
        /// <summary>Try the same thing again.</summary>
        Retry = 0,
        /// <summary>Tear down the data connection (AT+CIPSHUT) and bring GPRS up again.</summary>
        Reattach = 1,
        /// <summary>Reboot the module (AT+CFUN=1,1).</summary>
        Reset = 2,
        /// <summary>Cut the module's power (or pulse PWRKEY off and on where the supply is not switchable).</summary>
        PowerCycle = 3,
    }

    /// <summary>Why a modem step failed, which decides how far up the ladder to go.</summary>
    public enum ModemFailure
    {
        /// <summary>GPRS bring-up or a TCP connection failed with an answer from the module (network side).</summary>
        Data = 0,
        /// <summary>The module did not register on the network in time.</summary>
        Registration = 1,
        /// <summary>The module did not answer at all.</summary>
        NoAnswer = 2,
        /// <summary>
        /// The server could not be reached (CONNECT FAIL). Usually the far end, not the module, so this never
        /// climbs past a re-attach: rebooting the modem would only delay the SMS fallback.
        /// </summary>
        Connect = 3,
    }

    /// <summary>
    /// The recovery ladder: cheap steps first, and only a repeated failure climbs to the next rung. Network
    /// trouble retries, then re-attaches GPRS, then resets the module, then power-cycles it; failed
    /// registration resets, then power-cycles; a module that stops answering is power-cycled at once (it
    /// cannot be told to reset). A success anywhere returns to the bottom.
    /// </summary>
    public class ModemRecoveryLadder
    {
        /// <summary>Data failures before a re-attach.</summary>
        public const int RetriesBeforeReattach = 2;
        /// <summary>Re-attaches before a reset.</summary>
        public const int ReattachesBeforeReset = 2;

        private int dataFailures;
        private int reattaches;
        private int resets;

        /// <summary>Resets, power cycles and re-attaches done so far, for diagnostics.</summary>
        public int Reattaches { get; private set; }

        /// <summary>Module resets ordered so far.</summary>
        public int Resets { get; private set; }

        /// <summary>Power cycles ordered so far.</summary>
        public int PowerCycles { get; private set; }

        /// <summary>Records a failure and says what to do.</summary>
        public ModemRecoveryStep OnFailure(ModemFailure failure)
        {
            if (failure == ModemFailure.NoAnswer)
            {
                return PowerCycle(); // a module that does not answer cannot be told to reset
            }
            if (failure == ModemFailure.Registration)
            {
                return resets > 0 ? PowerCycle() : Reset();
            }
            dataFailures++;
            if (dataFailures <= RetriesBeforeReattach)
            {
                return ModemRecoveryStep.Retry;
            }
            dataFailures = 0;
            if (failure == ModemFailure.Connect)
            {
                Reattaches++;
                return ModemRecoveryStep.Reattach;
            }
            if (reattaches < ReattachesBeforeReset)
            {
                reattaches++;
                Reattaches++;
                return ModemRecoveryStep.Reattach;
            }
            return Escalate();
        }

        /// <summary>The step worked: start again from the bottom next time.</summary>
        public void OnSuccess()
        {
            dataFailures = 0;
            reattaches = 0;
            resets = 0;
        }

        private ModemRecoveryStep Escalate()
        {
            return resets > 0 ? PowerCycle() : Reset();
        }

        private ModemRecoveryStep Reset()
        {
            resets++;
            Resets++;
            reattaches = 0;
            return ModemRecoveryStep.Reset;
        }

        private ModemRecoveryStep PowerCycle()
        {
            PowerCycles++;
            resets = 0;
            reattaches = 0;
            return ModemRecoveryStep.PowerCycle;
        }
    }
}
