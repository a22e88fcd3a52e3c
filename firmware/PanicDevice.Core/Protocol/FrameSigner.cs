using System;
using System.Security.Cryptography;

namespace PanicDevice.Core.Protocol
{
    /// <summary>The signing rule: HMAC-SHA256 with the device key over the leading bytes of a frame.</summary>
    public static class FrameSigner
    {
        /// <summary>
        /// HMAC-SHA256(key, data[0 .. length)). Uses the platform's HMAC; Core has no hash code of its own.
        /// Neither <paramref name="key"/> nor <paramref name="data"/> is changed or kept.
        /// </summary>
        public static byte[] ComputeTag(byte[] key, byte[] data, int length)
        {
            if (key == null || data == null)
            {
                throw new ArgumentNullException(key == null ? "key" : "data");
            }
            if (length < 0 || length > data.Length)
            {
                throw new ArgumentOutOfRangeException("length");
            }
            // The platform only ever sees arrays Core made for this call. nanoFramework's HMACSHA256(byte[] key) keeps
            // the caller's array and Dispose() clears it (System.Security.Cryptography 1.0.43 HMACSHA256.cs), which
            // once wiped the device key after the first signature; the static HashData keeps nothing, and a private
            // copy means no later version of either can reach the caller's key. The copy is cleared after use.
            byte[] keyCopy = new byte[key.Length];
            Array.Copy(key, keyCopy, key.Length);
            // HashData hashes a whole array, so sign a copy of exactly the signed bytes.
            byte[] signed = new byte[length];
            Array.Copy(data, 0, signed, 0, length);
            try
            {
                return HMACSHA256.HashData(keyCopy, signed);
            }
            finally
            {
                Array.Clear(keyCopy, 0, keyCopy.Length);
            }
        }
    }
}
