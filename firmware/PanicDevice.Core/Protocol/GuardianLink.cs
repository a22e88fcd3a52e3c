using System.Text;

namespace PanicDevice.Core.Protocol
{
    /// <summary>
    /// The link in a guardian's SMS to the receiver's live page for one press: {base}/g/{deviceId}/{counter}#{token}. The
    /// token is in the fragment, which a browser never sends to a server: it stays out of request logs, proxies and Referer
    /// headers, and the page hands it to the receiver in a request body. The
    /// device makes it offline (its SMS goes exactly when the data path is dead), the receiver checks it with the same key:
    /// token = the first 10 bytes of HMAC-SHA256(device key, "pd-guardian-link/v1\n" + deviceId + "\n" + counter), in
    /// lowercase base32 (16 characters, 80 bits: not guessable, and a forged one is refused without touching any alert).
    /// A separate label keeps the token from ever being a frame's tag. docs/protocol.md, Guardian links.
    /// </summary>
    public static class GuardianLink
    {
        /// <summary>Characters of a token.</summary>
        public const int TokenLength = 16;

        private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

        /// <summary>The token for the press with this counter.</summary>
        public static string Token(byte[] key, string deviceId, uint counter)
        {
            byte[] label = Encoding.UTF8.GetBytes("pd-guardian-link/v1\n" + deviceId + "\n" + counter.ToString());
            byte[] mac = FrameSigner.ComputeTag(key, label, label.Length);
            return Base32(mac, 10);
        }

        /// <summary>The whole link; <paramref name="baseUrl"/> without a trailing slash ("" gives "").</summary>
        public static string Link(string baseUrl, byte[] key, string deviceId, uint counter)
        {
            if (baseUrl == null || baseUrl.Length == 0)
            {
                return "";
            }
            return baseUrl + "/g/" + deviceId + "/" + counter.ToString() + "#" + Token(key, deviceId, counter);
        }

        /// <summary>Why a base URL cannot carry links (null when it can): http(s), printable ASCII, no spaces, at most 64 characters.</summary>
        public static string BaseUrlProblem(string baseUrl)
        {
            if (baseUrl == null || baseUrl.Length > 64 || !(baseUrl.StartsWith("https://") || baseUrl.StartsWith("http://")))
            {
                return "must be an http(s) address of at most 64 characters";
            }
            for (int i = 0; i < baseUrl.Length; i++)
            {
                char c = baseUrl[i];
                if (c <= ' ' || c > '~' || c == '"' || c == '?' || c == '#')
                {
                    return "must be printable ASCII without spaces, quotes, '?' or '#'";
                }
            }
            return baseUrl[baseUrl.Length - 1] == '/' ? "must not end in '/'" : null;
        }

        private static string Base32(byte[] data, int bytes)
        {
            StringBuilder sb = new StringBuilder();
            int buffer = 0;
            int bits = 0;
            for (int i = 0; i < bytes; i++)
            {
                buffer = (buffer << 8) | data[i];
                bits += 8;
                while (bits >= 5)
                {
                    sb.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                    bits -= 5;
                }
            }
            return sb.ToString();
        }
    }
}
