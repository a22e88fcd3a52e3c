using PanicDevice.Core.Delivery;
using PanicDevice.Core.Mqtt;

namespace PanicDevice.Tests.Mqtt;

[TestClass]
public class BrokerClientUplinkTests
{
    /// <summary>A library client whose background attempts the test finishes by hand.</summary>
    private sealed class FakePort : IMqttClientPort
    {
        public MqttPortState State { get; set; }
        public string LastError { get; set; }
        public readonly List<long> Attempts = new();
        public readonly List<(string Topic, byte[] Payload)> Published = new();
        public readonly Queue<byte[]> Incoming = new();
        public bool RefusePublish;
        public int Closes;
        public long Now;
        public MqttSessionOptions LastOptions;

        public void BeginConnect(MqttSessionOptions options)
        {
            if (State is MqttPortState.Connecting or MqttPortState.Connected) throw new InvalidOperationException("attempt while busy");
            LastOptions = options;
            Attempts.Add(Now);
            State = MqttPortState.Connecting;
        }

        public bool Publish(string topic, byte[] payload)
        {
            if (State != MqttPortState.Connected || RefusePublish) return false;
            Published.Add((topic, payload));
            return true;
        }

        public byte[] TakeReceived() => Incoming.Count > 0 ? Incoming.Dequeue() : null;

        public void Close()
        {
            Closes++;
            State = MqttPortState.Idle;
        }
    }

    private sealed class Recorder : IDownlinkListener
    {
        public readonly List<byte[]> Got = new();
        public void OnDownlink(byte[] payload, long atMs) => Got.Add(payload);
    }

    private static MqttSessionOptions Options() => new()
    {
        Host = "broker.example", ClientId = "wall-0001", Password = "pw",
        UplinkTopic = "pd/v1/wall-0001/up", DownlinkTopic = "pd/v1/wall-0001/down",
        ReconnectMinMs = 1000, ReconnectMaxMs = 8000, ConnectTimeoutMs = 30000,
    };

    private static void PollAt(BrokerClientUplink u, FakePort port, long t)
    {
        port.Now = t;
        u.Poll(t);
    }

    [TestMethod]
    public void ConnectsOnFirstPollAndPublishesOnTheUplinkTopicOnceConnected()
    {
        var port = new FakePort();
        var u = new BrokerClientUplink(Options(), port);
        Assert.IsFalse(u.Publish(new byte[] { 1 }, 0), "nothing is taken before the connection");
        PollAt(u, port, 0);
        CollectionAssert.AreEqual(new long[] { 0 }, port.Attempts);
        Assert.AreEqual("wall-0001", port.LastOptions.ClientId);
        port.State = MqttPortState.Connected;
        PollAt(u, port, 500);
        Assert.IsTrue(u.IsConnected);
        Assert.IsTrue(u.Publish(new byte[] { 9 }, 600));
        Assert.AreEqual("pd/v1/wall-0001/up", port.Published.Single().Topic);
        port.RefusePublish = true;
        Assert.IsFalse(u.Publish(new byte[] { 10 }, 700), "a refusal is reported so the engine (or the dual uplink) acts on it");
    }

    [TestMethod]
    public void FailuresBackOffDoublingUpToTheCapAndASuccessResetsIt()
    {
        var port = new FakePort();
        var u = new BrokerClientUplink(Options(), port);
        long t = 0;
        PollAt(u, port, t);
        var gaps = new List<long>();
        for (int i = 0; i < 6; i++)
        {
            port.State = MqttPortState.Failed;
            port.LastError = "no route to broker";
            long failedAt = t;
            PollAt(u, port, t); // notices the failure
            int before = port.Attempts.Count;
            while (port.Attempts.Count == before)
            {
                t += 100;
                PollAt(u, port, t);
            }
            gaps.Add(t - failedAt);
        }
        CollectionAssert.AreEqual(new long[] { 1000, 2000, 4000, 8000, 8000, 8000 }, gaps);
        Assert.AreEqual(6, u.Failures);
        Assert.AreEqual("no route to broker", u.LastError);

        port.State = MqttPortState.Connected;
        PollAt(u, port, t += 100);
        port.State = MqttPortState.Idle; // the connection dropped
        long droppedAt = t += 100;
        PollAt(u, port, droppedAt);
        int n = port.Attempts.Count;
        while (port.Attempts.Count == n) PollAt(u, port, t += 100);
        Assert.AreEqual(1000, t - droppedAt, "a success resets the backoff");
    }

