namespace PanicDevice.Receiver.Mqtt;

/// <summary>
/// The way to a device's ack topic, whichever broker the receiver uses: the embedded one, or an external
/// broker it is a client of. Operator actions and SMS-path acks go through this.
/// </summary>
internal interface IDeviceDownlink
{
    /// <summary>Publishes a receiver frame (ack, status or resync) to the device's ack topic, QoS 1.</summary>
    Task PublishToDeviceAsync(string deviceId, byte[] frame);
}
