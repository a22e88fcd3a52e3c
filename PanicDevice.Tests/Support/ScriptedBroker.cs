using System;
using System.Collections;
using System.Text;
using PanicDevice.Core.Mqtt;

namespace PanicDevice.Tests.Support
{
    /// <summary>A CONNECT the broker received.</summary>
    public class ReceivedConnect
    {
        /// <summary>Which accepted connection it came on (1 for the first).</summary>
        public int Connection;
        public long AtMs;
        public string ProtocolName;
        public int ProtocolLevel;
        public string ClientId;
        /// <summary>Null when the user-name flag was off.</summary>
        public string UserName;
        /// <summary>Null when the password flag was off.</summary>
        public string Password;
        public int KeepAliveSeconds;
        public bool CleanSession;
        /// <summary>Null when the will flag was off.</summary>
        public string WillTopic;
        public byte[] WillPayload;
        public int WillQoS;
        public bool WillRetain;
    }

    /// <summary>A SUBSCRIBE the broker received (the device sends one filter; all are kept).</summary>
    public class ReceivedSubscribe
    {
        public int Connection;
        public long AtMs;
        public int PacketId;
        public string[] Filters;
        public int[] RequestedQoS;
    }

    /// <summary>A PUBLISH the broker received.</summary>
    public class ReceivedPublish
    {
        public int Connection;
        public long AtMs;
        public int PacketId;
        public int QoS;
        public bool Dup;
        public bool Retain;
        public string Topic;
        public byte[] Payload;
    }

    /// <summary>Called for every PUBLISH from the device, after the broker queued its PUBACK (a receiver's answer goes out through <see cref="ScriptedBroker.PushPublish"/>).</summary>
    public delegate void BrokerPublishHandler(ScriptedBroker broker, ReceivedPublish publish, long nowMs);

    /// <summary>
    /// The broker side of an MQTT 3.1.1 connection, scripted, for device tests: it records what the device sends
    /// and answers as configured. Behind any byte carrier (<see cref="PeerLink"/> for the session tests, a scripted
    /// SIM800 for whole-device tests); it knows nothing about the carrier. The device's PUBLISH and PUBACK are
    /// parsed by Core's own <see cref="MqttPacketReader"/> (they have the same layout in both directions);
    /// CONNECT, SUBSCRIBE, PINGREQ and DISCONNECT, which Core's client-side reader refuses, are parsed here.
    /// A packet that breaks the specification is recorded in <see cref="ProtocolError"/> and ends the
    /// connection, as a real broker would: a test that ends with a ProtocolError has found a device bug.
    /// Time is the device's injected clock (the nowMs the carrier passes in).
    /// </summary>
    public class ScriptedBroker : ITcpPeer
    {
        /// <summary>Largest packet accepted from the device; the device's packets are far smaller.</summary>
        public const int MaxPacketBytes = 16384;

        // ----- Script: how the broker answers (change any time between polls) -----

        /// <summary>Refuse TCP connections (Accept returns false: the carrier reports the open as failed).</summary>
        public bool RefuseConnections;
        /// <summary>CONNACK return code: 0 accepted, 1-5 refused (the broker then closes the connection, §3.2.2.3).</summary>
        public int ConnAckCode;
        /// <summary>SUBACK return code for every filter: the granted QoS 0-2, or 0x80 for failure.</summary>
        public int SubAckCode = 1;
        /// <summary>Answer QoS 1 PUBLISHes with PUBACK (false: never).</summary>
        public bool AckPublishes = true;
        /// <summary>How long a PUBACK takes to leave the broker (TCP keeps order: what is queued behind it waits too).</summary>
        public int PubAckDelayMs;
        /// <summary>Answer nothing (CONNACK, SUBACK, PUBACK, PINGRESP) while true, but keep recording: a dead path that stays open.</summary>
        public bool Silent;
        /// <summary>Optional: acts on each PUBLISH from the device, e.g. a receiver answering with a signed ack.</summary>
        public BrokerPublishHandler PublishArrived;

        // ----- Record: what the device did -----

        /// <summary>CONNECTs, SUBSCRIBEs and PUBLISHes in arrival order, over all connections.</summary>
        public readonly ArrayList Connects = new ArrayList();
        public readonly ArrayList Subscribes = new ArrayList();
        public readonly ArrayList Publishes = new ArrayList();
        /// <summary>Packet ids (int) of the device's PUBACKs for the broker's QoS 1 PUBLISHes.</summary>
        public readonly ArrayList PubAcks = new ArrayList();
        /// <summary>Times Accept was asked (refused ones included) and connections accepted.</summary>
        public int ConnectionAttempts;
        public int Connections;
        public int PingRequests;
        public int Disconnects;
        /// <summary>Host and port of the last attempt.</summary>
        public string Host;
        public int Port;
        /// <summary>The first violation of MQTT 3.1.1 the device committed; null while none.</summary>
        public string ProtocolError;

