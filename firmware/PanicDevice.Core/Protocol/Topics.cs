namespace PanicDevice.Core.Protocol
{
    /// <summary>The MQTT topic names: their one home (docs/protocol.md repeats them for readers).</summary>
    public static class Topics
    {
        /// <summary>Root of every PanicDevice topic; the version lets a future format live beside this one.</summary>
        public const string Root = "pd/v1/";

        /// <summary>Device → receiver: alert, update, cancel and heartbeat frames.</summary>
        public static string Uplink(string deviceId)
        {
            return Root + deviceId + "/up";
        }

        /// <summary>Receiver → device: acknowledgement and status frames.</summary>
        public static string Downlink(string deviceId)
        {
            return Root + deviceId + "/ack";
        }

        /// <summary>The device's MQTT will: the broker publishes "offline" here when the device drops.</summary>
        public static string Presence(string deviceId)
        {
            return Root + deviceId + "/presence";
        }

        /// <summary>
        /// MQTT client id of a wall unit's Wi-Fi connection. Its cellular connection uses the device id; two
        /// connections with one client id would take each other's session over in turn, so the Wi-Fi one gets a
        /// suffix with a character no device id has (ids are [A-Za-z0-9._-]). Both log in as the device id.
        /// </summary>
        public static string WifiClientId(string deviceId)
        {
            return deviceId + ":wifi";
        }

        /// <summary>The device id a client id belongs to when it logs in as <paramref name="userName"/>, or null when it does not.</summary>
        public static string DeviceOfClient(string clientId, string userName)
        {
            if (clientId == null || userName == null || userName.Length == 0)
            {
                return null;
            }
            if (clientId == userName || clientId == WifiClientId(userName))
            {
                return userName;
            }
            return null;
        }

        /// <summary>What a receiver subscribes to for every device's uplink.</summary>
        public const string AllUplinks = "pd/v1/+/up";

        /// <summary>MQTT 5 shared subscription that lets several receivers split the uplink load.</summary>
        public const string SharedAllUplinks = "$share/pd-receivers/pd/v1/+/up";

        /// <summary>
        /// The device id in an uplink or presence topic, or null when the topic is not one. The receiver
        /// checks it against the frame's own id, so a device cannot speak for another through the topic.
        /// </summary>
        public static string DeviceIdOf(string topic)
        {
            if (topic == null || topic.Length <= Root.Length || topic.Substring(0, Root.Length) != Root)
            {
                return null;
            }
            int slash = topic.IndexOf('/', Root.Length);
            if (slash <= Root.Length || topic.IndexOf('/', slash + 1) >= 0)
            {
                return null;
            }
            string id = topic.Substring(Root.Length, slash - Root.Length);
            return DeviceIds.WireProblem(id) == null ? id : null;
        }
    }
}
