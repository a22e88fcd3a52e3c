using System.Text;

namespace PanicDevice.Core.Config
{
    /// <summary>
    /// Decodes bytes that must be well-formed UTF-8 (RFC 3629) without U+0000, and refuses anything else with the
    /// offset of the first bad byte. Encoding.UTF8 would not refuse: the host and nanoFramework replace malformed
    /// sequences with different numbers of U+FFFD, and a nanoFramework string ends at the first NUL
    /// (nf-interpreter nf_system_text_System_Text_UTF8Encoding.cpp), so the same file would read as two different
    /// texts. Once validated, both runtimes decode it to the same string.
    /// </summary>
    public static class StrictUtf8
    {
        /// <summary>The text of bytes[offset .. offset + count), or null with <paramref name="error"/> set.</summary>
        public static string Decode(byte[] bytes, int offset, int count, out string error)
        {
            int end = offset + count;
            int i = offset;
            while (i < end)
            {
                int b = bytes[i];
                int length;
                int min = 0x80;
                int max = 0xBF;
                if (b == 0)
                {
                    error = "byte " + (i - offset).ToString() + " is a NUL";
                    return null;
                }
                if (b < 0x80)
                {
                    i++;
                    continue;
                }
                if (b >= 0xC2 && b <= 0xDF)
                {
                    length = 2;
                }
                else if (b >= 0xE0 && b <= 0xEF)
                {
                    length = 3;
                    // No overlong forms (E0 80..9F) and no UTF-16 surrogates (ED A0..BF).
                    if (b == 0xE0) min = 0xA0;
                    if (b == 0xED) max = 0x9F;
                }
                else if (b >= 0xF0 && b <= 0xF4)
                {
                    length = 4;
                    // No overlong forms (F0 80..8F) and nothing above U+10FFFF (F4 90..).
                    if (b == 0xF0) min = 0x90;
                    if (b == 0xF4) max = 0x8F;
                }
                else
                {
                    error = "byte " + (i - offset).ToString() + " is not valid UTF-8";
                    return null;
                }
                if (i + length > end)
                {
                    error = "byte " + (i - offset).ToString() + " starts a character the text ends inside";
                    return null;
                }
                for (int k = 1; k < length; k++)
                {
                    int c = bytes[i + k];
                    int lo = k == 1 ? min : 0x80;
                    int hi = k == 1 ? max : 0xBF;
                    if (c < lo || c > hi)
                    {
                        error = "byte " + (i - offset + k).ToString() + " is not valid UTF-8";
                        return null;
                    }
                }
                i += length;
            }
            error = null;
            return count == 0 ? "" : Encoding.UTF8.GetString(bytes, offset, count);
        }
    }
}
