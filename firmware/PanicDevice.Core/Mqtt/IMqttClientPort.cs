namespace PanicDevice.Core.Mqtt
{
    /// <summary>State of an <see cref="IMqttClientPort"/>.</summary>
    public enum MqttPortState
    {
        /// <summary>Never connected, or closed on purpose; BeginConnect may be called.</summary>
        Idle = 0,
        /// <summary>A connection attempt (network join, TCP, CONNECT, SUBSCRIBE) runs in the background.</summary>
        Connecting = 1,
        /// <summary>Connected and subscribed to the downlink topic.</summary>
        Connected = 2,
        /// <summary>The last attempt failed or the connection dropped; BeginConnect may be called.</summary>
        Failed = 3,
    }

    /// <summary>
    /// A library MQTT client (nanoFramework.M2Mqtt over the ESP32's Wi-Fi) as <see cref="BrokerClientUplink"/>
    /// drives it. The libraries block while joining the network and waiting for CONNACK, so the port runs an
    /// attempt on its own thread and reports through <see cref="State"/>: nothing here may block the device
    /// loop, because the cellular path and the SMS deadline run on that loop. When to try, how long to back
    /// off and what counts as a failure are decided in Core, not in the port.
    /// </summary>
    public interface IMqttClientPort
    {
        /// <summary>Where the port is; changes on the port's own threads.</summary>
        MqttPortState State { get; }

        /// <summary>Why the last attempt failed or the connection dropped (never contains a password); null when none did.</summary>
        string LastError { get; }

        /// <summary>
        /// Starts one attempt in the background: join the network if needed, connect with the session's client
        /// id, user and password (clean session off, the will on the presence topic), and subscribe to the
        /// downlink topic with QoS 1. Ignored unless the state is Idle or Failed.
        /// </summary>
        void BeginConnect(MqttSessionOptions options);

        /// <summary>Queues a QoS 1 publish; false when the client refused it (not connected, or it threw).</summary>
        bool Publish(string topic, byte[] payload);

        /// <summary>The next payload that arrived on the downlink topic, or null.</summary>
        byte[] TakeReceived();

        /// <summary>Drops the connection (or abandons a hung attempt) and returns to Idle.</summary>
        void Close();
    }
}
