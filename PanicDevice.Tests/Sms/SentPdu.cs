using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Sms
{
    /// <summary>
    /// Reads back what the encoder put on the air: each part decoded on its own (as a phone without
    /// concatenation shows it), the TP-UDL and user-data fields straight from the hex. Shared by the SMS tests.
    /// </summary>
    public static class SentPdu
    {
        /// <summary>The part decoded alone; fails the test with the decoder's reason when it refuses it.</summary>
        public static SmsSubmit Decode(SmsPdu pdu)
        {
            string error;
            SmsSubmit decoded = SmsPduDecoder.Decode(pdu.Hex, out error);
            Assert.IsNotNull(decoded, "decoder rejected " + pdu.Hex + ": " + error);
            return decoded;
        }

        /// <summary>Every part decoded alone, in order.</summary>
        public static SmsSubmit[] DecodeAll(SmsPdu[] parts)
        {
            SmsSubmit[] decoded = new SmsSubmit[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                decoded[i] = Decode(parts[i]);
            }
            return decoded;
        }

        /// <summary>TP-UDL: septets for GSM-7, octets for UCS-2, header included.</summary>
        public static int Udl(SmsPdu pdu)
        {
            return Hex.Bytes(pdu.Hex.Substring(UdlAt(pdu), 2))[0];
        }

        /// <summary>The user data in hex, less the first <paramref name="udhOctets"/> octets.</summary>
        public static string Ud(SmsPdu pdu, int udhOctets)
        {
            return pdu.Hex.Substring(UdlAt(pdu) + 2 + 2 * udhOctets);
        }

        /// <summary>
        /// The UCS-2 text octets of all parts in order, concatenation headers left out: exactly the code units a
        /// phone receives, whatever our own decoder makes of them.
        /// </summary>
        public static string Ucs2TextHex(SmsPdu[] parts)
        {
            string all = "";
            for (int i = 0; i < parts.Length; i++)
            {
                all += Ud(parts[i], parts.Length > 1 ? 6 : 0);
            }
            return all;
        }

        /// <summary>Upper-case UTF-16 big-endian hex of a string's code units.</summary>
        public static string Ucs2Hex(string text)
        {
            // ToCharArray, not the indexer: nanoFramework's indexer returns the high surrogate at a low one's index.
            char[] units = text.ToCharArray();
            string hex = "";
            for (int i = 0; i < units.Length; i++)
            {
                hex += ((int)units[i]).ToString("X4");
            }
            return hex;
        }

        // Hex offset of TP-UDL: SMSC length (00), first octet, MR, address length, type, address, PID, DCS, VP.
        private static int UdlAt(SmsPdu pdu)
        {
            int digits = Hex.Bytes(pdu.Hex.Substring(6, 2))[0];
            return 2 * (1 + 1 + 1 + 1 + 1 + (digits + 1) / 2 + 1 + 1 + 1);
        }
    }
}
