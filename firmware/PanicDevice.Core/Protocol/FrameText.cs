using System;

namespace PanicDevice.Core.Protocol
{
    /// <summary>
    /// The SMS form of a frame: "PD1:" followed by standard base64 of the frame bytes. Every character
    /// of that alphabet is in the GSM 03.38 default alphabet, so the text costs one septet a character
    /// and the longest frame (92 bytes → 124 characters + 4) fits one 160-character SMS.
    /// </summary>
    public static class FrameText
    {
        /// <summary>Marks an SMS as a PanicDevice frame, version 1.</summary>
        public const string Prefix = "PD1:";

        /// <summary>Longest SMS text form of any valid frame.</summary>
        public const int MaxTextLength = 4 + ((FrameCodec.MaxFrameLength + 2) / 3) * 4;

        /// <summary>Text-encodes frame bytes for an SMS.</summary>
        public static string Encode(byte[] frame)
        {
            return Prefix + Convert.ToBase64String(frame);
        }

        /// <summary>True when the text looks meant for this decoder (after trimming white space).</summary>
        public static bool HasPrefix(string text)
        {
            if (text == null)
            {
                return false;
            }
            string t = text.Trim();
            return t.Length >= Prefix.Length && t.Substring(0, Prefix.Length) == Prefix;
        }

        /// <summary>
        /// Turns SMS text back into frame bytes and decodes them. Gateways wrap lines or swap the base64
        /// alphabet, so white space is skipped and both "+/" and "-_" are accepted; anything else is
        /// BadText. Never throws.
        /// </summary>
        public static DecodeResult Decode(string text)
        {
            byte[] bytes = ToBytes(text);
            if (bytes == null)
            {
                return DecodeResult.Fail(DecodeStatus.BadText, "text is not \"" + Prefix + "\" followed by base64");
            }
            return FrameCodec.Decode(bytes);
        }

        /// <summary>The frame bytes carried by the text, or null when it is not a well-formed text frame.</summary>
        public static byte[] ToBytes(string text)
        {
            if (text == null || text.Length > MaxTextLength * 2)
            {
                return null;
            }
            string t = text.Trim();
            if (!HasPrefix(t))
            {
                return null;
            }
            return Base64Strict.Decode(t, Prefix.Length);
        }
    }

    /// <summary>
    /// A base64 decoder that reports malformed input as null instead of throwing, so untrusted SMS
    /// text costs no exception (Convert.FromBase64String's tolerance also differs between runtimes).
    /// </summary>
    public static class Base64Strict
    {
        /// <summary>Decodes text[start..]; white space is skipped; null on any other malformation.</summary>
        public static byte[] Decode(string text, int start)
        {
            int length = text.Length;
            // Count significant characters first so the output is allocated once, at its exact size.
            int symbols = 0;
            int padding = 0;
            for (int i = start; i < length; i++)
            {
                char c = text[i];
                if (IsSpace(c))
                {
                    continue;
                }
                if (c == '=')
                {
                    padding++;
                    continue;
                }
                if (padding > 0 || Value(c) < 0)
                {
                    return null;
                }
                symbols++;
            }
            if (padding > 2 || (padding > 0 && (symbols + padding) % 4 != 0) || symbols % 4 == 1)
            {
                return null;
            }

            byte[] output = new byte[symbols * 3 / 4];
            int accumulator = 0;
            int bits = 0;
            int o = 0;
            for (int i = start; i < length; i++)
            {
                int v = Value(text[i]);
                if (v < 0)
                {
                    continue;
                }
                accumulator = (accumulator << 6) | v;
                bits += 6;
                if (bits >= 8)
                {
                    bits -= 8;
                    output[o++] = (byte)(accumulator >> bits);
                    accumulator &= (1 << bits) - 1;
                }
            }
            if (accumulator != 0)
            {
                // Non-zero leftover bits mean the text was not produced by an encoder.
                return null;
            }
            return output;
        }

        private static bool IsSpace(char c)
        {
            return c == ' ' || c == '\r' || c == '\n' || c == '\t';
        }

        private static int Value(char c)
        {
            if (c >= 'A' && c <= 'Z') return c - 'A';
            if (c >= 'a' && c <= 'z') return c - 'a' + 26;
            if (c >= '0' && c <= '9') return c - '0' + 52;
            if (c == '+' || c == '-') return 62;
            if (c == '/' || c == '_') return 63;
            return -1;
        }
    }
}
