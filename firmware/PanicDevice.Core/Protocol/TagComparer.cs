namespace PanicDevice.Core.Protocol
{
    /// <summary>Byte comparison whose running time does not depend on where the inputs differ.</summary>
    public static class TagComparer
    {
        /// <summary>True when the two ranges are equal; always reads every byte of both.</summary>
        public static bool FixedTimeEquals(byte[] a, int aOffset, byte[] b, int bOffset, int length)
        {
            // Compared as "offset > array length - length": offset + length can overflow to a negative number
            // and pass as in range, and the loop would then run off the array.
            if (a == null || b == null || length < 0 || aOffset < 0 || bOffset < 0
                || aOffset > a.Length - length || bOffset > b.Length - length)
            {
                return false;
            }
            int difference = 0;
            for (int i = 0; i < length; i++)
            {
                difference |= a[aOffset + i] ^ b[bOffset + i];
            }
            return difference == 0;
        }
    }
}
