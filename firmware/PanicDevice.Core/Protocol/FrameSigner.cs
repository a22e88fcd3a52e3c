using System;
using System.Security.Cryptography;

namespace PanicDevice.Core.Protocol
{
    /// <summary>The signing rule: HMAC-SHA256 with the device key over the leading bytes of a frame.</summary>
    public static class FrameSigner
    {
        /// <summary>HMAC-SHA256(key, data[0 .. length)). Uses the platform's HMAC; Core has no hash code of its own.</summary>
        public static byte[] ComputeTag(byte[] key, byte[] data, int length)
        {
            // nanoFramework's HMACSHA256 has only ComputeHash(byte[]), so sign a copy of exactly the signed bytes.
            byte[] signed = data;
            if (length != data.Length)
            {
                signed = new byte[length];
                Array.Copy(data, 0, signed, 0, length);
            }
            HMACSHA256 hmac = new HMACSHA256(key);
            try
            {
                return hmac.ComputeHash(signed);
            }
            finally
            {
                hmac.Dispose();
            }
        }
    }
}
