using System;
using System.Collections;
using System.Text;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Net;

namespace PanicDevice.Core.Mqtt
{
    /// <summary>Where the session is in its connection cycle.</summary>
    public enum MqttSessionState
    {
        /// <summary>Not connected; waiting for the reconnect time.</summary>
        Waiting = 0,
        /// <summary>TCP connection being opened.</summary>
        Opening = 1,
        /// <summary>CONNECT sent, waiting for CONNACK.</summary>
        AwaitingConnAck = 2,
        /// <summary>CONNACK received: publishes go out (the SUBSCRIBE to the ack topic went just before them).</summary>
        Connected = 4,
    }

    /// <summary>
    /// The device's MQTT 3.1.1 session over any <see cref="ITcpLink"/> (the SIM800's TCP stack or a host
    /// socket): CONNECT with a will, SUBSCRIBE to the ack topic, QoS 1 publishes kept in flight until
    /// PUBACK and re-sent with DUP after a reconnect (MQTT 3.1.1 §4.4), PUBACK for received QoS 1 messages,
    /// keep-alive pings, and reconnects with bounded exponential backoff. A missing PUBACK or PINGRESP
    /// means the connection is dead (cellular links fail silently), so it is rebuilt rather than waited on.
    /// Driven entirely by <see cref="Poll"/>.
    /// </summary>
    public class MqttClientSession : IUplink
    {
        private const int DownlinkQoS = 1;

        private readonly MqttSessionOptions options;
        private readonly ITcpLink link;
        private readonly MqttPacketReader reader;
        private readonly ArrayList inFlight = new ArrayList();
        private readonly byte[] receiveBuffer = new byte[256];
        private IDownlinkListener listener;

        private MqttSessionState state;
        private long stateDeadlineMs = -1;
        private long reconnectAtMs;
        private int backoffMs;
        private long lastSentMs;
        private long pingSentMs = -1;
        private int nextPacketId = 1;
        private int subscribeId = -1;
        private long subscribeSentMs;
        private byte[] pendingOut;
        private int pendingOffset;

        /// <summary>Reconnects so far (counted when a connection is lost or refused).</summary>
        public int Reconnects;
        /// <summary>PUBLISH packets re-sent with DUP.</summary>
        public int Retransmits;
        /// <summary>Why the last connection ended or was refused; null while none failed.</summary>
        public string LastError;

        private class Outgoing
        {
            public int PacketId;
            public byte[] Payload;
            public long SentMs;
        }

        /// <summary>Creates a session; it connects on the first <see cref="Poll"/>.</summary>
        public MqttClientSession(MqttSessionOptions options, ITcpLink link)
        {
            if (options == null || options.Host == null || options.ClientId == null || options.UplinkTopic == null || options.DownlinkTopic == null)
            {
                throw new ArgumentException("MQTT session needs host, client id, uplink and downlink topics");
            }
            this.options = options;
            this.link = link;
            reader = new MqttPacketReader(options.MaxPacketBytes);
            backoffMs = options.ReconnectMinMs;
        }

        /// <summary>Where the session is.</summary>
        public MqttSessionState State
        {
            get { return state; }
        }

        /// <summary>True once the broker accepted the connection (the ack-topic SUBSCRIBE is on its way or done).</summary>
        public bool IsConnected
        {
            get { return state == MqttSessionState.Connected; }
        }

        /// <summary>Publishes waiting for PUBACK.</summary>
        public int InFlightCount
        {
            get { return inFlight.Count; }
        }

        /// <summary>Where downlink payloads go.</summary>
        public void SetListener(IDownlinkListener downlinkListener)
        {
            listener = downlinkListener;
        }

        /// <summary>Queues a QoS 1 publish on the uplink topic; false when not connected or too many are in flight.</summary>
        public bool Publish(byte[] payload, long nowMs)
        {
            if (state != MqttSessionState.Connected || inFlight.Count >= options.MaxInFlight || pendingOut != null)
            {
                return false;
            }
            Outgoing o = new Outgoing();
            o.PacketId = NextPacketId();
            o.Payload = payload;
            o.SentMs = nowMs;
            inFlight.Add(o);
            Send(MqttPacketWriter.Publish(options.UplinkTopic, payload, 1, o.PacketId, false, false), nowMs);
            return true;
        }

        /// <summary>When Poll next has a timer to act on (reconnect, timeouts, keep-alive); -1 for none.</summary>
        public long NextDeadlineMs
        {
            get
            {
                switch (state)
                {
                    case MqttSessionState.Waiting:
                        return reconnectAtMs;
                    case MqttSessionState.Connected:
                        long next = lastSentMs + options.KeepAliveSeconds * 1000L;
                        if (pingSentMs >= 0)
                        {
                            next = Min(next, pingSentMs + options.AckTimeoutMs);
                        }
                        if (subscribeId >= 0)
                        {
                            next = Min(next, subscribeSentMs + options.AckTimeoutMs);
                        }
                        for (int i = 0; i < inFlight.Count; i++)
                        {
                            next = Min(next, ((Outgoing)inFlight[i]).SentMs + options.AckTimeoutMs);
                        }
                        return next;
                    default:
                        return stateDeadlineMs;
                }
            }
        }

