namespace PanicDevice.Core.Storage
{
    /// <summary>Big-endian (network order) integers in byte arrays: the one encoding frames and flash records use.</summary>
    public static class BigEndian
    {
        /// <summary>Writes v at b[p..p+4); returns p + 4.</summary>
        public static int WriteUInt32(byte[] b, int p, uint v)
        {
            b[p] = (byte)(v >> 24);
            b[p + 1] = (byte)(v >> 16);
            b[p + 2] = (byte)(v >> 8);
            b[p + 3] = (byte)v;
            return p + 4;
        }

        /// <summary>Writes v at b[p..p+2); returns p + 2.</summary>
        public static int WriteUInt16(byte[] b, int p, ushort v)
        {
            b[p] = (byte)(v >> 8);
            b[p + 1] = (byte)v;
            return p + 2;
        }

        /// <summary>Reads the value at b[p..p+4).</summary>
        public static uint ReadUInt32(byte[] b, int p)
        {
            return ((uint)b[p] << 24) | ((uint)b[p + 1] << 16) | ((uint)b[p + 2] << 8) | b[p + 3];
        }

        /// <summary>Reads the value at b[p..p+2).</summary>
        public static ushort ReadUInt16(byte[] b, int p)
        {
            return (ushort)((b[p] << 8) | b[p + 1]);
        }
    }
}
