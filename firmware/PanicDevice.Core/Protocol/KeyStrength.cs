namespace PanicDevice.Core.Protocol
{
    /// <summary>
    /// Refuses device keys that no random generator made: a key that is all zeros (or any one byte repeated), a short
    /// pattern repeated or text (fewer than <see cref="MinDistinctBytes"/> different byte values), or a counting
    /// sequence (the same step from each byte to the next: 00 01 02 … 1f, the key of the documented test vectors).
    /// Such a key can be guessed, and whoever guesses it can sign alerts, acknowledgements and counter answers.
    /// 32 random bytes have about 30 different values; fewer than 16 happens by chance with a probability below 10^-15.
    /// </summary>
    public static class KeyStrength
    {
        /// <summary>Fewest different byte values a key may have.</summary>
        public const int MinDistinctBytes = 16;

        /// <summary>Why the key is refused, or null when it may be provisioned. The reason never shows key bytes.</summary>
        public static string Problem(byte[] key)
        {
            if (key == null || key.Length != FrameCodec.KeyLength)
            {
                return "key must be " + FrameCodec.KeyLength.ToString() + " bytes";
            }
            bool counting = true;
            for (int i = 2; i < key.Length; i++)
            {
                if ((byte)(key[i] - key[i - 1]) != (byte)(key[1] - key[0]))
                {
                    counting = false;
                    break;
                }
            }
            if (counting)
            {
                return "key is not random: its bytes are all the same or count up or down";
            }
            bool[] seen = new bool[256];
            int distinct = 0;
            for (int i = 0; i < key.Length; i++)
            {
                if (!seen[key[i]])
                {
                    seen[key[i]] = true;
                    distinct++;
                }
            }
            if (distinct < MinDistinctBytes)
            {
                return "key is not random: too few different byte values (a repeated pattern or text)";
            }
            return null;
        }
    }
}