        private readonly StringBuilder transcript = new StringBuilder();
        private readonly ArrayList outgoing = new ArrayList();
        private int outgoingOffset;
        private bool closed = true;
        private bool connected;

        // Framing of the packet being received.
        private int state; // 0 first byte, 1 remaining length, 2 body
        private byte first;
        private int remaining;
        private int multiplier;
        private int lengthBytes;
        private byte[] body;
        private int filled;

        private class Outgoing
        {
            public long DueMs;
            public byte[] Bytes;
        }

        /// <summary>
        /// What the device sent, one word per packet (CONNECT SUBSCRIBE PUBLISH PUBLISH(DUP) PUBACK PINGREQ
        /// DISCONNECT, INVALID for a violation), with " | " where a new connection began.
        /// </summary>
        public string Transcript
        {
            get { return transcript.ToString(); }
        }

        /// <summary>The n-th CONNECT (0-based).</summary>
        public ReceivedConnect Connect(int index)
        {
            return (ReceivedConnect)Connects[index];
        }

        /// <summary>The n-th SUBSCRIBE (0-based).</summary>
        public ReceivedSubscribe Subscribe(int index)
        {
            return (ReceivedSubscribe)Subscribes[index];
        }

        /// <summary>The n-th PUBLISH (0-based).</summary>
        public ReceivedPublish Publish(int index)
        {
            return (ReceivedPublish)Publishes[index];
        }

        // ----- Actions -----

        /// <summary>Sends a PUBLISH to the device on the open connection (QoS 0 or 1; packetId only for QoS 1).</summary>
        public void PushPublish(string topic, byte[] payload, int qos, int packetId, bool dup)
        {
            PushRaw(MqttPacketWriter.Publish(topic, payload, qos, packetId, dup, false));
        }

        /// <summary>Sends any bytes to the device on the open connection: garbage, a forbidden packet, a huge length.</summary>
        public void PushRaw(byte[] bytes)
        {
            Queue(bytes, long.MinValue);
        }

        /// <summary>
        /// The connection breaks (a reset): what the broker had not handed over yet is lost. Unlike this, a close
        /// after a refused CONNACK or a DISCONNECT still delivers what was sent before it, as TCP does.
        /// </summary>
        public void Drop()
        {
            outgoing.Clear();
            outgoingOffset = 0;
            closed = true;
        }

        // ----- ITcpPeer -----

        /// <summary>True once this connection is over; <see cref="Take"/> still hands over what was sent before a graceful close.</summary>
        public bool Closed
        {
            get { return closed; }
        }

        public bool Accept(string host, int port, long nowMs)
        {
            ConnectionAttempts++;
            Host = host;
            Port = port;
            if (RefuseConnections)
            {
                return false;
            }
            Connections++;
            if (Connections > 1)
            {
                transcript.Append(" |");
            }
            outgoing.Clear();
            outgoingOffset = 0;
            closed = false;
            connected = false;
            state = 0;
            body = null;
            return true;
        }

        public void Receive(byte[] data, int offset, int count, long nowMs)
        {
            for (int i = offset; i < offset + count && !closed; i++)
            {
                PushByte(data[i], nowMs);
            }
        }

        public int Take(byte[] buffer, int offset, int count, long nowMs)
        {
            int n = 0;
            while (n < count && outgoing.Count > 0)
            {
                Outgoing head = (Outgoing)outgoing[0];
                if (head.DueMs > nowMs)
                {
                    break;
                }
                int part = head.Bytes.Length - outgoingOffset;
                if (part > count - n)
                {
                    part = count - n;
                }
                Array.Copy(head.Bytes, outgoingOffset, buffer, offset + n, part);
                n += part;
                outgoingOffset += part;
                if (outgoingOffset == head.Bytes.Length)
                {
                    outgoing.RemoveAt(0);
                    outgoingOffset = 0;
                }
            }
            return n;
        }

        // ----- Receiving -----