    [TestMethod]
    public void AnAttemptThatHangsIsAbandonedAndRetried()
    {
        var port = new FakePort();
        var u = new BrokerClientUplink(Options(), port);
        PollAt(u, port, 0);
        PollAt(u, port, 59_999);
        Assert.AreEqual(0, port.Closes, "the library gets twice the connect timeout");
        PollAt(u, port, 60_000);
        Assert.AreEqual(1, port.Closes);
        Assert.AreEqual(1, u.Abandoned);
        PollAt(u, port, 61_000);
        Assert.HasCount(2, port.Attempts, "a new attempt after the first backoff step");
    }

    [TestMethod]
    public void DownlinksReachTheListenerABoundedNumberPerPoll()
    {
        var port = new FakePort { State = MqttPortState.Connected };
        var u = new BrokerClientUplink(Options(), port);
        var heard = new Recorder();
        u.SetListener(heard);
        for (int i = 0; i < BrokerClientUplink.MaxDownlinksPerPoll + 3; i++) port.Incoming.Enqueue(new[] { (byte)i });
        PollAt(u, port, 0);
        Assert.HasCount(BrokerClientUplink.MaxDownlinksPerPoll, heard.Got);
        PollAt(u, port, 20);
        Assert.HasCount(BrokerClientUplink.MaxDownlinksPerPoll + 3, heard.Got);
        CollectionAssert.AreEqual(Enumerable.Range(0, BrokerClientUplink.MaxDownlinksPerPoll + 3).Select(i => (byte)i).ToList(), heard.Got.Select(p => p[0]).ToList(), "in arrival order");
    }
}

[TestClass]
public class DownlinkInboxTests
{
    [TestMethod]
    public void KeepsArrivalOrderAndRefusesWhatDoesNotFit()
    {
        var inbox = new DownlinkInbox(2, 4);
        Assert.IsTrue(inbox.Add(new byte[] { 1 }));
        Assert.IsFalse(inbox.Add(new byte[5]), "oversized");
        Assert.IsFalse(inbox.Add(Array.Empty<byte>()), "empty");
        Assert.IsFalse(inbox.Add(null));
        Assert.IsTrue(inbox.Add(new byte[] { 2 }));
        Assert.IsFalse(inbox.Add(new byte[] { 3 }), "full");
        Assert.AreEqual(4, inbox.Dropped);
        Assert.AreEqual(1, inbox.Take()[0]);
        Assert.AreEqual(2, inbox.Take()[0]);
        Assert.IsNull(inbox.Take());
    }

    [TestMethod]
    public void AddsFromOtherThreadsLoseNothingThatWasAccepted()
    {
        var inbox = new DownlinkInbox(100_000, 8);
        int accepted = 0;
        Parallel.For(0, 4, w =>
        {
            for (int i = 0; i < 5_000; i++)
            {
                if (inbox.Add(BitConverter.GetBytes(w * 10_000 + i))) Interlocked.Increment(ref accepted);
            }
        });
        var seen = new HashSet<int>();
        for (byte[] p; (p = inbox.Take()) != null;) Assert.IsTrue(seen.Add(BitConverter.ToInt32(p)), "taken twice");
        Assert.AreEqual(20_000, accepted);
        Assert.HasCount(20_000, seen);
    }
}
