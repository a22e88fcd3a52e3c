using System;
using System.Collections;
using PanicDevice.Core.Counter;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Location;
using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Net;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Mqtt
{
    /// <summary>
    /// The device's MQTT session against a scripted broker on the test's clock, on both runtimes: what it sends
    /// (CONNECT, will, SUBSCRIBE, QoS 1 publishes, DUP re-sends, pings) and how it survives a broker that refuses,
    /// goes quiet, drops or sends garbage. The host-only MqttSessionTests run the same session against the real
    /// receiver; these are the device's own checks, with every timer driven by the test.
    /// </summary>
    [TestClass]
    public class MqttSessionScriptedTests
    {
        private const string Id = "fob-0001";
        private const string Host = "broker.example";
        private const int Step = 10;

        /// <summary>The key of docs/protocol.md's credentials vector (000102…1f).</summary>
        private static byte[] Key()
        {
            return SampleFrames.Key(0x00);
        }

        /// <summary>The session's settings as the firmware's Program.cs builds them.</summary>
        private static MqttSessionOptions Options()
        {
            MqttSessionOptions o = new MqttSessionOptions();
            o.Host = Host;
            o.Port = 1883;
            o.ClientId = Id;
            o.Password = DeviceCredentials.MqttPassword(Key());
            o.UplinkTopic = Topics.Uplink(Id);
            o.DownlinkTopic = Topics.Downlink(Id);
            o.WillTopic = Topics.Presence(Id);
            return o;
        }

        private sealed class Heard : IDownlinkListener
        {
            public readonly ArrayList Payloads = new ArrayList();

            public void OnDownlink(byte[] payload, long atMs)
            {
                Payloads.Add(payload);
            }
        }

        /// <summary>Session, link and broker on one clock; the test moves time with PollAt and RunTo.</summary>
        private sealed class Rig
        {
            public readonly ScriptedBroker Broker = new ScriptedBroker();
            public readonly PeerLink Link;
            public readonly MqttClientSession Session;
            public readonly Heard Heard = new Heard();
            public long Now;
            private bool started;

            public Rig()
            {
                Link = new PeerLink(Broker);
                Session = new MqttClientSession(Options(), Link);
                Session.SetListener(Heard);
            }

            public void PollAt(long t)
            {
                started = true;
                Now = t;
                Session.Poll(t);
            }

            /// <summary>The device's first poll is at 0, then one every <see cref="Step"/> ms.</summary>
            public void PollNext()
            {
                PollAt(started ? Now + Step : 0);
            }

            /// <summary>Polls every <see cref="Step"/> ms up to and including <paramref name="t"/>.</summary>
            public void RunTo(long t)
            {
                if (!started)
                {
                    PollAt(0);
                }
                while (Now + Step <= t)
                {
                    PollAt(Now + Step);
                }
                if (Now < t)
                {
                    PollAt(t);
                }
            }

            public void RunFor(long ms)
            {
                RunTo(Now + ms);
            }

            /// <summary>Polls until the session is connected and its SUBSCRIBE is answered (or the limit passes).</summary>
            public void RunUntilSubscribed(long limitMs)
            {
                int subscribes = Broker.Subscribes.Count;
                while (Now < limitMs && !(Session.IsConnected && Broker.Subscribes.Count > subscribes))
                {
                    PollNext();
                }
                // One more round for the SUBACK to come back.
                RunFor(Step * 2 + 2 * Link.LatencyMs);
                Assert.IsTrue(Session.IsConnected, "connected and subscribed by " + limitMs.ToString() + " ms: " + Session.LastError + " / broker: " + Broker.ProtocolError);
            }

            public void RunUntilConnected(long limitMs)
            {
                while (Now < limitMs && !Session.IsConnected)
                {
                    PollNext();
                }
                Assert.IsTrue(Session.IsConnected, "connected by " + limitMs.ToString() + " ms: " + Session.LastError);
            }
        }

        /// <summary>What the receiver sends back for a stored frame: the signed ack (Frame.AckFor, the device key).</summary>
        private static byte[] AckFor(byte[] published)
        {
            return FrameCodec.Encode(Frame.AckFor(FrameCodec.Decode(published).Frame, 1795000100), Key());
        }

        private static byte[] SomeFrame(uint counter)
        {
            return FrameCodec.Encode(SampleFrames.Alert(Id, counter), Key());
        }

        // ----- CONNECT and SUBSCRIBE -----

        [TestMethod]
        public void ConnectCarriesTheDeviceIdTheDerivedPasswordTheKeepAliveAndTheWill()
        {
            Rig rig = new Rig();
            rig.RunUntilSubscribed(5000);
            Assert.AreEqual(Host, rig.Broker.Host);
            Assert.AreEqual(1883, rig.Broker.Port);
            Assert.AreEqual(1, rig.Broker.Connects.Count);
            ReceivedConnect c = rig.Broker.Connect(0);
            Assert.AreEqual("MQTT", c.ProtocolName);
            Assert.AreEqual(4, c.ProtocolLevel, "MQTT 3.1.1");
            Assert.AreEqual(Id, c.ClientId, "client id = device id");
            Assert.AreEqual(Id, c.UserName, "user name = device id");
            Assert.AreEqual("/RhPFsEWLeLCBmf9N/78d+W7d4i/zdFn", c.Password, "the password of docs/protocol.md's credentials vector");
            Assert.AreEqual(DeviceCredentials.MqttPassword(Key()), c.Password);
            Assert.AreEqual(60, c.KeepAliveSeconds);
            Assert.IsFalse(c.CleanSession, "clean session off: the broker keeps the subscription and queued acks");
            Assert.AreEqual(Topics.Presence(Id), c.WillTopic);
            Expect.SameBytes(Hex.Ascii("offline"), c.WillPayload, "will payload");
            Assert.AreEqual(1, c.WillQoS);
            Assert.IsFalse(c.WillRetain);
            Assert.IsNull(rig.Broker.ProtocolError, "the broker found nothing to object to");
        }

        [TestMethod]
        public void SubscribesToTheAckTopicAndThePublishFollowsRightBehindIt()
        {
            Rig rig = new Rig();
            rig.Link.LatencyMs = 400; // GPRS: round trips of about a second
            rig.RunUntilConnected(10000);
            byte[] frame = SomeFrame(7);
            Assert.IsTrue(rig.Session.Publish(frame, rig.Now), "a publish is taken as soon as CONNACK is in, before SUBACK");
            rig.RunFor(3000);
            Assert.AreEqual("CONNECT SUBSCRIBE PUBLISH", rig.Broker.Transcript.Trim());
            ReceivedSubscribe s = rig.Broker.Subscribe(0);
            Assert.AreEqual(1, s.Filters.Length, "one filter");
            Assert.AreEqual(Topics.Downlink(Id), s.Filters[0]);
            Assert.AreEqual(1, s.RequestedQoS[0], "acks are QoS 1");
            Assert.AreEqual(s.AtMs, rig.Broker.Publish(0).AtMs, "the PUBLISH reached the broker with the SUBSCRIBE, not a round trip later");
            Assert.AreEqual(0, rig.Session.InFlightCount, "PUBACK came back");
            Assert.IsTrue(rig.Session.IsConnected, rig.Session.LastError);
        }

        // ----- QoS 1 publishes -----

        [TestMethod]
        public void QoS1PublishIsKeptInFlightUntilItsPubAck()
        {
            Rig rig = new Rig();
            rig.Broker.PubAckDelayMs = 5000;
            rig.RunUntilSubscribed(5000);
            byte[] frame = SomeFrame(8);
            long sentAt = rig.Now;
            Assert.IsTrue(rig.Session.Publish(frame, sentAt));
            rig.RunTo(sentAt + 4990);
            Assert.AreEqual(1, rig.Session.InFlightCount, "no PUBACK yet");
            rig.RunTo(sentAt + 5000 + Step);
            Assert.AreEqual(0, rig.Session.InFlightCount, "the PUBACK cleared it");
            ReceivedPublish p = rig.Broker.Publish(0);
            Assert.AreEqual(Topics.Uplink(Id), p.Topic);
            Assert.AreEqual(1, p.QoS);
            Assert.IsFalse(p.Dup, "first transmission");
            Assert.IsFalse(p.Retain);
            Assert.IsTrue(p.PacketId != 0, "QoS 1 carries a packet id");
            Expect.SameBytes(frame, p.Payload);
            Assert.AreEqual(0, rig.Session.Reconnects);
        }

        [TestMethod]
        public void AtMostMaxInFlightPublishesWaitForTheirPubAck()
        {
            Rig rig = new Rig();
            rig.Broker.AckPublishes = false;
            rig.RunUntilSubscribed(5000);
            int max = new MqttSessionOptions().MaxInFlight;
            for (int i = 0; i < max; i++)
            {
                Assert.IsTrue(rig.Session.Publish(SomeFrame((uint)(10 + i)), rig.Now), "publish " + i.ToString());
                rig.RunFor(Step);
            }
            Assert.IsFalse(rig.Session.Publish(SomeFrame(99), rig.Now), "one more than MaxInFlight is refused (the engine retries it)");
            Assert.AreEqual(max, rig.Session.InFlightCount);
            Hashtable ids = new Hashtable();
            for (int i = 0; i < rig.Broker.Publishes.Count; i++)
            {
                int id = rig.Broker.Publish(i).PacketId;
                Assert.IsFalse(ids.Contains(id), "packet id " + id.ToString() + " used twice while in flight");
                ids.Add(id, true);
            }
            Assert.AreEqual(max, ids.Count);
        }

        [TestMethod]
        public void NoPubAckInTimeRebuildsTheConnectionAndResendsWithDupAndTheSamePacketId()
        {
            Rig rig = new Rig();
            rig.Broker.AckPublishes = false;
            rig.RunUntilSubscribed(5000);
            byte[] frame = SomeFrame(9);
            long sentAt = rig.Now;
            Assert.IsTrue(rig.Session.Publish(frame, sentAt));
            int ackTimeout = new MqttSessionOptions().AckTimeoutMs;
            rig.RunTo(sentAt + ackTimeout - Step);
            Assert.IsTrue(rig.Session.IsConnected, "still within the PUBACK timeout");
            rig.RunTo(sentAt + ackTimeout);
            Assert.IsFalse(rig.Session.IsConnected, "a missing PUBACK means a dead connection");
            Assert.AreEqual("no PUBACK in time", rig.Session.LastError);
            Assert.AreEqual(1, rig.Session.Reconnects);
            Assert.AreEqual(1, rig.Session.InFlightCount, "the publish survives the rebuild");

            rig.Broker.AckPublishes = true;
            rig.RunUntilSubscribed(rig.Now + 5000);
            Assert.AreEqual("CONNECT SUBSCRIBE PUBLISH | CONNECT SUBSCRIBE PUBLISH(DUP)", rig.Broker.Transcript.Trim());
            ReceivedPublish first = rig.Broker.Publish(0);
            ReceivedPublish again = rig.Broker.Publish(1);
            Assert.AreEqual(2, again.Connection, "re-sent on the new connection");
            Assert.IsTrue(again.Dup, "DUP set on the re-send (MQTT 3.1.1 §4.4)");
            Assert.AreEqual(first.PacketId, again.PacketId, "same packet id (§4.4)");
            Assert.AreEqual(1, again.QoS);
            Expect.SameBytes(frame, again.Payload);
            Assert.AreEqual(1, rig.Session.Retransmits);
            Assert.AreEqual(0, rig.Session.InFlightCount, "acknowledged this time");
        }

        [TestMethod]
        [DataRow(true)]
        [DataRow(false)]
        public void ALostConnectionIsRebuiltAndTheInFlightPublishResent(bool networkDrops)
        {
            Rig rig = new Rig();
            rig.Broker.PubAckDelayMs = 5000;
            rig.RunUntilSubscribed(5000);
            byte[] frame = SomeFrame(11);
            Assert.IsTrue(rig.Session.Publish(frame, rig.Now));
            rig.RunFor(100);
            if (networkDrops)
            {
                rig.Link.Drop();
            }
            else
            {
                rig.Broker.Drop();
            }
            rig.RunFor(Step);
            Assert.IsFalse(rig.Session.IsConnected);
            Assert.AreEqual("connection to the broker closed", rig.Session.LastError);
            rig.Broker.PubAckDelayMs = 0;
            rig.RunUntilSubscribed(rig.Now + 5000);
            Assert.AreEqual(rig.Broker.Publish(0).PacketId, rig.Broker.Publish(1).PacketId, "same packet id");
            Assert.IsTrue(rig.Broker.Publish(1).Dup, "re-sent with DUP");
            Assert.AreEqual(0, rig.Session.InFlightCount);
        }

        // ----- Reconnects and refusals -----

        [TestMethod]
        public void ReconnectBackoffDoublesFromOneSecondAndStopsAtOneMinute()
        {
            Rig rig = new Rig();
            rig.Broker.RefuseConnections = true;
            string gaps = "";
            int reconnects = 0;
            long droppedAt = -1;
            int opens = 0;
            while (rig.Link.Opens < 10)
            {
                rig.PollNext();
                if (rig.Link.Opens != opens)
                {
                    opens = rig.Link.Opens;
                    if (droppedAt >= 0)
                    {
                        gaps += (gaps.Length == 0 ? "" : ",") + (rig.Now - droppedAt).ToString();
                    }
                }
                if (rig.Session.Reconnects != reconnects)
                {
                    reconnects = rig.Session.Reconnects;
                    droppedAt = rig.Now;
                }
            }
            Assert.AreEqual("1000,2000,4000,8000,16000,32000,60000,60000,60000", gaps);
            Assert.AreEqual("could not open a TCP connection to the broker", rig.Session.LastError);

            rig.Broker.RefuseConnections = false;
            rig.RunUntilSubscribed(rig.Now + 5000);
            Assert.IsNull(rig.Session.LastError, "a connection clears the last error");
            rig.Broker.Drop();
            int before = rig.Link.Opens;
            while (rig.Link.Opens == before)
            {
                rig.PollNext();
                if (rig.Session.Reconnects != reconnects)
                {
                    reconnects = rig.Session.Reconnects;
                    droppedAt = rig.Now;
                }
            }
            Assert.AreEqual(1000L, rig.Now - droppedAt, "a connection resets the backoff");
        }

        [TestMethod]
        [DataRow(1, "unacceptable protocol version")]
        [DataRow(2, "client id rejected")]
        [DataRow(3, "server unavailable")]
        [DataRow(4, "bad user name or password")]
        [DataRow(5, "not authorised")]
        public void RefusedConnAckGivesTheReasonAndBacksOff(int code, string reason)
        {
            Rig rig = new Rig();
            rig.Broker.ConnAckCode = code;
            rig.RunTo(2500);
            Assert.IsFalse(rig.Session.IsConnected);
            Assert.AreEqual("broker refused the connection: " + reason, rig.Session.LastError, "the CONNACK was read before the broker's close");
            Assert.AreEqual(2, rig.Broker.Connects.Count, "attempts at 0 s and 1 s, the next not before 3 s: backoff, not a tight loop");
            Assert.AreEqual(2, rig.Session.Reconnects);
            Assert.AreEqual("CONNECT | CONNECT", rig.Broker.Transcript.Trim());
        }

        [TestMethod]
        public void RefusedSubscriptionDropsTheConnection()
        {
            Rig rig = new Rig();
            rig.Broker.SubAckCode = 0x80;
            rig.RunUntilConnected(5000);
            rig.RunFor(100);
            Assert.IsFalse(rig.Session.IsConnected);
            Assert.AreEqual("broker refused the subscription to " + Topics.Downlink(Id), rig.Session.LastError);
            Assert.AreEqual(1, rig.Session.Reconnects);
            Assert.AreEqual((int)TcpLinkState.Closed, (int)rig.Link.State, "the session closed the link");
        }

        [TestMethod]
        public void ABrokerThatNeverAnswersTheConnectIsGivenUpOnAfterTheConnectTimeout()
        {
            Rig rig = new Rig();
            rig.Broker.Silent = true;
            int connectTimeout = new MqttSessionOptions().ConnectTimeoutMs;
            rig.RunTo(connectTimeout - Step);
            Assert.AreEqual((int)MqttSessionState.AwaitingConnAck, (int)rig.Session.State, "still waiting for CONNACK");
            rig.RunTo(connectTimeout);
            Assert.AreEqual("broker did not answer the connection in time", rig.Session.LastError);
            Assert.AreEqual(1, rig.Broker.Connects.Count);
        }

        // ----- Keep-alive -----

        [TestMethod]
        public void AnIdleSessionPingsAtTheKeepAliveAndAMissingPingRespRebuildsTheConnection()
        {
            Rig rig = new Rig();
            rig.RunUntilSubscribed(5000);
            long lastSent = rig.Broker.Subscribe(0).AtMs; // the SUBSCRIBE was the last packet the device sent
            long keepAlive = new MqttSessionOptions().KeepAliveSeconds * 1000L;
            rig.RunTo(lastSent + keepAlive - Step);
            Assert.AreEqual(0, rig.Broker.PingRequests, "not before the keep-alive");
            rig.RunTo(lastSent + keepAlive);
            Assert.AreEqual(1, rig.Broker.PingRequests, "PINGREQ when idle for the keep-alive");
            rig.RunTo(lastSent + 2 * keepAlive);
            Assert.AreEqual(2, rig.Broker.PingRequests, "answered, so the next one a keep-alive later");
            Assert.IsTrue(rig.Session.IsConnected);

            rig.Broker.Silent = true;
            long pingAt = lastSent + 3 * keepAlive;
            rig.RunTo(pingAt);
            Assert.AreEqual(3, rig.Broker.PingRequests);
            int ackTimeout = new MqttSessionOptions().AckTimeoutMs;
            rig.RunTo(pingAt + ackTimeout - Step);
            Assert.IsTrue(rig.Session.IsConnected, "within the PINGRESP timeout");
            rig.RunTo(pingAt + ackTimeout);
            Assert.IsFalse(rig.Session.IsConnected);
            Assert.AreEqual("no PINGRESP in time", rig.Session.LastError);
            rig.Broker.Silent = false;
            rig.RunUntilSubscribed(rig.Now + 5000);
            Assert.AreEqual(2, rig.Broker.Connections, "rebuilt");
        }

        // ----- Downlink -----

        [TestMethod]
        public void QoS1PublishFromTheBrokerIsPubAckedAndHandedOnEachTimeItArrives()
        {
            Rig rig = new Rig();
            rig.RunUntilSubscribed(5000);
            byte[] ack = AckFor(SomeFrame(12));
            rig.Broker.PushPublish(Topics.Downlink(Id), ack, 1, 77, false);
            rig.RunFor(Step * 2);
            Assert.AreEqual("77", Listed(rig.Broker.PubAcks));
            Assert.AreEqual(1, rig.Heard.Payloads.Count);
            Expect.SameBytes(ack, (byte[])rig.Heard.Payloads[0]);

            // A redelivery after our PUBACK is a new publication to MQTT 3.1.1 (§4.3.2): acknowledged again and handed
            // on again; the delivery engine drops the duplicate (RedeliveredAckWithDupAcknowledgesTheAlertOnce).
            rig.Broker.PushPublish(Topics.Downlink(Id), ack, 1, 77, true);
            rig.RunFor(Step * 2);
            Assert.AreEqual("77,77", Listed(rig.Broker.PubAcks));
            Assert.AreEqual(2, rig.Heard.Payloads.Count);

            rig.Broker.PushPublish(Topics.Downlink(Id), ack, 0, 0, false);
            rig.Broker.PushPublish("pd/v1/someone-else/ack", ack, 1, 78, false);
            rig.RunFor(Step * 2);
            Assert.AreEqual("77,77,78", Listed(rig.Broker.PubAcks), "QoS 0 gets no PUBACK; QoS 1 on any topic does");
            Assert.AreEqual(3, rig.Heard.Payloads.Count, "only the ack topic reaches the listener");
            Assert.IsTrue(rig.Session.IsConnected);
            Assert.IsNull(rig.Broker.ProtocolError);
        }

        [TestMethod]
        [DataRow("1000", "not expected from a broker")]
        [DataRow("3400", "QoS 2")]
        [DataRow("4002 0000", "identifier 0")]
        [DataRow("D00100", "malformed PINGRESP")]
        [DataRow("32050001230001", "wildcard")]
        [DataRow("FFFFFFFFFF", "longer than 4 bytes")]
        [DataRow("20020000", "unexpected CONNACK")]
        public void AMalformedPacketFromTheBrokerClosesTheConnectionWithoutAnException(string hex, string reason)
        {
            Rig rig = new Rig();
            rig.RunUntilSubscribed(5000);
            rig.Broker.PushRaw(Hex.Bytes(hex));
            rig.RunFor(Step * 2);
            Assert.IsFalse(rig.Session.IsConnected, hex + " ends the connection");
            Expect.Contains(reason, rig.Session.LastError);
            Assert.AreEqual((int)TcpLinkState.Closed, (int)rig.Link.State, "the session closed the link");
            rig.RunUntilSubscribed(rig.Now + 5000);
            Assert.AreEqual(2, rig.Broker.Connections, "and connects again after the backoff");
        }

        [TestMethod]
        public void AnOversizedPacketFromTheBrokerClosesTheConnection()
        {
            Rig rig = new Rig();
            rig.RunUntilSubscribed(5000);
            rig.Broker.PushPublish(Topics.Downlink(Id), new byte[3000], 1, 5, false);
            rig.RunFor(Step * 2);
            Assert.IsFalse(rig.Session.IsConnected);
            Expect.Contains("exceeds the limit of 2048", rig.Session.LastError);
            Assert.AreEqual(0, rig.Heard.Payloads.Count);

            rig.RunUntilSubscribed(rig.Now + 5000);
            rig.Broker.PushRaw(Hex.Bytes("30 FF FF FF 7F")); // announces 256 MB, sends nothing more
            rig.RunFor(Step * 2);
            Assert.IsFalse(rig.Session.IsConnected);
            Expect.Contains("268435455 bytes exceeds the limit", rig.Session.LastError);
        }

        // ----- Receive path -----

        [TestMethod]
        public void PacketsSplitAcrossReadsAndPollsAreReassembled()
        {
            Rig rig = new Rig();
            rig.Link.ReadChunkBytes = 3; // a CONNACK takes two polls, an ack frame two dozen
            rig.RunUntilSubscribed(5000);
            byte[] frame = SomeFrame(13);
            Assert.IsTrue(rig.Session.Publish(frame, rig.Now));
            rig.RunFor(Step * 3);
            Assert.AreEqual(0, rig.Session.InFlightCount, "a PUBACK in two pieces");
            byte[] ack = AckFor(frame);
            rig.Broker.PushPublish(Topics.Downlink(Id), ack, 1, 300, false);
            int readsBefore = rig.Link.Reads;
            rig.RunFor(Step * 40);
            Assert.IsTrue(rig.Link.Reads - readsBefore >= 20, "arrived in many reads: " + (rig.Link.Reads - readsBefore).ToString());
            Assert.AreEqual(1, rig.Heard.Payloads.Count);
            Expect.SameBytes(ack, (byte[])rig.Heard.Payloads[0]);
            Assert.AreEqual("300", Listed(rig.Broker.PubAcks));
            Assert.IsTrue(rig.Session.IsConnected, rig.Session.LastError);
        }

        [TestMethod]
        public void SeveralPacketsInOneReadAreAllHandled()
        {
            Rig rig = new Rig();
            rig.Broker.PubAckDelayMs = 500;
            rig.RunUntilSubscribed(5000);
            Assert.IsTrue(rig.Session.Publish(SomeFrame(14), rig.Now));
            Assert.IsTrue(rig.Session.Publish(SomeFrame(15), rig.Now));
            long sentAt = rig.Now;
            rig.RunFor(Step);
            byte[] ack = AckFor(SomeFrame(14));
            rig.Broker.PushPublish(Topics.Downlink(Id), ack, 1, 40, false); // queued behind the two delayed PUBACKs
            rig.RunTo(sentAt + 500 - Step);
            Assert.AreEqual(2, rig.Session.InFlightCount);
            int readsBefore = rig.Link.Reads;
            rig.RunTo(sentAt + 500);
            Assert.AreEqual(1, rig.Link.Reads - readsBefore, "PUBACK, PUBACK and PUBLISH came in one read");
            Assert.AreEqual(0, rig.Session.InFlightCount, "both PUBACKs handled");
            Assert.AreEqual(1, rig.Heard.Payloads.Count, "and the PUBLISH behind them");
            Assert.IsTrue(rig.Session.IsConnected);
        }

        // ----- Orderly goodbye and deadlines -----

        [TestMethod]
        public void DisconnectSaysGoodbyeAndTheSessionStaysClosedUntilReconnect()
        {
            Rig rig = new Rig();
            rig.RunUntilSubscribed(5000);
            rig.Session.Disconnect(rig.Now);
            Assert.AreEqual("CONNECT SUBSCRIBE DISCONNECT", rig.Broker.Transcript.Trim(), "DISCONNECT, so the broker does not publish the will");
            int opens = rig.Link.Opens;
            rig.RunFor(120000);
            Assert.AreEqual(opens, rig.Link.Opens, "no reconnect on its own");
            rig.Session.Reconnect(rig.Now);
            rig.RunUntilSubscribed(rig.Now + 5000);
            Assert.AreEqual(2, rig.Broker.Connections);
        }

        [TestMethod]
        public void AfterDisconnectWithAPingOutstandingTheNextConnectionStaysUp()
        {
            // A fob that goes to sleep while its PINGREQ is unanswered, then wakes for an alarm: the old connection's
            // ping must not time out the new connection right after its CONNACK.
            Rig rig = new Rig();
            rig.RunUntilSubscribed(5000);
            rig.Broker.Silent = true;
            long keepAlive = new MqttSessionOptions().KeepAliveSeconds * 1000L;
            rig.RunFor(keepAlive + Step);
            Assert.AreEqual(1, rig.Broker.PingRequests, "the ping is out and unanswered");
            rig.Session.Disconnect(rig.Now);
            rig.RunFor(30000);
            rig.Broker.Silent = false;
            rig.Session.Reconnect(rig.Now);
            rig.RunUntilSubscribed(rig.Now + 5000);
            rig.RunFor(1000);
            Assert.IsTrue(rig.Session.IsConnected, "the new connection stays up: " + rig.Session.LastError);
            Assert.AreEqual(2, rig.Broker.Connections, "one connection before the sleep, one after");
        }

        [TestMethod]
        public void NextDeadlineNamesTheTimerPollActsOnNext()
        {
            // Refused: the reconnect time.
            Rig rig = new Rig();
            rig.Broker.ConnAckCode = 5;
            rig.PollAt(0);  // opens
            rig.PollAt(10); // CONNECT
            rig.PollAt(20); // refusing CONNACK
            Assert.AreEqual((int)MqttSessionState.Waiting, (int)rig.Session.State);
            Assert.AreEqual(20L + 1000L, rig.Session.NextDeadlineMs, "refused at 20 ms, 1 s backoff");

            // CONNECT unanswered: the connect deadline, counted from the open.
            rig = new Rig();
            rig.Broker.Silent = true;
            rig.PollAt(0);
            rig.PollAt(10);
            Assert.AreEqual((int)MqttSessionState.AwaitingConnAck, (int)rig.Session.State);
            Assert.AreEqual((long)new MqttSessionOptions().ConnectTimeoutMs, rig.Session.NextDeadlineMs);

            // Connected with the SUBSCRIBE unanswered: its timeout (20 s) comes before the keep-alive (60 s).
            rig = new Rig();
            rig.Broker.Silent = true;
            rig.PollAt(0);
            rig.PollAt(10);
            rig.Broker.PushRaw(new byte[] { 0x20, 2, 0, 0 }); // CONNACK; the SUBSCRIBE it brings gets no answer
            rig.PollAt(20);
            Assert.IsTrue(rig.Session.IsConnected);
            Assert.AreEqual(20L, rig.Broker.Subscribe(0).AtMs);
            int ackTimeout = new MqttSessionOptions().AckTimeoutMs;
            Assert.AreEqual(20L + ackTimeout, rig.Session.NextDeadlineMs, "the SUBACK timeout is a timer Poll acts on");
            rig.PollAt(20L + ackTimeout);
            Assert.AreEqual("no SUBACK in time", rig.Session.LastError);
        }

        // ----- With the delivery engine above, as on the device -----

        private sealed class SmsLog : ISmsSender
        {
            public readonly ArrayList Numbers = new ArrayList();
            public readonly ArrayList Texts = new ArrayList();

            public int Send(string number, string text, long nowMs)
            {
                Numbers.Add(number);
                Texts.Add(text);
                return Numbers.Count;
            }

            public SmsSendState StateOf(int id)
            {
                return id >= 1 && id <= Numbers.Count ? SmsSendState.Sent : SmsSendState.Unknown;
            }

            public void Poll(long nowMs)
            {
            }
        }

        private sealed class NoFix : ILocationProvider
        {
            public LocationFix LastKnown(long nowMs)
            {
                return null;
            }
        }

        private sealed class PlainText : IAlertSmsText
        {
            public string Compose(Frame frame)
            {
                return "ALERT " + frame.DeviceId + " #" + frame.Counter.ToString();
            }

            public string ComposeForGuardian(Frame frame)
            {
                return Compose(frame);
            }
        }

        private sealed class FeedbackLog : IFeedbackListener
        {
            public readonly ArrayList Events = new ArrayList();

            public void OnFeedback(FeedbackEvent feedback, long atMs)
            {
                Events.Add((int)feedback);
            }

            public int Count(FeedbackEvent feedback)
            {
                int n = 0;
                for (int i = 0; i < Events.Count; i++)
                {
                    if ((int)Events[i] == (int)feedback)
                    {
                        n++;
                    }
                }
                return n;
            }
        }

        /// <summary>The receiver behind the broker: answers each alert with its signed ack, <see cref="Copies"/> times (the later ones with DUP, as a broker redelivers).</summary>
        private sealed class AckingReceiver
        {
            public int Copies = 1;
            public bool Enabled = true;
            private int nextId = 1000;

            public void Answer(ScriptedBroker broker, ReceivedPublish publish, long nowMs)
            {
                if (!Enabled || FrameCodec.DecodeAndVerify(publish.Payload, Key()).Status != DecodeStatus.Ok)
                {
                    return;
                }
                byte[] ack = AckFor(publish.Payload);
                int id = nextId++;
                for (int i = 0; i < Copies; i++)
                {
                    broker.PushPublish(Topics.Downlink(Id), ack, 1, id, i > 0);
                }
            }
        }

        /// <summary>The delivery engine over the session, as the firmware wires them (Program.cs).</summary>
        private sealed class DeviceRig
        {
            public readonly Rig Net = new Rig();
            public readonly AckingReceiver Receiver = new AckingReceiver();
            public readonly SmsLog Sms = new SmsLog();
            public readonly FeedbackLog Feedback = new FeedbackLog();
            public readonly DeliveryEngine Engine;

            public DeviceRig()
            {
                FlashRecordStore store = new FlashRecordStore();
                DeliveryOptions o = new DeliveryOptions();
                o.DeviceId = Id;
                o.Key = Key();
                o.GuardianNumbers = new string[] { "+6281200000001" };
                o.GatewayNumber = "+6281299999999";
                Engine = new DeliveryEngine(o, new AlertOutbox(store, AlertOutbox.DefaultCapacity), new MonotonicCounter(store, "counter", 8),
                    Net.Session, Sms, new NoFix(), new FixedTelemetry(1795000000), new PlainText(), Feedback);
                Engine.Start(0);
                Net.Broker.PublishArrived = new BrokerPublishHandler(Receiver.Answer);
            }

            public void RunTo(long t)
            {
                while (Net.Now < t)
                {
                    Net.Now += Step;
                    Engine.Poll(Net.Now);
                }
            }

            public void RunUntilAcknowledged(long limitMs)
            {
                while (Net.Now < limitMs && Feedback.Count(FeedbackEvent.Acknowledged) == 0)
                {
                    RunTo(Net.Now + Step);
                }
            }
        }

        [TestMethod]
        public void AnAlertIsPublishedAndItsSignedAckEmptiesTheOutbox()
        {
            DeviceRig d = new DeviceRig();
            d.RunTo(1000);
            Assert.IsTrue(d.Net.Session.IsConnected, d.Net.Session.LastError);
            uint counter = d.Engine.RaiseAlert(AlertCode.Panic, d.Net.Now);
            d.RunUntilAcknowledged(d.Net.Now + 5000);
            Assert.AreEqual(1, d.Feedback.Count(FeedbackEvent.Acknowledged), "acknowledged");
            Assert.AreEqual(0, d.Engine.PendingCount, "outbox empty");
            Assert.AreEqual(1, d.Net.Broker.Publishes.Count, "one publish was enough");
            DecodeResult sent = FrameCodec.DecodeAndVerify(d.Net.Broker.Publish(0).Payload, Key());
            Assert.AreEqual((int)DecodeStatus.Ok, (int)sent.Status, "a signed frame, byte-exact through the session");
            Assert.AreEqual((int)MessageKind.Alert, (int)sent.Frame.Kind);
            Assert.AreEqual(counter, sent.Frame.Counter);
            Assert.AreEqual(0, d.Sms.Numbers.Count, "no SMS when the data path works");
        }

        [TestMethod]
        public void RedeliveredAckWithDupAcknowledgesTheAlertOnce()
        {
            DeviceRig d = new DeviceRig();
            d.Receiver.Copies = 2;
            d.RunTo(1000);
            d.Engine.RaiseAlert(AlertCode.Panic, d.Net.Now);
            d.RunTo(d.Net.Now + 1000);
            Assert.AreEqual(2, d.Net.Broker.PubAcks.Count, "both copies PUBACKed");
            Assert.AreEqual(1, d.Feedback.Count(FeedbackEvent.Acknowledged), "the alert is acknowledged once");
            Assert.AreEqual(0, d.Engine.PendingCount);
        }

        [TestMethod]
        public void BrokerDownAtThePressMeansSmsAtTheDeadlineThenDeliveryWhenItReturns()
        {
            DeviceRig d = new DeviceRig();
            d.Net.Broker.RefuseConnections = true;
            d.RunTo(100);
            uint counter = d.Engine.RaiseAlert(AlertCode.Panic, d.Net.Now);
            int deadline = new DeliveryOptions().SmsDeadlineMs;
            d.RunTo(d.Net.Now + deadline + 1000);
            Assert.AreEqual("112,+6281200000001,+6281299999999", Listed(d.Sms.Numbers), "SMS fallback at the deadline");
            byte[] gatewayFrame = FrameText.ToBytes((string)d.Sms.Texts[2]);
            Assert.AreEqual((int)DecodeStatus.Ok, (int)FrameCodec.DecodeAndVerify(gatewayFrame, Key()).Status, "the gateway SMS carries the signed frame");
            Assert.AreEqual("could not open a TCP connection to the broker", d.Net.Session.LastError, "the session knows why it is not connected");

            d.Net.Broker.RefuseConnections = false;
            d.RunUntilAcknowledged(d.Net.Now + 120000);
            Assert.AreEqual(1, d.Feedback.Count(FeedbackEvent.Acknowledged), "delivered after the broker returned: " + d.Net.Session.LastError);
            d.RunTo(d.Net.Now + 1000);
            Assert.AreEqual(0, d.Engine.PendingCount, "the alert and its follow-ups acknowledged");
            int alerts = 0;
            for (int i = 0; i < d.Net.Broker.Publishes.Count; i++)
            {
                Frame f = FrameCodec.Decode(d.Net.Broker.Publish(i).Payload).Frame;
                if (f.Kind == MessageKind.Alert)
                {
                    alerts++;
                    Assert.AreEqual(counter, f.Counter, "the stored alert, never a new counter for it");
                }
            }
            Assert.IsTrue(alerts >= 1, "the alert went out over MQTT");
        }

        private static string Listed(ArrayList values)
        {
            string s = "";
            for (int i = 0; i < values.Count; i++)
            {
                s += (i == 0 ? "" : ",") + values[i].ToString();
            }
            return s;
        }
    }
}
