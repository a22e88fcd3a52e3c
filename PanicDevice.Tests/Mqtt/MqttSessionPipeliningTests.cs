using System;
using System.Collections;
using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Net;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Mqtt
{
    /// <summary>The session publishes right behind its SUBSCRIBE (one round trip less on a cold GPRS start) and still polices the SUBACK.</summary>
    [TestClass]
    public class MqttSessionPipeliningTests
    {
        /// <summary>A link that always opens, keeps every sent byte and hands over exactly the bytes the test feeds.</summary>
        private sealed class ScriptedLink : ITcpLink
        {
            public readonly ArrayList Sent = new ArrayList();
            public readonly Queue Incoming = new Queue();
            private TcpLinkState state;

            public TcpLinkState State
            {
                get { return state; }
            }

            public void Open(string host, int port, long nowMs)
            {
                state = TcpLinkState.Open;
            }

            public void Close(long nowMs)
            {
                state = TcpLinkState.Closed;
            }

            public int Send(byte[] data, int offset, int count, long nowMs)
            {
                for (int i = offset; i < offset + count; i++)
                {
                    Sent.Add(data[i]);
                }
                return count;
            }

            public int Receive(byte[] buffer, int offset, int count)
            {
                int n = 0;
                while (n < count && Incoming.Count > 0)
                {
                    buffer[offset + n++] = (byte)Incoming.Dequeue();
                }
                return n;
            }

            public void Poll(long nowMs)
            {
            }

            public void Feed(params byte[] bytes)
            {
                for (int i = 0; i < bytes.Length; i++)
                {
                    Incoming.Enqueue(bytes[i]);
                }
            }

            /// <summary>Fixed-header types of the packets sent, comma-separated (small packets: one remaining-length byte).</summary>
            public string SentTypes()
            {
                string types = "";
                for (int i = 0; i + 1 < Sent.Count; i += 2 + (byte)Sent[i + 1])
                {
                    types += (types.Length == 0 ? "" : ",") + ((byte)Sent[i] >> 4).ToString();
                }
                return types;
            }
        }

        private sealed class Rig
        {
            public readonly ScriptedLink Link = new ScriptedLink();
            public readonly MqttClientSession Session;

            public Rig()
            {
                MqttSessionOptions o = new MqttSessionOptions();
                o.Host = "broker";
                o.ClientId = "fob-1";
                o.Password = "pw";
                o.UplinkTopic = "pd/v1/fob-1/up";
                o.DownlinkTopic = "pd/v1/fob-1/ack";
                o.AckTimeoutMs = 5000;
                Session = new MqttClientSession(o, Link);
            }
        }

        private static Rig Connected()
        {
            Rig rig = new Rig();
            rig.Session.Poll(0);
            rig.Session.Poll(1);
            rig.Link.Feed(0x20, 0x02, 0x00, 0x00); // CONNACK accepted
            rig.Session.Poll(2);
            return rig;
        }

        [TestMethod]
        public void PublishGoesOutBeforeTheSubAckArrives()
        {
            Rig rig = Connected();
            Assert.IsTrue(rig.Session.IsConnected);
            Assert.IsTrue(rig.Session.Publish(new byte[] { 1, 2, 3 }, 3));
            rig.Session.Poll(3);
            Assert.AreEqual("1,8,3", rig.Link.SentTypes(), "CONNECT, SUBSCRIBE, PUBLISH with no wait between");
        }

        [TestMethod]
        public void RefusedSubscriptionStillDropsTheConnection()
        {
            Rig rig = Connected();
            rig.Link.Feed(0x90, 0x03, 0x00, 0x01, 0x80); // SUBACK for packet 1: failure
            rig.Session.Poll(10);
            Assert.IsFalse(rig.Session.IsConnected);
            Expect.Contains("refused the subscription", rig.Session.LastError);
        }

        [TestMethod]
        public void MissingSubAckDropsTheConnectionAfterTheAckTimeout()
        {
            Rig rig = Connected();
            rig.Session.Poll(4000);
            Assert.IsTrue(rig.Session.IsConnected, "still within the timeout");
            rig.Session.Poll(5003);
            Assert.IsFalse(rig.Session.IsConnected);
            Assert.AreEqual("no SUBACK in time", rig.Session.LastError);
        }

        [TestMethod]
        public void GrantedSubAckKeepsTheSessionUp()
        {
            Rig rig = Connected();
            rig.Link.Feed(0x90, 0x03, 0x00, 0x01, 0x01);
            rig.Session.Poll(10);
            rig.Session.Poll(9000);
            Assert.IsTrue(rig.Session.IsConnected, "no SUBACK timeout once it came: " + rig.Session.LastError);
        }
    }
}
