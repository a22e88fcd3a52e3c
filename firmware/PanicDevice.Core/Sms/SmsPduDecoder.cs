using System.Text;
using PanicDevice.Core.Config;

namespace PanicDevice.Core.Sms
{
    /// <summary>
    /// Reads SMS-SUBMIT PDUs as written by <see cref="SmsPduEncoder"/> or any other sender: GSM-7 or UCS-2 user
    /// data, any validity-period format, 8- or 16-bit concatenation headers. It sits where a modem sees what the
    /// device sent (emulator, tests), so it answers null to anything malformed instead of throwing.
    /// </summary>
    public static class SmsPduDecoder
    {
        /// <summary>
        /// Decodes a PDU in hex (either case), SMSC field first. Null for odd length, non-hex characters, a
        /// message type other than SMS-SUBMIT, lengths past the end or short of it, and alphabets other than
        /// GSM-7 and UCS-2 (8-bit data, compressed text); <see cref="Decode(string, out string)"/> says which.
        /// </summary>
        public static SmsSubmit Decode(string hex)
        {
            string error;
            return Decode(hex, out error);
        }

        /// <summary>
        /// As <see cref="Decode(string)"/>, with the reason for a null result in <paramref name="error"/>
        /// (naming the field and, where it helps, its octet offset); <paramref name="error"/> is null on success.
        /// </summary>
        public static SmsSubmit Decode(string hex, out string error)
        {
            error = null;
            if (hex == null || hex.Length == 0)
            {
                return Fail("empty PDU", out error);
            }
            if (hex.Length % 2 != 0)
            {
                return Fail("odd number of hex digits (" + hex.Length.ToString() + ")", out error);
            }
            byte[] b = ParseHex(hex);
            if (b == null)
            {
                return Fail("not hex", out error);
            }
            int p = 1 + b[0]; // skip the SMSC field
            if (p + 3 > b.Length)
            {
                return Fail("SMSC length " + b[0].ToString() + " runs past the end", out error);
            }
            int firstOctet = b[p++];
            if ((firstOctet & 0x03) != 0x01)
            {
                return Fail("message type " + (firstOctet & 0x03).ToString() + " is not SMS-SUBMIT", out error);
            }
            bool udhi = (firstOctet & 0x40) != 0;
            int vpf = (firstOctet >> 3) & 0x03;
            p++; // TP-MR

            int digitCount = b[p++];
            if (digitCount > SmsPduEncoder.MaxNumberDigits)
            {
                return Fail("destination has " + digitCount.ToString() + " digits (at most " + SmsPduEncoder.MaxNumberDigits.ToString() + ")", out error);
            }
            if (p + 1 + (digitCount + 1) / 2 > b.Length)
            {
                return Fail("destination address runs past the end", out error);
            }
            int typeOfAddress = b[p++];
            string number = Digits(b, p, digitCount);
            if (number == null)
            {
                return Fail("destination address has a misplaced F filler", out error);
            }
            if ((typeOfAddress & 0x70) == 0x10)
            {
                number = "+" + number;
            }
            p += (digitCount + 1) / 2;

            if (p + 2 > b.Length)
            {
                return Fail("PDU ends before TP-PID and TP-DCS", out error);
            }
            p++; // TP-PID
            int dcs = b[p++];
            int alphabet = Alphabet(dcs);
            if (alphabet < 0)
            {
                return Fail("data coding 0x" + dcs.ToString("X2") + " is neither GSM-7 nor UCS-2", out error);
            }
            // TP-VP: none, relative (1 octet), or enhanced/absolute (7 octets).
            p += vpf == 0 ? 0 : vpf == 2 ? 1 : 7;
            if (p + 1 > b.Length)
            {
                return Fail("PDU ends before TP-UDL", out error);
            }
            int udl = b[p++];
            bool gsm7 = alphabet == 0;
            if (udl > (gsm7 ? 160 : 140))
            {
                return Fail("user data length " + udl.ToString() + " is over " + (gsm7 ? "160 septets" : "140 octets"), out error);
            }
            int udOctets = gsm7 ? (udl * 7 + 7) / 8 : udl;
            if (b.Length - p != udOctets)
            {
                // Trailing bytes mean the length fields and the data disagree: as malformed as missing bytes.
                return Fail("user data is " + (b.Length - p).ToString() + " octets, its length says " + udOctets.ToString(), out error);
            }

            SmsSubmit result = new SmsSubmit();
            result.Number = number;
            result.Dcs = dcs;
            result.ConcatReference = -1;
            result.PartCount = 1;
            result.PartNumber = 1;

            int headerOctets = 0;
            if (udhi)
            {
                if (udOctets < 1)
                {
                    return Fail("user data header flagged but no user data", out error);
                }
                headerOctets = 1 + b[p];
                if (headerOctets > udOctets)
                {
                    return Fail("user data header length " + b[p].ToString() + " runs past the user data", out error);
                }
                if (!ReadHeader(b, p + 1, p + headerOctets, result))
                {
                    return Fail("an information element runs past the user data header", out error);
                }
            }

            if (gsm7)
            {
                // The text starts at the first septet boundary after the header (fill bits in between).
                int skip = (headerOctets * 8 + 6) / 7;
                if (skip > udl)
                {
                    return Fail("user data header is longer than the user data", out error);
                }
                result.Text = Gsm7Text(b, p, skip, udl - skip);
            }
            else
            {
                int textOctets = udOctets - headerOctets;
                if (textOctets % 2 != 0)
                {
                    return Fail("UCS-2 text has an odd number of octets (" + textOctets.ToString() + ")", out error);
                }
                char[] chars = new char[textOctets / 2];
                int o = p + headerOctets;
                for (int i = 0; i < chars.Length; i++)
                {
                    chars[i] = (char)((b[o] << 8) | b[o + 1]);
                    o += 2;
                }
                result.Text = new string(chars);
            }
            return result;
        }

