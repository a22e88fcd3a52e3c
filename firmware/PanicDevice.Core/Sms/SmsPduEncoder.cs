using System;
using System.Text;

namespace PanicDevice.Core.Sms
{
    /// <summary>
    /// Builds SMS-SUBMIT PDUs (3GPP TS 23.040 9.2.2.2) for AT+CMGS in PDU mode. GSM-7 when every character is in
    /// the default alphabet or its extension table, otherwise UCS-2, so a name is delivered exactly as configured.
    /// Long text becomes a concatenated SMS (8-bit reference UDH); a part never ends inside an escape sequence
    /// or a surrogate pair, so each part also reads correctly on its own.
    /// </summary>
    public static class SmsPduEncoder
    {
        /// <summary>
        /// Most parts one message may use. An alert SMS that long is a configuration mistake, and each part costs
        /// airtime and credit on a prepaid SIM.
        /// </summary>
        public const int MaxParts = 6;

        /// <summary>Most digits an address can hold (TP-DA is at most 12 octets: 10 of them semi-octets).</summary>
        public const int MaxNumberDigits = 20;

        /// <summary>GSM-7 septets in a message that fits one SMS.</summary>
        public const int SingleGsm7Septets = 160;

        /// <summary>GSM-7 septets per part of a concatenated SMS (140 octets less 6 of UDH and 1 fill bit).</summary>
        public const int PartGsm7Septets = 153;

        /// <summary>UTF-16 code units in a UCS-2 message that fits one SMS.</summary>
        public const int SingleUcs2Units = 70;

        /// <summary>UTF-16 code units per part of a concatenated UCS-2 SMS (134 octets after the UDH).</summary>
        public const int PartUcs2Units = 67;

        /// <summary>TP-DCS for the GSM 7-bit default alphabet.</summary>
        public const int DcsGsm7 = 0x00;

        /// <summary>TP-DCS for UCS-2 (UTF-16 big-endian code units).</summary>
        public const int DcsUcs2 = 0x08;

        private const int UdhOctets = 6; // UDHL 05, IEI 00, IEDL 03, ref, total, seq
        private const int UdhSeptets = 7; // 48 header bits + 1 fill bit
        private const char Replacement = '\uFFFD';

        /// <summary>
        /// The PDUs for <paramref name="text"/> to <paramref name="number"/>, one per part in order.
        /// <paramref name="reference"/> tells this message's parts from another's (only its low 8 bits are sent);
        /// a lone UTF-16 surrogate, which no phone can show, is sent as U+FFFD.
        /// </summary>
        /// <exception cref="ArgumentException">
        /// the number is empty, holds anything but an optional leading '+' and digits, or has more than
        /// <see cref="MaxNumberDigits"/> digits; or the text needs more than <see cref="MaxParts"/> parts.
        /// </exception>
        public static SmsPdu[] Encode(string number, string text, int reference)
        {
            string digits = CheckNumber(number);
            bool international = number[0] == '+';
            if (text == null)
            {
                throw new ArgumentNullException("text");
            }
            bool gsm7 = Gsm7Alphabet.CanEncode(text);
            // The UTF-16 units come from ToCharArray, never from the indexer: on nanoFramework text[i] at a low
            // surrogate returns the high surrogate of its pair (nf-interpreter corlib_native_System_String.cpp,
            // get_Chars), which would send every emoji as two U+FFFD. ToCharArray converts the whole string exactly.
            char[] units = text.ToCharArray();
            if (!gsm7)
            {
                ReplaceLoneSurrogates(units);
            }

            int partCount = Split(units, gsm7, null);
            if (partCount > MaxParts)
            {
                throw new ArgumentException("SMS text needs " + partCount.ToString() + " parts, more than the limit of "
                    + MaxParts.ToString() + " (" + (gsm7 ? "GSM-7, " : "UCS-2, ") + text.Length.ToString() + " characters)");
            }
            int[] starts = new int[partCount + 1];
            Split(units, gsm7, starts);
            starts[partCount] = units.Length;

            SmsPdu[] parts = new SmsPdu[partCount];
            for (int p = 0; p < partCount; p++)
            {
                byte[] header = null;
                if (partCount > 1)
                {
                    header = new byte[] { 0x05, 0x00, 0x03, (byte)(reference & 0xFF), (byte)partCount, (byte)(p + 1) };
                }
                int udl;
                byte[] ud = gsm7
                    ? Gsm7UserData(units, starts[p], starts[p + 1], header, out udl)
                    : Ucs2UserData(units, starts[p], starts[p + 1], header, out udl);
                byte[] pdu = Pdu(digits, international, gsm7 ? DcsGsm7 : DcsUcs2, header != null, udl, ud);
                parts[p] = new SmsPdu(Hex(pdu), pdu.Length - 1, p + 1, partCount);
            }
            return parts;
        }

