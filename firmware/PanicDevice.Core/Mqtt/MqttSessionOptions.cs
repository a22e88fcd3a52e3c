namespace PanicDevice.Core.Mqtt
{
    /// <summary>Settings of the device's MQTT session; defaults in one place.</summary>
    public class MqttSessionOptions
    {
        /// <summary>Broker host name or address.</summary>
        public string Host;
        /// <summary>Broker TCP port.</summary>
        public int Port = 1883;
        /// <summary>Client id: the device id (a wall unit's Wi-Fi connection: Topics.WifiClientId).</summary>
        public string ClientId;
        /// <summary>Username; null means the client id. Always the device id.</summary>
        public string UserName;
        /// <summary>The password derived from the device key (DeviceCredentials.MqttPassword).</summary>
        public string Password;
        /// <summary>Topic the device publishes frames on.</summary>
        public string UplinkTopic;
        /// <summary>Topic the device subscribes to for acknowledgements and status.</summary>
        public string DownlinkTopic;
        /// <summary>Will topic: the broker publishes "offline" here when the device drops without a DISCONNECT.</summary>
        public string WillTopic;
        /// <summary>Keep-alive announced to the broker; a PINGREQ goes out when idle this long.</summary>
        public int KeepAliveSeconds = 60;
        /// <summary>Time allowed from TCP open to SUBACK.</summary>
        public int ConnectTimeoutMs = 30000;
        /// <summary>No PUBACK or PINGRESP this long: the connection is treated as dead and rebuilt.</summary>
        public int AckTimeoutMs = 20000;
        /// <summary>Unacknowledged QoS 1 publishes allowed at once.</summary>
        public int MaxInFlight = 8;
        /// <summary>First reconnect delay; doubles per failure.</summary>
        public int ReconnectMinMs = 1000;
        /// <summary>Reconnect delay cap.</summary>
        public int ReconnectMaxMs = 60000;
        /// <summary>Largest packet accepted from the broker.</summary>
        public int MaxPacketBytes = 2048;

        /// <summary>
        /// Clean session off: the broker keeps the subscription and queues QoS 1 acknowledgements while the
        /// device is away, and the device re-sends unacknowledged publishes with DUP after reconnecting.
        /// </summary>
        public bool CleanSession = false;

        /// <summary>The username the connection logs in with.</summary>
        public string LoginName
        {
            get { return UserName != null ? UserName : ClientId; }
        }

        /// <summary>
        /// These settings for a wall unit's Wi-Fi connection: same broker, topics and password, logged in as the
        /// device with its own client id (<see cref="PanicDevice.Core.Protocol.Topics.WifiClientId"/>).
        /// </summary>
        public MqttSessionOptions ForWifi()
        {
            MqttSessionOptions o = (MqttSessionOptions)MemberwiseClone();
            o.UserName = LoginName;
            o.ClientId = PanicDevice.Core.Protocol.Topics.WifiClientId(LoginName);
            return o;
        }
    }
}
