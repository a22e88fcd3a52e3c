namespace PanicDevice.Core.Sms
{
    /// <summary>
    /// One part of an SMS-SUBMIT in PDU mode, ready for <c>AT+CMGS=&lt;TpduLength&gt;</c> followed by
    /// <see cref="Hex"/> and Ctrl-Z.
    /// </summary>
    public class SmsPdu
    {
        /// <summary>Creates a part; <see cref="SmsPduEncoder"/> is the usual source.</summary>
        public SmsPdu(string hex, int tpduLength, int partNumber, int partCount)
        {
            Hex = hex;
            TpduLength = tpduLength;
            PartNumber = partNumber;
            PartCount = partCount;
        }

        /// <summary>
        /// The whole PDU as uppercase hex. It starts with "00": an empty SMSC field, so the modem uses the
        /// service centre stored on the SIM, which is the one the operator keeps correct.
        /// </summary>
        public string Hex { get; }

        /// <summary>Octets after the SMSC field: the length AT+CMGS takes in PDU mode (not the hex length).</summary>
        public int TpduLength { get; }

        /// <summary>1-based position of this part in the message.</summary>
        public int PartNumber { get; }

        /// <summary>Number of parts in the message (1 when it is not concatenated).</summary>
        public int PartCount { get; }
    }
}
