using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Net;

namespace PanicDevice.Tests.Mqtt;

/// <summary>The session publishes right behind its SUBSCRIBE (one round trip less on a cold GPRS start) and still polices the SUBACK.</summary>
[TestClass]
public class MqttSessionPipeliningTests
{
    private sealed class ScriptedLink : ITcpLink
    {
        public readonly List<byte> Sent = new();
        public readonly Queue<byte> Incoming = new();
        public TcpLinkState State { get; private set; }
        public void Open(string host, int port, long nowMs) => State = TcpLinkState.Open;
        public void Close(long nowMs) => State = TcpLinkState.Closed;
        public int Send(byte[] data, int offset, int count, long nowMs)
        {
            Sent.AddRange(data.Skip(offset).Take(count));
            return count;
        }
        public int Receive(byte[] buffer, int offset, int count)
        {
            int n = 0;
            while (n < count && Incoming.Count > 0) buffer[offset + n++] = Incoming.Dequeue();
            return n;
        }
        public void Poll(long nowMs) { }
        public void Feed(params byte[] bytes) { foreach (var b in bytes) Incoming.Enqueue(b); }

        /// <summary>Fixed-header types of the packets sent (small packets: one remaining-length byte).</summary>
        public List<int> SentTypes()
        {
            var types = new List<int>();
            for (int i = 0; i + 1 < Sent.Count; i += 2 + Sent[i + 1]) types.Add(Sent[i] >> 4);
            return types;
        }
    }

    private static (MqttClientSession Session, ScriptedLink Link) Connected()
    {
        var link = new ScriptedLink();
        var session = new MqttClientSession(new MqttSessionOptions
        {
            Host = "broker", ClientId = "fob-1", Password = "pw", UplinkTopic = "pd/v1/fob-1/up", DownlinkTopic = "pd/v1/fob-1/ack", AckTimeoutMs = 5000,
        }, link);
        session.Poll(0);
        session.Poll(1);
        link.Feed(0x20, 0x02, 0x00, 0x00); // CONNACK accepted
        session.Poll(2);
        return (session, link);
    }

    [TestMethod]
    public void PublishGoesOutBeforeTheSubAckArrives()
    {
        var (session, link) = Connected();
        Assert.IsTrue(session.IsConnected);
        Assert.IsTrue(session.Publish(new byte[] { 1, 2, 3 }, 3));
        session.Poll(3);
        CollectionAssert.AreEqual(new[] { 1, 8, 3 }, link.SentTypes(), "CONNECT, SUBSCRIBE, PUBLISH with no wait between");
    }

    [TestMethod]
    public void RefusedSubscriptionStillDropsTheConnection()
    {
        var (session, link) = Connected();
        link.Feed(0x90, 0x03, 0x00, 0x01, 0x80); // SUBACK for packet 1: failure
        session.Poll(10);
        Assert.IsFalse(session.IsConnected);
        StringAssert.Contains(session.LastError, "refused the subscription");
    }

    [TestMethod]
    public void MissingSubAckDropsTheConnectionAfterTheAckTimeout()
    {
        var (session, _) = Connected();
        session.Poll(4000);
        Assert.IsTrue(session.IsConnected, "still within the timeout");
        session.Poll(5003);
        Assert.IsFalse(session.IsConnected);
        Assert.AreEqual("no SUBACK in time", session.LastError);
    }

    [TestMethod]
    public void GrantedSubAckKeepsTheSessionUp()
    {
        var (session, link) = Connected();
        link.Feed(0x90, 0x03, 0x00, 0x01, 0x01);
        session.Poll(10);
        session.Poll(9000);
        Assert.IsTrue(session.IsConnected, "no SUBACK timeout once it came: " + session.LastError);
    }
}