        /// <summary>The digits of a valid number (without '+'); throws otherwise.</summary>
        private static string CheckNumber(string number)
        {
            if (number == null || number.Length == 0)
            {
                throw new ArgumentException("SMS number is empty", "number");
            }
            int first = number[0] == '+' ? 1 : 0;
            int count = number.Length - first;
            if (count == 0)
            {
                throw new ArgumentException("SMS number has no digits", "number");
            }
            if (count > MaxNumberDigits)
            {
                throw new ArgumentException("SMS number has " + count.ToString() + " digits, more than "
                    + MaxNumberDigits.ToString(), "number");
            }
            for (int i = first; i < number.Length; i++)
            {
                char c = number[i];
                if (c < '0' || c > '9')
                {
                    // Spaces, dashes and brackets are rejected rather than dropped: a configured number should
                    // be exactly what is dialled, and the configuration tool normalises it.
                    throw new ArgumentException("SMS number may hold only a leading '+' and digits", "number");
                }
            }
            return number.Substring(first);
        }

        /// <summary>
        /// Counts the parts of <paramref name="text"/> and, when <paramref name="starts"/> is given, writes each
        /// part's first character index. Splitting is by whole characters: an extension character (2 septets)
        /// or a surrogate pair (2 code units) that would straddle a boundary starts the next part instead.
        /// </summary>
        private static int Split(char[] text, bool gsm7, int[] starts)
        {
            int single = gsm7 ? SingleGsm7Septets : SingleUcs2Units;
            int perPart = gsm7 ? PartGsm7Septets : PartUcs2Units;
            if (starts != null)
            {
                starts[0] = 0;
            }
            int total = gsm7 ? Gsm7Septets(text, 0, text.Length) : text.Length;
            if (total <= single)
            {
                return 1;
            }
            int count = 1;
            int used = 0;
            int i = 0;
            while (i < text.Length)
            {
                int cost = gsm7 ? Gsm7Cost(text[i]) : Ucs2Cost(text, i);
                if (used + cost > perPart)
                {
                    if (starts != null)
                    {
                        starts[count] = i;
                    }
                    count++;
                    used = 0;
                }
                used += cost;
                // A surrogate pair moves as one: cost 2 covers two chars, an escape's cost 2 covers one.
                i += gsm7 ? 1 : cost;
            }
            return count;
        }

        private static int Gsm7Cost(char c)
        {
            return Gsm7Alphabet.CodeOf(c) >= 0 ? 1 : 2;
        }

        private static int Gsm7Septets(char[] text, int from, int to)
        {
            int count = 0;
            for (int i = from; i < to; i++)
            {
                count += Gsm7Cost(text[i]);
            }
            return count;
        }

        private static int Ucs2Cost(char[] text, int i)
        {
            return IsHighSurrogate(text[i]) && i + 1 < text.Length && IsLowSurrogate(text[i + 1]) ? 2 : 1;
        }

        private static bool IsHighSurrogate(char c)
        {
            return c >= '\uD800' && c <= '\uDBFF';
        }

        private static bool IsLowSurrogate(char c)
        {
            return c >= '\uDC00' && c <= '\uDFFF';
        }

        private static void ReplaceLoneSurrogates(char[] text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (IsHighSurrogate(c) && i + 1 < text.Length && IsLowSurrogate(text[i + 1]))
                {
                    i++;
                }
                else if (IsHighSurrogate(c) || IsLowSurrogate(c))
                {
                    text[i] = Replacement;
                }
            }
        }