        private void PushByte(byte b, long nowMs)
        {
            switch (state)
            {
                case 0:
                    first = b;
                    remaining = 0;
                    multiplier = 1;
                    lengthBytes = 0;
                    state = 1;
                    return;
                case 1:
                    lengthBytes++;
                    remaining += (b & 0x7F) * multiplier;
                    multiplier *= 128;
                    if ((b & 0x80) != 0)
                    {
                        if (lengthBytes == 4)
                        {
                            Violation("remaining length longer than 4 bytes");
                        }
                        return;
                    }
                    if (remaining > MaxPacketBytes)
                    {
                        Violation("packet of " + remaining.ToString() + " bytes");
                        return;
                    }
                    body = new byte[remaining];
                    filled = 0;
                    if (remaining == 0)
                    {
                        Complete(nowMs);
                        return;
                    }
                    state = 2;
                    return;
                default:
                    body[filled++] = b;
                    if (filled == remaining)
                    {
                        Complete(nowMs);
                    }
                    return;
            }
        }

        private void Complete(long nowMs)
        {
            state = 0;
            int type = first >> 4;
            int flags = first & 0x0F;
            if (!connected && type != MqttPacketType.Connect)
            {
                Violation("packet type " + type.ToString() + " before CONNECT");
                return;
            }
            switch (type)
            {
                case MqttPacketType.Connect:
                    OnConnect(flags, nowMs);
                    return;
                case MqttPacketType.Subscribe:
                    OnSubscribe(flags, nowMs);
                    return;
                case MqttPacketType.Publish:
                    OnPublish(nowMs);
                    return;
                case MqttPacketType.PubAck:
                    MqttPacket ack = ParseWithCore();
                    if (ack != null)
                    {
                        transcript.Append(" PUBACK");
                        PubAcks.Add(ack.PacketId);
                    }
                    return;
                case MqttPacketType.PingReq:
                    if (flags != 0 || body.Length != 0)
                    {
                        Violation("malformed PINGREQ");
                        return;
                    }
                    transcript.Append(" PINGREQ");
                    PingRequests++;
                    Answer(new byte[] { MqttPacketType.PingResp << 4, 0 }, nowMs);
                    return;
                case MqttPacketType.Disconnect:
                    if (flags != 0 || body.Length != 0)
                    {
                        Violation("malformed DISCONNECT");
                        return;
                    }
                    transcript.Append(" DISCONNECT");
                    Disconnects++;
                    closed = true;
                    return;
                default:
                    Violation("packet type " + type.ToString() + " is not one the device sends");
                    return;
            }
        }

        private void OnConnect(int flags, long nowMs)
        {
            if (connected)
            {
                Violation("a second CONNECT on one connection (§3.1.0-2)");
                return;
            }
            int p = 0;
            ReceivedConnect c = new ReceivedConnect();
            c.Connection = Connections;
            c.AtMs = nowMs;
            c.ProtocolName = ReadString(ref p);
            if (c.ProtocolName == null || flags != 0 || p + 4 > body.Length)
            {
                Violation("malformed CONNECT header");
                return;
            }
            c.ProtocolLevel = body[p++];
            int f = body[p++];
            c.KeepAliveSeconds = (body[p] << 8) | body[p + 1];
            p += 2;
            c.CleanSession = (f & 0x02) != 0;
            bool will = (f & 0x04) != 0;
            c.WillQoS = (f >> 3) & 0x03;
            c.WillRetain = (f & 0x20) != 0;
            if ((f & 0x01) != 0 || c.WillQoS == 3 || (!will && (c.WillQoS != 0 || c.WillRetain)) || ((f & 0x40) != 0 && (f & 0x80) == 0))
            {
                Violation("CONNECT flags 0x" + Hex.Of(new byte[] { (byte)f }) + " break §3.1.2");
                return;
            }
            c.ClientId = ReadString(ref p);
            if (will)
            {
                c.WillTopic = ReadString(ref p);
                c.WillPayload = ReadBytes(ref p);
            }
            if ((f & 0x80) != 0)
            {
                c.UserName = ReadString(ref p);
            }
            if ((f & 0x40) != 0)
            {
                byte[] password = ReadBytes(ref p);
                c.Password = password == null ? null : Encoding.UTF8.GetString(password, 0, password.Length);
            }
            if (c.ClientId == null || (will && (c.WillTopic == null || c.WillPayload == null)) || ((f & 0x80) != 0 && c.UserName == null)
                || ((f & 0x40) != 0 && c.Password == null) || p != body.Length)
            {
                Violation("CONNECT payload does not match its flags");
                return;
            }
            transcript.Append(" CONNECT");
            Connects.Add(c);
            connected = true;
            if (Silent)
            {
                return;
            }
            Queue(new byte[] { MqttPacketType.ConnAck << 4, 2, 0, (byte)ConnAckCode }, nowMs);
            if (ConnAckCode != 0)
            {
                closed = true;
            }
        }

