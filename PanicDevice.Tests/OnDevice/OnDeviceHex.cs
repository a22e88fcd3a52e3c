using System.Text;

namespace PanicDevice.Tests.OnDevice
{
    /// <summary>
    /// Hex for the tests that also run on the device: written in the nanoFramework 1.x subset (no LINQ, no
    /// Convert.ToHexString, no generics), like everything in this folder.
    /// </summary>
    public static class OnDeviceHex
    {
        public static string Of(byte[] bytes)
        {
            const string digits = "0123456789abcdef";
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < bytes.Length; i++)
            {
                sb.Append(digits[bytes[i] >> 4]).Append(digits[bytes[i] & 0xF]);
            }
            return sb.ToString();
        }

        public static byte[] Bytes(string hex)
        {
            byte[] b = new byte[hex.Length / 2];
            for (int i = 0; i < b.Length; i++)
            {
                b[i] = (byte)((Nibble(hex[2 * i]) << 4) | Nibble(hex[2 * i + 1]));
            }
            return b;
        }

        private static int Nibble(char c)
        {
            return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        }

        public static byte[] Ascii(string text)
        {
            return Encoding.UTF8.GetBytes(text);
        }
    }
}
