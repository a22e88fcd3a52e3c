namespace PanicDevice.Core.Sms
{
    /// <summary>
    /// The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 6.2.1), the only character set
    /// every phone displays without asking for UCS-2. No national language shift tables: a phone that lacks
    /// the one we would pick shows garbage, and UCS-2 is always understood.
    /// </summary>
    public static class Gsm7Alphabet
    {
        /// <summary>Escape to the extension table: the next septet is read from it.</summary>
        public const int Escape = 0x1B;

        // Index = septet code. Position 0x1B holds the escape itself, never returned by CodeOf. Written with
        // \u escapes so the table survives any editor or source encoding; the glyphs are in the comments.
        private const string DefaultTable =
            "@\u00A3$\u00A5\u00E8\u00E9\u00F9\u00EC\u00F2\u00C7\n\u00D8\u00F8\r\u00C5\u00E5" + // @ £ $ ¥ è é ù ì ò Ç LF Ø ø CR Å å
            "\u0394_\u03A6\u0393\u039B\u03A9\u03A0\u03A8\u03A3\u0398\u039E\u001B\u00C6\u00E6\u00DF\u00C9" + // Δ _ Φ Γ Λ Ω Π Ψ Σ Θ Ξ ESC Æ æ ß É
            " !\"#\u00A4%&'()*+,-./" + // ¤ where ASCII has $
            "0123456789:;<=>?" +
            "\u00A1ABCDEFGHIJKLMNO" + // ¡ where ASCII has @
            "PQRSTUVWXYZ\u00C4\u00D6\u00D1\u00DC\u00A7" + // Ä Ö Ñ Ü §
            "\u00BFabcdefghijklmno" + // ¿ where ASCII has `
            "pqrstuvwxyz\u00E4\u00F6\u00F1\u00FC\u00E0"; // ä ö ñ ü à

        // The extension table is sparse: characters and their codes side by side.
        private const string ExtensionChars = "\f^{}\\[~]|\u20AC";
        private static readonly int[] ExtensionCodes = new int[] { 0x0A, 0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65 };

        /// <summary>True when every character is in the default table or the extension table (null counts as empty).</summary>
        public static bool CanEncode(string text)
        {
            return SeptetCount(text) >= 0;
        }

        /// <summary>
        /// Septets needed for <paramref name="text"/>: 1 per default-table character, 2 per extension character
        /// (escape + code); -1 when some character is in neither table. Null counts as empty.
        /// </summary>
        public static int SeptetCount(string text)
        {
            if (text == null)
            {
                return 0;
            }
            int count = 0;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (CodeOf(c) >= 0)
                {
                    count++;
                }
                else if (ExtensionCodeOf(c) >= 0)
                {
                    count += 2;
                }
                else
                {
                    return -1;
                }
            }
            return count;
        }

        /// <summary>The default-table code (0..127) of <paramref name="c"/>, or -1.</summary>
        public static int CodeOf(char c)
        {
            if (c == (char)Escape)
            {
                // The escape is a control code, not a character the caller can send.
                return -1;
            }
            return DefaultTable.IndexOf(c);
        }

        /// <summary>The extension-table code of <paramref name="c"/> (sent after <see cref="Escape"/>), or -1.</summary>
        public static int ExtensionCodeOf(char c)
        {
            int i = ExtensionChars.IndexOf(c);
            return i < 0 ? -1 : ExtensionCodes[i];
        }

        /// <summary>
        /// The character of a default-table septet; '?' outside 0..127. A bare escape reads as a space, as
        /// 23.038 asks for an escape the receiver cannot resolve.
        /// </summary>
        public static char CharOf(int septet)
        {
            if (septet < 0 || septet > 127)
            {
                return '?';
            }
            if (septet == Escape)
            {
                return ' ';
            }
            return DefaultTable[septet];
        }

        /// <summary>
        /// The character of a septet that followed an escape. Codes the extension table does not define read as
        /// the default-table character (23.038 6.2.1.1); escape-escape reads as a space.
        /// </summary>
        public static char ExtensionCharOf(int septet)
        {
            for (int i = 0; i < ExtensionCodes.Length; i++)
            {
                if (ExtensionCodes[i] == septet)
                {
                    return ExtensionChars[i];
                }
            }
            return CharOf(septet);
        }
    }
}
