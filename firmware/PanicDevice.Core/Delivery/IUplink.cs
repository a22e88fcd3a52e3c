namespace PanicDevice.Core.Delivery
{
    /// <summary>Receives frames that arrive on the device's downlink (ack) topic.</summary>
    public interface IDownlinkListener
    {
        /// <summary>Called from Poll with the raw payload; the listener verifies it (it may be forged).</summary>
        void OnDownlink(byte[] payload, long atMs);
    }

    /// <summary>
    /// A data path to the receiver (MQTT over the modem, or over Wi-Fi on wall units). The delivery
    /// engine only needs this much: publish a frame at least once, and hear the downlink.
    /// </summary>
    public interface IUplink
    {
        /// <summary>True while a session with the broker is up and subscribed to the downlink.</summary>
        bool IsConnected { get; }

        /// <summary>
        /// Publishes the payload on the device's uplink topic with QoS 1. Returns false when it cannot be
        /// queued now (not connected, or too many in flight); the caller retries later.
        /// </summary>
        bool Publish(byte[] payload, long nowMs);

        /// <summary>Where downlink frames go.</summary>
        void SetListener(IDownlinkListener listener);

        /// <summary>Advances connection, retransmission and keep-alive timers.</summary>
        void Poll(long nowMs);
    }
}
