using System;

namespace PanicDevice.Core.Protocol
{
    /// <summary>
    /// The SMS form of a frame (docs/protocol.md, "SMS text form"): "PD1:" followed by standard base64 of the
    /// frame bytes. Every character of that alphabet is in the GSM 03.38 default alphabet, so the text costs one
    /// septet a character and the longest frame (92 bytes → 124 characters + 4) fits one 160-character SMS.
    /// </summary>
    public static class FrameText
    {
        /// <summary>Marks an SMS as a PanicDevice frame, version 1.</summary>
        public const string Prefix = "PD1:";

        /// <summary>Longest SMS text form of any valid frame, white space not counted.</summary>
        public const int MaxTextLength = 4 + ((FrameCodec.MaxFrameLength + 2) / 3) * 4;

        /// <summary>Text-encodes frame bytes for an SMS.</summary>
        public static string Encode(byte[] frame)
        {
            return Prefix + Convert.ToBase64String(frame);
        }

        /// <summary>True when the text, after any white space, starts with the prefix: it looks meant for this decoder.</summary>
        public static bool HasPrefix(string text)
        {
            return text != null && PrefixEnd(text) >= 0;
        }

        /// <summary>
        /// Turns SMS text back into frame bytes and decodes them. Gateways add line breaks and spaces or swap the
        /// base64 alphabet, so white space is skipped and both "+/" and "-_" are accepted; anything else is
        /// BadText. Never throws.
        /// </summary>
        public static DecodeResult Decode(string text)
        {
            byte[] bytes = ToBytes(text);
            if (bytes == null)
            {
                return DecodeResult.Fail(DecodeStatus.BadText, "text is not \"" + Prefix + "\" followed by base64, at most " + MaxTextLength.ToString() + " characters besides white space");
            }
            return FrameCodec.Decode(bytes);
        }

        /// <summary>The frame bytes carried by the text, or null when it is not a well-formed text frame.</summary>
        public static byte[] ToBytes(string text)
        {
            if (text == null)
            {
                return null;
            }
            int start = PrefixEnd(text);
            if (start < 0)
            {
                return null;
            }
            // The limit counts what a gateway cannot add: however it wraps the lines, the frame's own text is at most this.
            return Base64Strict.Decode(text, start, MaxTextLength - Prefix.Length);
        }

        /// <summary>Index just after the prefix, which may follow white space; -1 when the text does not start with it.</summary>
        private static int PrefixEnd(string text)
        {
            int i = 0;
            while (i < text.Length && Base64Strict.IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (text.Length - i < Prefix.Length)
            {
                return -1;
            }
            for (int p = 0; p < Prefix.Length; p++)
            {
                if (text[i + p] != Prefix[p])
                {
                    return -1;
                }
            }
            return i + Prefix.Length;
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
            return Decode(text, start, int.MaxValue);
        }

        /// <summary>
        /// Decodes text[start..]; white space is skipped and not counted; null on any other malformation or when
        /// more than <paramref name="maxSymbols"/> base64 characters (padding included) come, found without reading on.
        /// </summary>
        public static byte[] Decode(string text, int start, int maxSymbols)
        {
            int length = text.Length;
            // Count significant characters first so the output is allocated once, at its exact size.
            int symbols = 0;
            int padding = 0;
            for (int i = start; i < length; i++)
            {
                char c = text[i];
                if (IsWhiteSpace(c))
                {
                    continue;
                }
                if (symbols + padding == maxSymbols)
                {
                    return null;
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

        /// <summary>
        /// The white space an SMS gateway may add (space, tab, CR, LF), skipped wherever it is. Not string.Trim's set:
        /// that differs between the host and nanoFramework (docs/nanoframework-runtime.md).
        /// </summary>
        public static bool IsWhiteSpace(char c)
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
