using System;
using System.Text;

namespace PanicDevice.Core.Mqtt
{
    /// <summary>Encodes the client's MQTT 3.1.1 packets (specification §3). Pure: bytes out, no I/O.</summary>
    internal static class MqttPacketWriter
    {
        /// <summary>Largest remaining length MQTT allows (4 length bytes).</summary>
        public const int MaxRemainingLength = 268435455;

        /// <summary>CONNECT with username, password, keep-alive and a will message (§3.1).</summary>
        public static byte[] Connect(string clientId, string userName, string password, bool cleanSession, int keepAliveSeconds,
            string willTopic, byte[] willMessage, int willQoS, bool willRetain)
        {
            byte[] id = Utf8(clientId);
            byte[] user = userName == null ? null : Utf8(userName);
            byte[] pass = password == null ? null : Utf8(password);
            byte[] wTopic = willTopic == null ? null : Utf8(willTopic);
            int flags = 0;
            if (user != null) flags |= 0x80;
            if (pass != null) flags |= 0x40;
            if (wTopic != null)
            {
                flags |= 0x04 | ((willQoS & 0x03) << 3);
                if (willRetain) flags |= 0x20;
            }
            if (cleanSession) flags |= 0x02;

            int length = 10 + 2 + id.Length;
            if (wTopic != null) length += 2 + wTopic.Length + 2 + (willMessage == null ? 0 : willMessage.Length);
            if (user != null) length += 2 + user.Length;
            if (pass != null) length += 2 + pass.Length;

            byte[] b = new byte[FixedHeaderLength(length) + length];
            int p = WriteFixedHeader(b, (MqttPacketType.Connect << 4), length);
            p = WriteString(b, p, Utf8("MQTT"));
            b[p++] = 4; // protocol level 3.1.1
            b[p++] = (byte)flags;
            b[p++] = (byte)(keepAliveSeconds >> 8);
            b[p++] = (byte)keepAliveSeconds;
            p = WriteString(b, p, id);
            if (wTopic != null)
            {
                p = WriteString(b, p, wTopic);
                p = WriteString(b, p, willMessage == null ? new byte[0] : willMessage);
            }
            if (user != null) p = WriteString(b, p, user);
            if (pass != null) WriteString(b, p, pass);
            return b;
        }

        /// <summary>SUBSCRIBE to one topic filter (§3.8; fixed-header flags must be 0010).</summary>
        public static byte[] Subscribe(int packetId, string topicFilter, int qos)
        {
            byte[] t = Utf8(topicFilter);
            int length = 2 + 2 + t.Length + 1;
            byte[] b = new byte[FixedHeaderLength(length) + length];
            int p = WriteFixedHeader(b, (MqttPacketType.Subscribe << 4) | 0x02, length);
            b[p++] = (byte)(packetId >> 8);
            b[p++] = (byte)packetId;
            p = WriteString(b, p, t);
            b[p] = (byte)qos;
            return b;
        }

        /// <summary>PUBLISH (§3.3); packetId is written only for QoS 1.</summary>
        public static byte[] Publish(string topic, byte[] payload, int qos, int packetId, bool dup, bool retain)
        {
            byte[] t = Utf8(topic);
            int length = 2 + t.Length + (qos > 0 ? 2 : 0) + payload.Length;
            int flags = (qos << 1) | (dup ? 0x08 : 0) | (retain ? 0x01 : 0);
            byte[] b = new byte[FixedHeaderLength(length) + length];
            int p = WriteFixedHeader(b, (MqttPacketType.Publish << 4) | flags, length);
            p = WriteString(b, p, t);
            if (qos > 0)
            {
                b[p++] = (byte)(packetId >> 8);
                b[p++] = (byte)packetId;
            }
            Array.Copy(payload, 0, b, p, payload.Length);
            return b;
        }

        /// <summary>PUBACK for a received QoS 1 PUBLISH (§3.4).</summary>
        public static byte[] PubAck(int packetId)
        {
            return new byte[] { (byte)(MqttPacketType.PubAck << 4), 2, (byte)(packetId >> 8), (byte)packetId };
        }

        /// <summary>PINGREQ (§3.12).</summary>
        public static byte[] PingReq()
        {
            return new byte[] { (byte)(MqttPacketType.PingReq << 4), 0 };
        }

        /// <summary>DISCONNECT (§3.14): a clean goodbye, so the broker does not publish the will.</summary>
        public static byte[] Disconnect()
        {
            return new byte[] { (byte)(MqttPacketType.Disconnect << 4), 0 };
        }

        /// <summary>Bytes the remaining-length field needs (§2.2.3).</summary>
        public static int RemainingLengthBytes(int length)
        {
            if (length < 0 || length > MaxRemainingLength)
            {
                throw new ArgumentException("MQTT remaining length out of range");
            }
            return length < 128 ? 1 : length < 16384 ? 2 : length < 2097152 ? 3 : 4;
        }

        /// <summary>Writes the remaining-length varint at b[p]; returns the position after it.</summary>
        public static int WriteRemainingLength(byte[] b, int p, int length)
        {
            RemainingLengthBytes(length);
            do
            {
                int digit = length % 128;
                length /= 128;
                if (length > 0)
                {
                    digit |= 0x80;
                }
                b[p++] = (byte)digit;
            }
            while (length > 0);
            return p;
        }

        private static int FixedHeaderLength(int remaining)
        {
            return 1 + RemainingLengthBytes(remaining);
        }

        private static int WriteFixedHeader(byte[] b, int first, int remaining)
        {
            b[0] = (byte)first;
            return WriteRemainingLength(b, 1, remaining);
        }

        private static int WriteString(byte[] b, int p, byte[] s)
        {
            b[p++] = (byte)(s.Length >> 8);
            b[p++] = (byte)s.Length;
            Array.Copy(s, 0, b, p, s.Length);
            return p + s.Length;
        }

        private static byte[] Utf8(string s)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s);
            if (bytes.Length > 65535)
            {
                throw new ArgumentException("MQTT strings are at most 65535 bytes");
            }
            return bytes;
        }
    }
}
