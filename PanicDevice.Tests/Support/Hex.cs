using System.Text;

namespace PanicDevice.Tests.Support
{
    /// <summary>Hex and ASCII for test data, in the nanoFramework subset (no Convert.ToHexString there).</summary>
    public static class Hex
    {
        private const string Digits = "0123456789abcdef";

        /// <summary>Lower-case hex of every byte.</summary>
        public static string Of(byte[] bytes)
        {
            return Of(bytes, 0, bytes.Length);
        }

        /// <summary>Lower-case hex of <paramref name="count"/> bytes from <paramref name="offset"/>.</summary>
        public static string Of(byte[] bytes, int offset, int count)
        {
            StringBuilder sb = new StringBuilder(count * 2);
            for (int i = offset; i < offset + count; i++)
            {
                sb.Append(Digits[bytes[i] >> 4]).Append(Digits[bytes[i] & 0xF]);
            }
            return sb.ToString();
        }

        /// <summary>Bytes from hex digits (either case); white space between digits is ignored.</summary>
        public static byte[] Bytes(string hex)
        {
            StringBuilder digits = new StringBuilder(hex.Length);
            for (int i = 0; i < hex.Length; i++)
            {
                char c = hex[i];
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
                {
                    digits.Append(c);
                }
            }
            string s = digits.ToString();
            byte[] b = new byte[s.Length / 2];
            for (int i = 0; i < b.Length; i++)
            {
                b[i] = (byte)((Nibble(s[2 * i]) << 4) | Nibble(s[2 * i + 1]));
            }
            return b;
        }

        /// <summary>The UTF-8 bytes of a string (ASCII test data).</summary>
        public static byte[] Ascii(string text)
        {
            return Encoding.UTF8.GetBytes(text);
        }

        private static int Nibble(char c)
        {
            if (c >= '0' && c <= '9')
            {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f')
            {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F')
            {
                return c - 'A' + 10;
            }
            throw new System.ArgumentException("not a hex digit: " + c);
        }
    }
}
