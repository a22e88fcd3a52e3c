
namespace PanicDevice.Core.Calls
{
    /// <summary>
    /// How a device calls for help by voice (device.json "calls"; docs/delivery.md, Calls). Defaults live here and only here.
    /// </summary>
    public class CallOptions
    {
        /// <summary>Calls are made at all (a module, a microphone and a SIM with voice are needed).</summary>
        public bool Enabled = false;
        /// <summary>The emergency number (device.json emergencyNumber) is called, not only texted. A test alert never calls it.</summary>
        public bool CallEmergency = true;
        /// <summary>Calls start with the press; otherwise once the SMS fallback has gone out (the data path did not answer).</summary>
        public bool AtOnce = false;
        /// <summary>An answered emergency call is kept open, microphone on, this long (or until the far end hangs up).</summary>
        public int EmergencyHoldS = 180;
        /// <summary>A call not answered within this is hung up and counts as no answer.</summary>
        public int RingS = 30;
        /// <summary>After a guardian answers, this long to press <see cref="ConfirmKey"/>; no key (a voicemail) is no confirmation.</summary>
        public int ConfirmS = 20;
        /// <summary>The DTMF key that confirms a guardian has the call.</summary>
        public string ConfirmKey = "1";
        /// <summary>After a guardian confirms, the line stays open this long (or until they hang up).</summary>
        public int GuardianHoldS = 300;
        /// <summary>Times the list (emergency number, then guardians in order) is gone through before giving up.</summary>
        public int Rounds = 3;
        /// <summary>Pause between rounds.</summary>
        public int RoundPauseS = 20;
        /// <summary>Pause between two calls, in which frames and their retries use the module.</summary>
        public int GapS = 5;
        /// <summary>A call ended because a new alert or cancel frame had to go is placed again after this long.</summary>
        public int YieldS = 20;
        /// <summary>Two-way audio on calls the device places; off, the far end hears the scene and the device says nothing. Never on a hold-up or after a duress cancel.</summary>
        public bool Speaker = false;
        /// <summary>Calls from the guardians and <see cref="CallBackNumbers"/> are answered silently while an alert is open and <see cref="ListenInAfterS"/> after; every other call is refused.</summary>
        public bool ListenIn = false;
        /// <summary>Numbers besides the guardians that may listen in (the command centre's lines).</summary>
        public string[] CallBackNumbers = new string[0];
        /// <summary>How long after an alert closed its guardians and the command centre may still listen in.</summary>
        public int ListenInAfterS = 1800;

        /// <summary>Microphone gain on calls, 0–15 (the modem's AT+CMIC).</summary>
        public int MicGain = 10;
        /// <summary>Speaker level, 0–100, for calls with <see cref="Speaker"/> on (the modem's AT+CLVL).</summary>
        public int SpeakerVolume = 80;

        /// <summary>The first problem with these options, or null.</summary>
        public string Validate()
        {
            if (EmergencyHoldS < 10 || EmergencyHoldS > 3600 || RingS < 5 || RingS > 120 || ConfirmS < 3 || ConfirmS > 120
                || GuardianHoldS < 10 || GuardianHoldS > 3600 || RoundPauseS < 0 || RoundPauseS > 600 || GapS < 0 || GapS > 120
                || YieldS < 1 || YieldS > 600 || ListenInAfterS < 0 || ListenInAfterS > 86400)
            {
                return "call timings are out of range";
            }
            if (MicGain < 0 || MicGain > 15 || SpeakerVolume < 0 || SpeakerVolume > 100)
            {
                return "micGain must be 0-15 and speakerVolume 0-100";
            }
            if (Rounds < 1 || Rounds > 10)
            {
                return "call rounds must be 1-10";
            }
            if (ConfirmKey == null || ConfirmKey.Length != 1 || "0123456789*#".IndexOf(ConfirmKey) < 0)
            {
                return "confirmKey must be one of 0-9, * or #";
            }
            if (CallBackNumbers == null || CallBackNumbers.Length > 8)
            {
                return "callBackNumbers must be a list of at most 8 phone numbers";
            }
            for (int i = 0; i < CallBackNumbers.Length; i++)
            {
                if (!PanicDevice.Core.Config.PhoneNumbers.IsValid(CallBackNumbers[i]))
                {
                    return "callBackNumbers[" + i.ToString() + "] must be a phone number";
                }
            }
            return null;
        }
    }
}
