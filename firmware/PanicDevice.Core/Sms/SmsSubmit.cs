namespace PanicDevice.Core.Sms
{
    /// <summary>What one SMS-SUBMIT PDU says: where it goes, how it is coded, its text and its place in a concatenated message.</summary>
    public class SmsSubmit
    {
        /// <summary>Destination address: digits, with a leading '+' when the type of number is international.</summary>
        public string Number { get; internal set; }

        /// <summary>TP-DCS as sent.</summary>
        public int Dcs { get; internal set; }

        /// <summary>The text of this part alone.</summary>
        public string Text { get; internal set; }

        /// <summary>True when a concatenation header (IEI 00 or 08) is present.</summary>
        public bool IsConcatenated { get; internal set; }

        /// <summary>Concatenation reference (8 or 16 bits as sent), or -1 when not concatenated.</summary>
        public int ConcatReference { get; internal set; }

        /// <summary>Parts in the whole message; 1 when not concatenated.</summary>
        public int PartCount { get; internal set; }

        /// <summary>1-based position of this part; 1 when not concatenated.</summary>
        public int PartNumber { get; internal set; }
    }
}