        /// <summary>
        /// Packs text[from..to) as septets after an optional UDH. With a UDH the text starts at septet 7 (bit
        /// 49): receivers that ignore the header still find the text on a septet boundary. UDL counts septets,
        /// header and fill included.
        /// </summary>
        private static byte[] Gsm7UserData(char[] text, int from, int to, byte[] header, out int udl)
        {
            int skip = header == null ? 0 : UdhSeptets;
            udl = skip + Gsm7Septets(text, from, to);
            byte[] ud = new byte[(udl * 7 + 7) / 8];
            if (header != null)
            {
                Array.Copy(header, 0, ud, 0, header.Length);
            }
            int septet = skip;
            for (int i = from; i < to; i++)
            {
                int code = Gsm7Alphabet.CodeOf(text[i]);
                if (code < 0)
                {
                    PutSeptet(ud, septet++, Gsm7Alphabet.Escape);
                    code = Gsm7Alphabet.ExtensionCodeOf(text[i]);
                }
                PutSeptet(ud, septet++, code);
            }
            return ud;
        }

        /// <summary>Septet n occupies bits 7n..7n+6, least significant bit first (23.038 6.1.2.1.1).</summary>
        private static void PutSeptet(byte[] ud, int index, int value)
        {
            int bit = index * 7;
            int octet = bit / 8;
            int shift = bit % 8;
            ud[octet] = (byte)(ud[octet] | ((value << shift) & 0xFF));
            if (shift > 1)
            {
                ud[octet + 1] = (byte)(ud[octet + 1] | (value >> (8 - shift)));
            }
        }

        /// <summary>Text[from..to) as UTF-16 big-endian after an optional UDH; UDL counts octets.</summary>
        private static byte[] Ucs2UserData(char[] text, int from, int to, byte[] header, out int udl)
        {
            int skip = header == null ? 0 : header.Length;
            udl = skip + (to - from) * 2;
            byte[] ud = new byte[udl];
            if (header != null)
            {
                Array.Copy(header, 0, ud, 0, header.Length);
            }
            int o = skip;
            for (int i = from; i < to; i++)
            {
                char c = text[i];
                ud[o++] = (byte)(c >> 8);
                ud[o++] = (byte)(c & 0xFF);
            }
            return ud;
        }

        /// <summary>SMSC field (empty) and the SMS-SUBMIT TPDU.</summary>
        private static byte[] Pdu(string digits, bool international, int dcs, bool udhi, int udl, byte[] ud)
        {
            int addressOctets = (digits.Length + 1) / 2;
            byte[] b = new byte[1 + 4 + addressOctets + 4 + ud.Length];
            int p = 0;
            b[p++] = 0x00; // SMSC length 0: the SIM's service centre
            // TP-MTI SMS-SUBMIT, TP-VPF relative; TP-UDHI when a header leads the user data.
            b[p++] = (byte)(udhi ? 0x51 : 0x11);
            b[p++] = 0x00; // TP-MR: the modem assigns the reference
            b[p++] = (byte)digits.Length;
            b[p++] = (byte)(international ? 0x91 : 0x81);
            for (int i = 0; i < digits.Length; i += 2)
            {
                int low = digits[i] - '0';
                int high = i + 1 < digits.Length ? digits[i + 1] - '0' : 0x0F;
                b[p++] = (byte)((high << 4) | low);
            }
            b[p++] = 0x00; // TP-PID: plain SMS
            b[p++] = (byte)dcs;
            // TP-VP 4 days: an alert that arrives later than that only confuses; a phone off for a weekend
            // still receives it.
            b[p++] = 0xAA;
            b[p++] = (byte)udl;
            Array.Copy(ud, 0, b, p, ud.Length);
            return b;
        }

        private static string Hex(byte[] pdu)
        {
            const string digits = "0123456789ABCDEF";
            StringBuilder sb = new StringBuilder(pdu.Length * 2);
            for (int i = 0; i < pdu.Length; i++)
            {
                sb.Append(digits[pdu[i] >> 4]).Append(digits[pdu[i] & 0x0F]);
            }
            return sb.ToString();
        }
    }
}