        private void OnSubscribe(int flags, long nowMs)
        {
            if (flags != 0x02 || body.Length < 5)
            {
                Violation("malformed SUBSCRIBE (flags must be 0010, §3.8.1)");
                return;
            }
            ReceivedSubscribe s = new ReceivedSubscribe();
            s.Connection = Connections;
            s.AtMs = nowMs;
            s.PacketId = (body[0] << 8) | body[1];
            ArrayList filters = new ArrayList();
            ArrayList qos = new ArrayList();
            int p = 2;
            while (p < body.Length)
            {
                string filter = ReadString(ref p);
                if (filter == null || filter.Length == 0 || p >= body.Length || body[p] > 2)
                {
                    Violation("malformed SUBSCRIBE topic filter");
                    return;
                }
                filters.Add(filter);
                qos.Add((int)body[p++]);
            }
            if (s.PacketId == 0)
            {
                Violation("SUBSCRIBE with packet identifier 0");
                return;
            }
            s.Filters = new string[filters.Count];
            s.RequestedQoS = new int[qos.Count];
            for (int i = 0; i < filters.Count; i++)
            {
                s.Filters[i] = (string)filters[i];
                s.RequestedQoS[i] = (int)qos[i];
            }
            transcript.Append(" SUBSCRIBE");
            Subscribes.Add(s);
            byte[] suback = new byte[4 + filters.Count];
            suback[0] = MqttPacketType.SubAck << 4;
            suback[1] = (byte)(2 + filters.Count);
            suback[2] = body[0];
            suback[3] = body[1];
            for (int i = 0; i < filters.Count; i++)
            {
                suback[4 + i] = (byte)SubAckCode;
            }
            Answer(suback, nowMs);
        }

        private void OnPublish(long nowMs)
        {
            MqttPacket packet = ParseWithCore();
            if (packet == null)
            {
                return;
            }
            ReceivedPublish p = new ReceivedPublish();
            p.Connection = Connections;
            p.AtMs = nowMs;
            p.PacketId = packet.PacketId;
            p.QoS = packet.QoS;
            p.Dup = (packet.Flags & 0x08) != 0;
            p.Retain = (packet.Flags & 0x01) != 0;
            p.Topic = packet.Topic;
            p.Payload = packet.Payload;
            transcript.Append(p.Dup ? " PUBLISH(DUP)" : " PUBLISH");
            Publishes.Add(p);
            if (p.QoS == 1 && AckPublishes && !Silent)
            {
                Queue(MqttPacketWriter.PubAck(p.PacketId), nowMs + PubAckDelayMs);
            }
            if (PublishArrived != null)
            {
                PublishArrived(this, p, nowMs);
            }
        }

        /// <summary>Feeds the packet just framed to Core's reader; null (and a violation) when it refuses it.</summary>
        private MqttPacket ParseWithCore()
        {
            MqttPacketReader reader = new MqttPacketReader(MaxPacketBytes);
            byte[] header = new byte[5];
            header[0] = first;
            int end = MqttPacketWriter.WriteRemainingLength(header, 1, body.Length);
            MqttReadStatus status = MqttReadStatus.Incomplete;
            for (int i = 0; i < end; i++)
            {
                status = reader.Push(header[i]);
            }
            for (int i = 0; i < body.Length && status == MqttReadStatus.Incomplete; i++)
            {
                status = reader.Push(body[i]);
            }
            if (status != MqttReadStatus.Packet)
            {
                Violation(status == MqttReadStatus.Error ? reader.Error : "packet incomplete");
                return null;
            }
            return reader.Packet;
        }

        // ----- Helpers -----

        private void Answer(byte[] packet, long nowMs)
        {
            if (!Silent)
            {
                Queue(packet, nowMs);
            }
        }

        private void Queue(byte[] bytes, long dueMs)
        {
            if (closed)
            {
                return;
            }
            Outgoing o = new Outgoing();
            o.DueMs = dueMs;
            o.Bytes = bytes;
            outgoing.Add(o);
        }

        private void Violation(string what)
        {
            if (ProtocolError == null)
            {
                ProtocolError = what;
            }
            transcript.Append(" INVALID");
            state = 0;
            body = null;
            Drop();
        }

        private byte[] ReadBytes(ref int p)
        {
            if (p + 2 > body.Length)
            {
                return null;
            }
            int n = (body[p] << 8) | body[p + 1];
            if (p + 2 + n > body.Length)
            {
                return null;
            }
            byte[] b = new byte[n];
            Array.Copy(body, p + 2, b, 0, n);
            p += 2 + n;
            return b;
        }

        private string ReadString(ref int p)
        {
            byte[] b = ReadBytes(ref p);
            return b == null ? null : Encoding.UTF8.GetString(b, 0, b.Length);
        }
    }
}