        /// <summary>
        /// The whole text of a message from its decoded parts in any order; null when a part is missing, null
        /// or duplicated, or the parts disagree on reference, part count or number. One unconcatenated part is
        /// its own text.
        /// </summary>
        public static string Join(SmsSubmit[] parts)
        {
            if (parts == null || parts.Length == 0 || parts[0] == null)
            {
                return null;
            }
            if (parts.Length == 1 && !parts[0].IsConcatenated)
            {
                return parts[0].Text;
            }
            SmsSubmit[] ordered = new SmsSubmit[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                SmsSubmit part = parts[i];
                if (part == null || !part.IsConcatenated
                    || part.ConcatReference != parts[0].ConcatReference
                    || part.PartCount != parts.Length
                    || part.Number != parts[0].Number
                    || part.PartNumber < 1 || part.PartNumber > parts.Length
                    || ordered[part.PartNumber - 1] != null)
                {
                    return null;
                }
                ordered[part.PartNumber - 1] = part;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < ordered.Length; i++)
            {
                sb.Append(ordered[i].Text);
            }
            return sb.ToString();
        }

        private static SmsSubmit Fail(string reason, out string error)
        {
            error = reason;
            return null;
        }

        /// <summary>The octets of non-empty, even-length hex; null when a character is not a hex digit.</summary>
        private static byte[] ParseHex(string hex)
        {
            byte[] b = new byte[hex.Length / 2];
            for (int i = 0; i < b.Length; i++)
            {
                int high = JsonReader.HexValue(hex[2 * i]);
                int low = JsonReader.HexValue(hex[2 * i + 1]);
                if (high < 0 || low < 0)
                {
                    return null;
                }
                b[i] = (byte)((high << 4) | low);
            }
            return b;
        }

        /// <summary>Semi-octet digits, low nibble first; F only as the filler of an odd count.</summary>
        private static string Digits(byte[] b, int offset, int count)
        {
            const string symbols = "0123456789*#abc";
            StringBuilder sb = new StringBuilder(count);
            for (int i = 0; i < count; i++)
            {
                int octet = b[offset + i / 2];
                int nibble = i % 2 == 0 ? octet & 0x0F : octet >> 4;
                if (nibble == 0x0F)
                {
                    return null;
                }
                sb.Append(symbols[nibble]);
            }
            if (count % 2 != 0 && (b[offset + count / 2] >> 4) != 0x0F)
            {
                return null;
            }
            return sb.ToString();
        }

        /// <summary>0 for GSM-7, 2 for UCS-2, -1 for anything this decoder cannot turn into text (23.038 4).</summary>
        private static int Alphabet(int dcs)
        {
            if ((dcs & 0x80) == 0)
            {
                // General data coding (00xx) and automatic deletion (01xx): bit 5 compressed, bits 3-2 alphabet.
                if ((dcs & 0x20) != 0)
                {
                    return -1;
                }
                int alphabet = (dcs >> 2) & 0x03;
                return alphabet == 0 || alphabet == 2 ? alphabet : -1;
            }
            if ((dcs & 0xF0) == 0xF0)
            {
                // Data coding/message class: bit 2 clear is GSM-7, set is 8-bit data.
                return (dcs & 0x04) == 0 ? 0 : -1;
            }
            return -1;
        }

        /// <summary>Reads the information elements in b[from..to); false when one runs past the header.</summary>
        private static bool ReadHeader(byte[] b, int from, int to, SmsSubmit result)
        {
            int p = from;
            while (p < to)
            {
                if (p + 2 > to)
                {
                    return false;
                }
                int iei = b[p];
                int length = b[p + 1];
                int data = p + 2;
                if (data + length > to)
                {
                    return false;
                }
                if (iei == 0x00 && length == 3)
                {
                    SetConcat(result, b[data], b[data + 1], b[data + 2]);
                }
                else if (iei == 0x08 && length == 4)
                {
                    SetConcat(result, (b[data] << 8) | b[data + 1], b[data + 2], b[data + 3]);
                }
                p = data + length;
            }
            return true;
        }

        private static void SetConcat(SmsSubmit result, int reference, int total, int sequence)
        {
            result.IsConcatenated = true;
            result.ConcatReference = reference;
            result.PartCount = total;
            result.PartNumber = sequence;
        }

        private static string Gsm7Text(byte[] b, int offset, int skip, int count)
        {
            StringBuilder sb = new StringBuilder(count);
            bool escaped = false;
            for (int i = skip; i < skip + count; i++)
            {
                int bit = i * 7;
                int octet = offset + bit / 8;
                int shift = bit % 8;
                int value = b[octet] >> shift;
                if (shift > 1)
                {
                    value |= b[octet + 1] << (8 - shift);
                }
                value &= 0x7F;
                if (escaped)
                {
                    sb.Append(Gsm7Alphabet.ExtensionCharOf(value));
                    escaped = false;
                }
                else if (value == Gsm7Alphabet.Escape)
                {
                    escaped = true;
                }
                else
                {
                    sb.Append(Gsm7Alphabet.CharOf(value));
                }
            }
            if (escaped)
            {
                // An escape with nothing after it (a sender that split the pair across parts).
                sb.Append(Gsm7Alphabet.CharOf(Gsm7Alphabet.Escape));
            }
            return sb.ToString();
        }
    }
}
