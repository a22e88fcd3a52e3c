namespace PanicDevice.Core.Mqtt
{
    /// <summary>MQTT 3.1.1 control packet types used by the device (values from the specification, §2.2.1).</summary>
    internal static class MqttPacketType
    {
        /// <summary>Client → server.</summary>
        public const byte Connect = 1;
        /// <summary>Server → client.</summary>
        public const byte ConnAck = 2;
        /// <summary>Both directions.</summary>
        public const byte Publish = 3;
        /// <summary>Both directions.</summary>
        public const byte PubAck = 4;
        /// <summary>QoS 2 (never used by the device).</summary>
        public const byte PubRec = 5;
        /// <summary>QoS 2 (never used by the device).</summary>
        public const byte PubRel = 6;
        /// <summary>QoS 2 (never used by the device).</summary>
        public const byte PubComp = 7;
        /// <summary>Client → server.</summary>
        public const byte Subscribe = 8;
        /// <summary>Server → client.</summary>
        public const byte SubAck = 9;
        /// <summary>Client → server.</summary>
        public const byte Unsubscribe = 10;
        /// <summary>Server → client.</summary>
        public const byte UnsubAck = 11;
        /// <summary>Client → server.</summary>
        public const byte PingReq = 12;
        /// <summary>Server → client.</summary>
        public const byte PingResp = 13;
        /// <summary>Client → server.</summary>
        public const byte Disconnect = 14;
    }

    /// <summary>One packet received from the broker: plain data, filled by <see cref="MqttPacketReader"/>.</summary>
    internal class MqttPacket
    {
        /// <summary>One of <see cref="MqttPacketType"/>.</summary>
        public byte Type;
        /// <summary>The low nibble of the fixed header.</summary>
        public byte Flags;
        /// <summary>Packet identifier (PUBACK, SUBACK, UNSUBACK, PUBLISH with QoS 1).</summary>
        public int PacketId;
        /// <summary>CONNACK return code (0 = accepted).</summary>
        public byte ReturnCode;
        /// <summary>CONNACK session-present flag.</summary>
        public bool SessionPresent;
        /// <summary>PUBLISH topic.</summary>
        public string Topic;
        /// <summary>PUBLISH payload.</summary>
        public byte[] Payload;
        /// <summary>PUBLISH QoS (0 or 1).</summary>
        public int QoS;
        /// <summary>SUBACK return codes, one per requested filter (0x80 = failure).</summary>
        public byte[] SubAckCodes;
    }
}