        /// <summary>Advances the link, reads what arrived, and acts on timers.</summary>
        public void Poll(long nowMs)
        {
            link.Poll(nowMs);
            Flush(nowMs);
            switch (state)
            {
                case MqttSessionState.Waiting:
                    if (nowMs >= reconnectAtMs)
                    {
                        reader.Reset();
                        pendingOut = null;
                        link.Open(options.Host, options.Port, nowMs);
                        Enter(MqttSessionState.Opening, nowMs + options.ConnectTimeoutMs);
                    }
                    return;
                case MqttSessionState.Opening:
                    if (link.State == TcpLinkState.Open)
                    {
                        Send(MqttPacketWriter.Connect(options.ClientId, options.LoginName, options.Password, options.CleanSession, options.KeepAliveSeconds,
                            options.WillTopic, options.WillTopic == null ? null : Encoding.UTF8.GetBytes("offline"), 1, false), nowMs);
                        state = MqttSessionState.AwaitingConnAck;
                    }
                    else if (link.State == TcpLinkState.Failed || nowMs >= stateDeadlineMs)
                    {
                        Drop("could not open a TCP connection to the broker", nowMs);
                    }
                    return;
            }
            if (link.State != TcpLinkState.Open)
            {
                Drop("connection to the broker closed", nowMs);
                return;
            }
            ReadIncoming(nowMs);
            if (state == MqttSessionState.Waiting)
            {
                return;
            }
            if (state != MqttSessionState.Connected)
            {
                if (nowMs >= stateDeadlineMs)
                {
                    Drop("broker did not answer the connection in time", nowMs);
                }
                return;
            }
            for (int i = 0; i < inFlight.Count; i++)
            {
                if (nowMs - ((Outgoing)inFlight[i]).SentMs >= options.AckTimeoutMs)
                {
                    Drop("no PUBACK in time", nowMs);
                    return;
                }
            }
            if (subscribeId >= 0 && nowMs - subscribeSentMs >= options.AckTimeoutMs)
            {
                Drop("no SUBACK in time", nowMs);
                return;
            }
            if (pingSentMs >= 0 && nowMs - pingSentMs >= options.AckTimeoutMs)
            {
                Drop("no PINGRESP in time", nowMs);
                return;
            }
            if (pingSentMs < 0 && nowMs - lastSentMs >= options.KeepAliveSeconds * 1000L)
            {
                pingSentMs = nowMs;
                Send(MqttPacketWriter.PingReq(), nowMs);
            }
        }

        /// <summary>Connects now (after <see cref="Disconnect"/>, e.g. when the device wakes to send), skipping any backoff.</summary>
        public void Reconnect(long nowMs)
        {
            if (state == MqttSessionState.Waiting)
            {
                reconnectAtMs = nowMs;
            }
        }

        /// <summary>Says goodbye cleanly (no will) and closes the link; the session stays closed until <see cref="Reconnect"/>.</summary>
        public void Disconnect(long nowMs)
        {
            if (link.State == TcpLinkState.Open)
            {
                byte[] bye = MqttPacketWriter.Disconnect();
                link.Send(bye, 0, bye.Length, nowMs);
            }
            link.Close(nowMs);
            // A ping still unanswered belonged to the closed connection; left set, it would time out (and drop) the
            // next connection right after its CONNACK.
            pingSentMs = -1;
            state = MqttSessionState.Waiting;
            reconnectAtMs = long.MaxValue;
        }

        private void ReadIncoming(long nowMs)
        {
            while (true)
            {
                int n = link.Receive(receiveBuffer, 0, receiveBuffer.Length);
                if (n <= 0)
                {
                    return;
                }
                for (int i = 0; i < n; i++)
                {
                    MqttReadStatus s = reader.Push(receiveBuffer[i]);
                    if (s == MqttReadStatus.Error)
                    {
                        Drop("broker sent invalid MQTT: " + reader.Error, nowMs);
                        return;
                    }
                    if (s == MqttReadStatus.Packet)
                    {
                        Handle(reader.Packet, nowMs);
                        if (state == MqttSessionState.Waiting)
                        {
                            return;
                        }
                    }
                }
            }
        }

