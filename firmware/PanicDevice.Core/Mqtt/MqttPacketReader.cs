using System;
using System.Text;

namespace PanicDevice.Core.Mqtt
{
    /// <summary>What the reader produced from the bytes fed so far.</summary>
    internal enum MqttReadStatus
    {
        /// <summary>More bytes are needed.</summary>
        Incomplete = 0,
        /// <summary>A whole, valid packet is in <see cref="MqttPacketReader.Packet"/>.</summary>
        Packet = 1,
        /// <summary>The stream is not valid MQTT from a server; <see cref="MqttPacketReader.Error"/> says why. Drop the connection.</summary>
        Error = 2,
    }

    /// <summary>
    /// Incremental, strict parser of the packets a broker sends a client (MQTT 3.1.1). Bytes may arrive in
    /// any chunking (a modem delivers a few at a time). It never throws and never allocates more than
    /// <see cref="MaxPacketBytes"/> for a packet, whatever length the header announces.
    /// </summary>
    internal class MqttPacketReader
    {
        /// <summary>Largest packet accepted (remaining length); the device only ever receives small frames.</summary>
        public readonly int MaxPacketBytes;

        private int state; // 0 first byte, 1 length, 2 body, 3 failed
        private byte first;
        private int remaining;
        private int multiplier;
        private int lengthBytes;
        private byte[] body;
        private int filled;
        private MqttPacket packet;
        private string error;

        /// <summary>Creates a reader that refuses packets longer than <paramref name="maxPacketBytes"/>.</summary>
        public MqttPacketReader(int maxPacketBytes)
        {
            MaxPacketBytes = maxPacketBytes;
        }

        /// <summary>The packet completed by the last <see cref="Push"/> that returned Packet.</summary>
        public MqttPacket Packet
        {
            get { return packet; }
        }

        /// <summary>Why the stream was refused.</summary>
        public string Error
        {
            get { return error; }
        }

        /// <summary>Starts over (after a reconnect).</summary>
        public void Reset()
        {
            state = 0;
            error = null;
            packet = null;
            body = null;
        }

        /// <summary>Feeds one byte. After Packet, the next byte starts a new packet; after Error, every byte is Error until Reset.</summary>
        public MqttReadStatus Push(byte b)
        {
            switch (state)
            {
                case 0:
                    first = b;
                    remaining = 0;
                    multiplier = 1;
                    lengthBytes = 0;
                    state = 1;
                    return MqttReadStatus.Incomplete;
                case 1:
                    lengthBytes++;
                    remaining += (b & 0x7F) * multiplier;
                    multiplier *= 128;
                    if ((b & 0x80) != 0)
                    {
                        if (lengthBytes == 4)
                        {
                            return Fail("remaining length longer than 4 bytes");
                        }
                        return MqttReadStatus.Incomplete;
                    }
                    if (remaining > MaxPacketBytes)
                    {
                        return Fail("packet of " + remaining.ToString() + " bytes exceeds the limit of " + MaxPacketBytes.ToString());
                    }
                    body = new byte[remaining];
                    filled = 0;
                    if (remaining == 0)
                    {
                        return Complete();
                    }
                    state = 2;
                    return MqttReadStatus.Incomplete;
                case 2:
                    body[filled++] = b;
                    return filled == remaining ? Complete() : MqttReadStatus.Incomplete;
                default:
                    return MqttReadStatus.Error;
            }
        }

        private MqttReadStatus Complete()
        {
            state = 0;
            int type = first >> 4;
            int flags = first & 0x0F;
            MqttPacket p = new MqttPacket();
            p.Type = (byte)type;
            p.Flags = (byte)flags;
            switch (type)
            {
                case MqttPacketType.ConnAck:
                    if (flags != 0 || body.Length != 2 || (body[0] & 0xFE) != 0)
                    {
                        return Fail("malformed CONNACK");
                    }
                    p.SessionPresent = body[0] == 1;
                    p.ReturnCode = body[1];
                    if (p.ReturnCode > 5)
                    {
                        return Fail("CONNACK return code " + p.ReturnCode.ToString() + " is not defined");
                    }
                    break;
                case MqttPacketType.PubAck:
                case MqttPacketType.UnsubAck:
                    if (flags != 0 || body.Length != 2)
                    {
                        return Fail("malformed acknowledgement");
                    }
                    p.PacketId = (body[0] << 8) | body[1];
                    if (p.PacketId == 0)
                    {
                        return Fail("packet identifier 0");
                    }
                    break;
                case MqttPacketType.SubAck:
                    if (flags != 0 || body.Length < 3)
                    {
                        return Fail("malformed SUBACK");
                    }
                    p.PacketId = (body[0] << 8) | body[1];
                    p.SubAckCodes = new byte[body.Length - 2];
                    for (int i = 0; i < p.SubAckCodes.Length; i++)
                    {
                        byte code = body[2 + i];
                        if (code > 2 && code != 0x80)
                        {
                            return Fail("SUBACK return code " + code.ToString() + " is not defined");
                        }
                        p.SubAckCodes[i] = code;
                    }
                    break;
                case MqttPacketType.PingResp:
                    if (flags != 0 || body.Length != 0)
                    {
                        return Fail("malformed PINGRESP");
                    }
                    break;
                case MqttPacketType.Publish:
                    string problem = ParsePublish(p, flags);
                    if (problem != null)
                    {
                        return Fail(problem);
                    }
                    break;
                default:
                    // CONNECT, SUBSCRIBE, PINGREQ, DISCONNECT never come from a server; QoS 2 is never requested.
                    return Fail("packet type " + type.ToString() + " is not expected from a broker");
            }
            body = null;
            packet = p;
            return MqttReadStatus.Packet;
        }

        private string ParsePublish(MqttPacket p, int flags)
        {
            int qos = (flags >> 1) & 0x03;
            if (qos > 1)
            {
                return "PUBLISH with QoS " + qos.ToString() + " (the device subscribes with QoS 1)";
            }
            if (qos == 0 && (flags & 0x08) != 0)
            {
                return "DUP set on a QoS 0 PUBLISH";
            }
            if (body.Length < 2)
            {
                return "PUBLISH without a topic";
            }
            int topicLength = (body[0] << 8) | body[1];
            int p0 = 2 + topicLength;
            if (topicLength == 0 || p0 > body.Length || (qos > 0 && p0 + 2 > body.Length))
            {
                return "PUBLISH topic length out of bounds";
            }
            for (int i = 2; i < p0; i++)
            {
                if (body[i] == 0 || body[i] == (byte)'+' || body[i] == (byte)'#')
                {
                    return "PUBLISH topic has a null or wildcard character";
                }
            }
            p.Topic = Encoding.UTF8.GetString(body, 2, topicLength);
            p.QoS = qos;
            if (qos > 0)
            {
                p.PacketId = (body[p0] << 8) | body[p0 + 1];
                if (p.PacketId == 0)
                {
                    return "packet identifier 0";
                }
                p0 += 2;
            }
            p.Payload = new byte[body.Length - p0];
            Array.Copy(body, p0, p.Payload, 0, p.Payload.Length);
            return null;
        }

        private MqttReadStatus Fail(string reason)
        {
            state = 3;
            error = reason;
            body = null;
            return MqttReadStatus.Error;
        }
    }
}
