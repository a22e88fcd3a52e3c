namespace PanicDevice.Core.Modem
{
    /// <summary>How the device reaches the network through its SIM800.</summary>
    public class Sim800Settings
    {
        /// <summary>The operator's GPRS access point name.</summary>
        public string Apn = "internet";

        /// <summary>APN user name ("" when the operator needs none).</summary>
        public string ApnUser = "";

        /// <summary>APN password ("" when the operator needs none). Never logged.</summary>
        public string ApnPassword = "";

        /// <summary>How long to wait for network registration before resetting the module.</summary>
        public int RegistrationTimeoutMs = 60000;

        /// <summary>How often registration is asked while waiting for it.</summary>
        public int RegistrationPollMs = 2000;

        /// <summary>How often, while connected, the receive buffer is read even without a +CIPRXGET: 1 notice (one lost URC must not strand an acknowledgement).</summary>
        public int ReceivePollMs = 1000;

        /// <summary>How often the signal strength is refreshed.</summary>
        public int SignalPollMs = 60000;

        /// <summary>Opens the SAPBR bearer and allows <see cref="Sim800Modem.RequestCellLocation"/> (AT+CIPGSMLOC).</summary>
        public bool CellLocation = false;

        /// <summary>Sets the module up for voice calls (caller id, call reports, DTMF keys, silent ringer) once it is ready.</summary>
        public bool Voice = false;

        /// <summary>Microphone gain for calls, 0–15 (AT+CMIC; the module's default is 10).</summary>
        public int MicGain = 10;

        /// <summary>Speaker level, 0–100, for a call placed with the speaker on (AT+CLVL); silent calls use 0.</summary>
        public int SpeakerVolume = 80;

        /// <summary>Checks the settings; returns null when usable, otherwise what is wrong (without the password's value).</summary>
        public string Validate()
        {
            if (Apn == null || Apn.Length == 0 || !Sim800Replies.IsQuotable(Apn))
            {
                return "apn must be printable ASCII without '\"'";
            }
            if (!Sim800Replies.IsQuotable(ApnUser))
            {
                return "apn user must be printable ASCII without '\"'";
            }
            if (!Sim800Replies.IsQuotable(ApnPassword))
            {
                return "apn password must be printable ASCII without '\"'";
            }
            if (RegistrationTimeoutMs < 1000 || RegistrationPollMs < 100 || ReceivePollMs < 50 || SignalPollMs < 1000)
            {
                return "modem timing values are too small";
            }
            if (MicGain < 0 || MicGain > 15 || SpeakerVolume < 0 || SpeakerVolume > 100)
            {
                return "microphone gain must be 0-15 and speaker volume 0-100";
            }
            return null;
        }
    }
}
