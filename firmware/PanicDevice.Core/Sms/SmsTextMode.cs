namespace PanicDevice.Core.Sms
{
    /// <summary>
    /// Whether a message can go in the modem's text mode (AT+CMGF=1, character set IRA), the simple path the
    /// SIM800 manual documents. Only characters that IRA and the GSM-7 default alphabet agree on qualify:
    /// '@', '$' and '_' sit at different codes in the two and are converted differently across firmware
    /// versions, and the extension characters need escapes text mode cannot express. Everything else, and
    /// anything longer than one SMS, goes in PDU mode, where the bytes are exactly the ones encoded here.
    /// </summary>
    public static class SmsTextMode
    {
        /// <summary>Characters per single GSM-7 SMS.</summary>
        public const int MaxLength = 160;

        private const string Safe = " !\"#%&'()*+,-./:;<=>?";

        /// <summary>True when the text can be sent as one text-mode SMS.</summary>
        public static bool Fits(string text)
        {
            if (text == null || text.Length > MaxLength)
            {
                return false;
            }
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || Safe.IndexOf(c) >= 0)
                {
                    continue;
                }
                return false;
            }
            return true;
        }
    }
}
