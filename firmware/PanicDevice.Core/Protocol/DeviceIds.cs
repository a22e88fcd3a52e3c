namespace PanicDevice.Core.Protocol
{
    /// <summary>
    /// The device-id rule (docs/protocol.md, "Device ids"): its one home. An id is a frame field, an MQTT topic level,
    /// the MQTT client id and user name, and a step of the receiver's URLs (/api/devices/{id}). So it is 1 to 32
    /// characters from A-Z a-z 0-9 '-' '_' '.' (no '+', '#' or '/' for MQTT, no ':' so that
    /// <see cref="Topics.WifiClientId"/> names no other device), and not dots only: "." and ".." are path steps that
    /// HTTP clients and servers resolve away, so such a device could be provisioned but never read or revoked.
    /// </summary>
    public static class DeviceIds
    {
        /// <summary>Longest id in characters (also its byte length: the alphabet is ASCII).</summary>
        public const int MaxLength = 32;

        /// <summary>
        /// Null when the id may name a device (provisioning, device.json, the receiver's routes); otherwise why not,
        /// as the end of a sentence that starts with the id's name ("deviceId must be …"). Never repeats the id.
        /// </summary>
        public static string Problem(string id)
        {
            string problem = WireProblem(id);
            if (problem != null)
            {
                return problem;
            }
            for (int i = 0; i < id.Length; i++)
            {
                if (id[i] != '.')
                {
                    return null;
                }
            }
            return "must not be only dots (\".\" and \"..\" are path steps in a URL)";
        }

        /// <summary>
        /// Null when a frame or a topic may carry the id: <see cref="Problem"/> without the dots-only case. Devices
        /// given such an id before the rule refused it keep sending and being acknowledged; nothing can make a new one.
        /// </summary>
        public static string WireProblem(string id)
        {
            if (id == null || id.Length < 1 || id.Length > MaxLength)
            {
                return "must be 1.." + MaxLength.ToString() + " characters";
            }
            for (int i = 0; i < id.Length; i++)
            {
                if (!IsIdChar(id[i]))
                {
                    return "may only contain letters, digits, '-', '_' and '.'";
                }
            }
            return null;
        }

        /// <summary>True for A-Z, a-z, 0-9, '-', '_' and '.'.</summary>
        public static bool IsIdChar(char c)
        {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        }
    }
}