        private void Handle(MqttPacket p, long nowMs)
        {
            switch (p.Type)
            {
                case MqttPacketType.ConnAck:
                    if (state != MqttSessionState.AwaitingConnAck)
                    {
                        Drop("unexpected CONNACK", nowMs);
                        return;
                    }
                    if (p.ReturnCode != 0)
                    {
                        Drop(RefusalText(p.ReturnCode), nowMs);
                        return;
                    }
                    subscribeId = NextPacketId();
                    subscribeSentMs = nowMs;
                    Send(MqttPacketWriter.Subscribe(subscribeId, options.DownlinkTopic, DownlinkQoS), nowMs);
                    // Publish right behind the SUBSCRIBE instead of a round trip later: the broker handles a
                    // connection's packets in order, so the ack topic is subscribed before the alert is
                    // routed; a cold start over GPRS costs three round trips, not four.
                    state = MqttSessionState.Connected;
                    backoffMs = options.ReconnectMinMs;
                    LastError = null;
                    ResendInFlight(nowMs);
                    return;
                case MqttPacketType.SubAck:
                    if (p.PacketId != subscribeId)
                    {
                        return;
                    }
                    subscribeId = -1;
                    if (p.SubAckCodes[0] == 0x80)
                    {
                        Drop("broker refused the subscription to " + options.DownlinkTopic, nowMs);
                    }
                    return;
                case MqttPacketType.PubAck:
                    for (int i = 0; i < inFlight.Count; i++)
                    {
                        if (((Outgoing)inFlight[i]).PacketId == p.PacketId)
                        {
                            inFlight.RemoveAt(i);
                            return;
                        }
                    }
                    return;
                case MqttPacketType.PingResp:
                    pingSentMs = -1;
                    return;
                case MqttPacketType.Publish:
                    if (p.QoS == 1)
                    {
                        Send(MqttPacketWriter.PubAck(p.PacketId), nowMs);
                    }
                    // Duplicates are possible (QoS 1); the delivery engine verifies and de-duplicates.
                    if (p.Topic == options.DownlinkTopic && listener != null)
                    {
                        listener.OnDownlink(p.Payload, nowMs);
                    }
                    return;
            }
        }

        private void ResendInFlight(long nowMs)
        {
            for (int i = 0; i < inFlight.Count; i++)
            {
                Outgoing o = (Outgoing)inFlight[i];
                o.SentMs = nowMs;
                Retransmits++;
                Send(MqttPacketWriter.Publish(options.UplinkTopic, o.Payload, 1, o.PacketId, true, false), nowMs);
            }
        }

        private void Drop(string reason, long nowMs)
        {
            LastError = reason;
            Reconnects++;
            link.Close(nowMs);
            pendingOut = null;
            pingSentMs = -1;
            subscribeId = -1;
            state = MqttSessionState.Waiting;
            reconnectAtMs = nowMs + backoffMs;
            backoffMs = backoffMs >= options.ReconnectMaxMs / 2 ? options.ReconnectMaxMs : backoffMs * 2;
        }

        private void Send(byte[] packet, long nowMs)
        {
            if (pendingOut != null)
            {
                // Keep order: append behind what the link has not taken yet.
                byte[] joined = new byte[pendingOut.Length - pendingOffset + packet.Length];
                Array.Copy(pendingOut, pendingOffset, joined, 0, pendingOut.Length - pendingOffset);
                Array.Copy(packet, 0, joined, pendingOut.Length - pendingOffset, packet.Length);
                pendingOut = joined;
                pendingOffset = 0;
            }
            else
            {
                pendingOut = packet;
                pendingOffset = 0;
            }
            lastSentMs = nowMs;
            Flush(nowMs);
        }

        private void Flush(long nowMs)
        {
            while (pendingOut != null && link.State == TcpLinkState.Open)
            {
                int n = link.Send(pendingOut, pendingOffset, pendingOut.Length - pendingOffset, nowMs);
                if (n <= 0)
                {
                    return;
                }
                pendingOffset += n;
                if (pendingOffset >= pendingOut.Length)
                {
                    pendingOut = null;
                }
            }
        }

        private void Enter(MqttSessionState next, long deadlineMs)
        {
            state = next;
            stateDeadlineMs = deadlineMs;
        }

        private int NextPacketId()
        {
            int id = nextPacketId;
            nextPacketId = nextPacketId >= 65535 ? 1 : nextPacketId + 1;
            return id;
        }

        private static string RefusalText(byte code)
        {
            switch (code)
            {
                case 1: return "broker refused the connection: unacceptable protocol version";
                case 2: return "broker refused the connection: client id rejected";
                case 3: return "broker refused the connection: server unavailable";
                case 4: return "broker refused the connection: bad user name or password";
                default: return "broker refused the connection: not authorised";
            }
        }

        private static long Min(long a, long b)
        {
            return a < b ? a : b;
        }
    }
}
