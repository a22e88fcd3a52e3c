using PanicDevice.Core.Location;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Core.Modem
{
    /// <summary>
    /// Reads the SIM800's answer lines. Every parser takes untrusted text and returns a "not understood"
    /// value rather than throwing, because a line may be cut or carry line noise.
    /// </summary>
    internal static class Sim800Replies
    {
        /// <summary>Registration state from "+CREG: n,stat" or "+CGREG: n,stat" (also the URC form "+CREG: stat"); -1 if unreadable.</summary>
        public static int RegistrationStatus(string line)
        {
            int colon = line.IndexOf(':');
            if (colon < 0)
            {
                return -1;
            }
            string[] parts = line.Substring(colon + 1).Trim().Split(',');
            // The query answer is "n,stat[,lac,ci]"; the URC is "stat[,lac,ci]", whose second field is quoted.
            string field = parts.Length >= 2 && parts[1].Length > 0 && parts[1][0] != '"' ? parts[1] : parts[0];
            int stat;
            return int.TryParse(field.Trim(), out stat) && stat >= 0 && stat <= 5 ? stat : -1;
        }

        /// <summary>True for "registered, home network" (1) and "registered, roaming" (5).</summary>
        public static bool IsRegistered(int status)
        {
            return status == 1 || status == 5;
        }

        /// <summary>Signal strength in dBm from "+CSQ: rssi,ber"; 0 when unknown (rssi 99 or unreadable).</summary>
        public static int SignalDbm(string line)
        {
            int colon = line.IndexOf(':');
            int comma = line.IndexOf(',');
            if (colon < 0 || comma < colon)
            {
                return 0;
            }
            int rssi;
            if (!int.TryParse(line.Substring(colon + 1, comma - colon - 1).Trim(), out rssi) || rssi < 0 || rssi > 31)
            {
                return 0;
            }
            // 3GPP TS 27.007: 0 is -113 dBm or less, 31 is -51 dBm or more, 2 dB steps.
            return -113 + 2 * rssi;
        }

        /// <summary>
        /// UTC seconds since 1970 from +CCLK: "yy/MM/dd,hh:mm:ss±zz", where zz is the offset from UTC in
        /// quarter hours. Returns -1 when unreadable or when the clock was never set from the network (a
        /// SIM800 starts at 2004; anything before 2020 is that default, not a time).
        /// </summary>
        public static long ClockUtcSeconds(string line)
        {
            int q = line.IndexOf('"');
            if (q < 0 || line.Length < q + 21)
            {
                return -1;
            }
            string s = line.Substring(q + 1, 20);
            if (s[2] != '/' || s[5] != '/' || s[8] != ',' || s[11] != ':' || s[14] != ':' || (s[17] != '+' && s[17] != '-'))
            {
                return -1;
            }
            int yy = Digits(s, 0, 2), mo = Digits(s, 3, 2), dd = Digits(s, 6, 2);
            int hh = Digits(s, 9, 2), mi = Digits(s, 12, 2), ss = Digits(s, 15, 2), zz = Digits(s, 18, 2);
            if (yy < 20 || mo < 1 || mo > 12 || dd < 1 || dd > 31 || hh > 23 || mi > 59 || ss > 59 || zz < 0 || zz > 56)
            {
                return -1;
            }
            long local = DaysFromCivil(2000 + yy, mo, dd) * 86400L + hh * 3600L + mi * 60L + ss;
            long offset = zz * 900L;
            return s[17] == '+' ? local - offset : local + offset;
        }

        /// <summary>
        /// A cell-based position from "+CIPGSMLOC: 0,lon,lat,date,time" (longitude first, as the manual
        /// orders it). Null when the locate code is not 0 or the numbers are unreadable. The module reports
        /// no accuracy, so none is claimed.
        /// </summary>
        public static LocationFix CellLocation(string line, long nowMs)
        {
            int colon = line.IndexOf(':');
            if (colon < 0)
            {
                return null;
            }
            string[] parts = line.Substring(colon + 1).Trim().Split(',');
            if (parts.Length < 3 || parts[0].Trim() != "0")
            {
                return null;
            }
            long lon = DegreesE7(parts[1]);
            long lat = DegreesE7(parts[2]);
            if (lon == long.MinValue || lat == long.MinValue || lat < -900000000 || lat > 900000000 || lon < -1800000000 || lon > 1800000000)
            {
                return null;
            }
            LocationFix fix = new LocationFix();
            fix.LatitudeE7 = (int)lat;
            fix.LongitudeE7 = (int)lon;
            fix.AccuracyM = -1;
            fix.FixAtMs = nowMs;
            fix.Source = LocationSource.Cell;
            return fix;
        }

        /// <summary>
        /// Reads "+CIPRXGET: 3,cnflength,remaining" (the answer to AT+CIPRXGET=3,n); returns false if it is not that.
        /// </summary>
        public static bool ReceiveHeader(string line, out int length, out int remaining)
        {
            length = 0;
            remaining = 0;
            if (!line.StartsWith("+CIPRXGET: 3,"))
            {
                return false;
            }
            string[] parts = line.Substring(13).Split(',');
            return parts.Length == 2 && int.TryParse(parts[0].Trim(), out length) && int.TryParse(parts[1].Trim(), out remaining)
                && length >= 0 && remaining >= 0;
        }

        /// <summary>Decodes hex text into the buffer; returns the byte count, or -1 if the text is not whole hex or does not fit.</summary>
        public static int Hex(string text, byte[] buffer, int offset)
        {
            if ((text.Length & 1) != 0 || offset + text.Length / 2 > buffer.Length)
            {
                return -1;
            }
            for (int i = 0; i < text.Length; i += 2)
            {
                int hi = Nibble(text[i]);
                int lo = Nibble(text[i + 1]);
                if (hi < 0 || lo < 0)
                {
                    return -1;
                }
                buffer[offset + i / 2] = (byte)((hi << 4) | lo);
            }
            return text.Length / 2;
        }

        /// <summary>A number the module may dial or text: up to 21 digits, an optional leading '+'; nothing an AT line could misread.</summary>
        public static bool IsDialable(string number)
        {
            if (number == null || number.Length == 0 || number.Length > 21)
            {
                return false;
            }
            for (int i = 0; i < number.Length; i++)
            {
                char c = number[i];
                if (!(c >= '0' && c <= '9') && !(c == '+' && i == 0))
                {
                    return false;
                }
            }
            return number != "+";
        }

        /// <summary>The text between the quotes of a field ("\"+62812\"" gives +62812); the field itself when unquoted.</summary>
        public static string Unquote(string field)
        {
            if (field.Length >= 2 && field[0] == '"' && field[field.Length - 1] == '"')
            {
                return field.Substring(1, field.Length - 2);
            }
            return field;
        }

        /// <summary>The n-th quoted field of a line such as +CLIP: "+62812",145,"",0 ("" when there is none).</summary>
        public static string QuotedField(string line, int n)
        {
            int start = -1;
            for (int i = 0; i <= n; i++)
            {
                start = line.IndexOf('"', start + 1);
                if (start < 0)
                {
                    return "";
                }
                int end = line.IndexOf('"', start + 1);
                if (end < 0)
                {
                    return "";
                }
                if (i == n)
                {
                    return line.Substring(start + 1, end - start - 1);
                }
                start = end;
            }
            return "";
        }

        /// <summary>
        /// True when the text can go inside an AT command's double quotes: the SIM800 has no escape for '"',
        /// so an APN or password with one would end the string early and change the command.
        /// </summary>
        public static bool IsQuotable(string text)
        {
            if (text == null)
            {
                return false;
            }
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '"' || c < 0x20 || c > 0x7E)
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>Days from 1970-01-01 to the civil date (proleptic Gregorian; H. Hinnant's algorithm).</summary>
        public static long DaysFromCivil(int y, int m, int d)
        {
            y -= m <= 2 ? 1 : 0;
            int era = (y >= 0 ? y : y - 399) / 400;
            int yoe = y - era * 400;
            int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
            int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return era * 146097L + doe - 719468;
        }

        private static int Digits(string s, int start, int count)
        {
            int v = 0;
            for (int i = start; i < start + count; i++)
            {
                char c = s[i];
                if (c < '0' || c > '9')
                {
                    return -1000;
                }
                v = v * 10 + (c - '0');
            }
            return v;
        }

        /// <summary>"-6.1753924" → -61753924 (1e-7 degrees), exactly, without floating point; long.MinValue when unreadable.</summary>
        private static long DegreesE7(string text)
        {
            string t = text.Trim();
            bool negative = t.Length > 0 && t[0] == '-';
            int i = negative ? 1 : 0;
            long whole = 0;
            int wholeDigits = 0;
            while (i < t.Length && t[i] >= '0' && t[i] <= '9' && wholeDigits < 4)
            {
                whole = whole * 10 + (t[i] - '0');
                i++;
                wholeDigits++;
            }
            if (wholeDigits == 0)
            {
                return long.MinValue;
            }
            long fraction = 0;
            int places = 0;
            if (i < t.Length && t[i] == '.')
            {
                i++;
                while (i < t.Length && t[i] >= '0' && t[i] <= '9')
                {
                    if (places < 7)
                    {
                        fraction = fraction * 10 + (t[i] - '0');
                        places++;
                    }
                    i++;
                }
            }
            if (i != t.Length)
            {
                return long.MinValue;
            }
            while (places < 7)
            {
                fraction *= 10;
                places++;
            }
            long v = whole * 10000000L + fraction;
            return negative ? -v : v;
        }

        private static int Nibble(char c)
        {
            if (c >= '0' && c <= '9')
            {
                return c - '0';
            }
            if (c >= 'A' && c <= 'F')
            {
                return c - 'A' + 10;
            }
            if (c >= 'a' && c <= 'f')
            {
                return c - 'a' + 10;
            }
            return -1;
        }
    }
}
