using System;
using System.Collections;
using System.Threading;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Mqtt;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Mqtt
{
    [TestClass]
    public class BrokerClientUplinkTests
    {
        /// <summary>A library client whose background attempts the test finishes by hand.</summary>
        private sealed class FakePort : IMqttClientPort
        {
            public MqttPortState State { get; set; }
            public string LastError { get; set; }
            /// <summary>Times (long) of BeginConnect.</summary>
            public readonly ArrayList Attempts = new ArrayList();
            public readonly ArrayList PublishedTopics = new ArrayList();
            public readonly ArrayList PublishedPayloads = new ArrayList();
            public readonly Queue Incoming = new Queue();
            public bool RefusePublish;
            public int Closes;
            public long Now;
            public MqttSessionOptions LastOptions;

            public void BeginConnect(MqttSessionOptions options)
            {
                if (State == MqttPortState.Connecting || State == MqttPortState.Connected)
                {
                    throw new InvalidOperationException("attempt while busy");
                }
                LastOptions = options;
                Attempts.Add(Now);
                State = MqttPortState.Connecting;
            }

            public bool Publish(string topic, byte[] payload)
            {
                if (State != MqttPortState.Connected || RefusePublish)
                {
                    return false;
                }
                PublishedTopics.Add(topic);
                PublishedPayloads.Add(payload);
                return true;
            }

            public byte[] TakeReceived()
            {
                return Incoming.Count > 0 ? (byte[])Incoming.Dequeue() : null;
            }

            public void Close()
            {
                Closes++;
                State = MqttPortState.Idle;
            }
        }

        private sealed class Recorder : IDownlinkListener
        {
            public readonly ArrayList Got = new ArrayList();

            public void OnDownlink(byte[] payload, long atMs)
            {
                Got.Add(payload);
            }
        }

        private static MqttSessionOptions Options()
        {
            MqttSessionOptions o = new MqttSessionOptions();
            o.Host = "broker.example";
            o.ClientId = "wall-0001";
            o.Password = "pw";
            o.UplinkTopic = "pd/v1/wall-0001/up";
            o.DownlinkTopic = "pd/v1/wall-0001/down";
            o.ReconnectMinMs = 1000;
            o.ReconnectMaxMs = 8000;
            o.ConnectTimeoutMs = 30000;
            return o;
        }

        private static void PollAt(BrokerClientUplink u, FakePort port, long t)
        {
            port.Now = t;
            u.Poll(t);
        }

        /// <summary>Comma-separated, so a list compares (and fails) as one readable string.</summary>
        private static string Listed(ArrayList values)
        {
            string s = "";
            for (int i = 0; i < values.Count; i++)
            {
                s += (i == 0 ? "" : ",") + values[i].ToString();
            }
            return s;
        }

        [TestMethod]
        public void ConnectsOnFirstPollAndPublishesOnTheUplinkTopicOnceConnected()
        {
            FakePort port = new FakePort();
            BrokerClientUplink u = new BrokerClientUplink(Options(), port);
            Assert.IsFalse(u.Publish(new byte[] { 1 }, 0), "nothing is taken before the connection");
            PollAt(u, port, 0);
            Assert.AreEqual("0", Listed(port.Attempts));
            Assert.AreEqual("wall-0001", port.LastOptions.ClientId);
            port.State = MqttPortState.Connected;
            PollAt(u, port, 500);
            Assert.IsTrue(u.IsConnected);
            Assert.IsTrue(u.Publish(new byte[] { 9 }, 600));
            Assert.AreEqual(1, port.PublishedTopics.Count);
            Assert.AreEqual("pd/v1/wall-0001/up", (string)port.PublishedTopics[0]);
            port.RefusePublish = true;
            Assert.IsFalse(u.Publish(new byte[] { 10 }, 700), "a refusal is reported so the engine (or the dual uplink) acts on it");
        }

        [TestMethod]
        public void FailuresBackOffDoublingUpToTheCapAndASuccessResetsIt()
        {
            FakePort port = new FakePort();
            BrokerClientUplink u = new BrokerClientUplink(Options(), port);
            long t = 0;
            PollAt(u, port, t);
            ArrayList gaps = new ArrayList();
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
            Assert.AreEqual("1000,2000,4000,8000,8000,8000", Listed(gaps));
            Assert.AreEqual(6, u.Failures);
            Assert.AreEqual("no route to broker", u.LastError);

            port.State = MqttPortState.Connected;
            PollAt(u, port, t += 100);
            port.State = MqttPortState.Idle; // the connection dropped
            long droppedAt = t += 100;
            PollAt(u, port, droppedAt);
            int n = port.Attempts.Count;
            while (port.Attempts.Count == n)
            {
                PollAt(u, port, t += 100);
            }
            Assert.AreEqual(1000L, t - droppedAt, "a success resets the backoff");
        }

        [TestMethod]
        public void AnAttemptThatHangsIsAbandonedAndRetried()
        {
            FakePort port = new FakePort();
            BrokerClientUplink u = new BrokerClientUplink(Options(), port);
            PollAt(u, port, 0);
            PollAt(u, port, 59999);
            Assert.AreEqual(0, port.Closes, "the library gets twice the connect timeout");
            PollAt(u, port, 60000);
            Assert.AreEqual(1, port.Closes);
            Assert.AreEqual(1, u.Abandoned);
            PollAt(u, port, 61000);
            Assert.AreEqual(2, port.Attempts.Count, "a new attempt after the first backoff step");
        }

        [TestMethod]
        public void DownlinksReachTheListenerABoundedNumberPerPoll()
        {
            FakePort port = new FakePort();
            port.State = MqttPortState.Connected;
            BrokerClientUplink u = new BrokerClientUplink(Options(), port);
            Recorder heard = new Recorder();
            u.SetListener(heard);
            string expected = "";
            for (int i = 0; i < BrokerClientUplink.MaxDownlinksPerPoll + 3; i++)
            {
                port.Incoming.Enqueue(new byte[] { (byte)i });
                expected += (i == 0 ? "" : ",") + i.ToString();
            }
            PollAt(u, port, 0);
            Assert.AreEqual(BrokerClientUplink.MaxDownlinksPerPoll, heard.Got.Count);
            PollAt(u, port, 20);
            Assert.AreEqual(BrokerClientUplink.MaxDownlinksPerPoll + 3, heard.Got.Count);
            string got = "";
            for (int i = 0; i < heard.Got.Count; i++)
            {
                got += (i == 0 ? "" : ",") + ((byte[])heard.Got[i])[0].ToString();
            }
            Assert.AreEqual(expected, got, "in arrival order");
        }
    }

    [TestClass]
    public class DownlinkInboxTests
    {
        [TestMethod]
        public void KeepsArrivalOrderAndRefusesWhatDoesNotFit()
        {
            DownlinkInbox inbox = new DownlinkInbox(2, 4);
            Assert.IsTrue(inbox.Add(new byte[] { 1 }));
            Assert.IsFalse(inbox.Add(new byte[5]), "oversized");
            Assert.IsFalse(inbox.Add(new byte[0]), "empty");
            Assert.IsFalse(inbox.Add(null));
            Assert.IsTrue(inbox.Add(new byte[] { 2 }));
            Assert.IsFalse(inbox.Add(new byte[] { 3 }), "full");
            Assert.AreEqual(4, inbox.Dropped);
            Assert.AreEqual(1, (int)inbox.Take()[0]);
            Assert.AreEqual(2, (int)inbox.Take()[0]);
            Assert.IsNull(inbox.Take());
        }

        /// <summary>Four writers, as M2Mqtt raises its events on its own thread while the device loop takes.</summary>
        private sealed class Writer
        {
            private readonly DownlinkInbox inbox;
            private readonly int worker;
            public int Accepted;

            public Writer(DownlinkInbox inbox, int worker)
            {
                this.inbox = inbox;
                this.worker = worker;
            }

            public void Run()
            {
                for (int i = 0; i < 5000; i++)
                {
                    if (inbox.Add(BitConverter.GetBytes(worker * 10000 + i)))
                    {
                        Accepted++;
                    }
                    if (i % 64 == 63)
                    {
                        // nanoCLR switches threads every 20 ms or when one yields; 5000 adds take less, so without
                        // this the four writers would run one after another there and never meet at the lock.
                        Thread.Sleep(0);
                    }
                }
            }
        }

        [TestMethod]
        public void AddsFromOtherThreadsLoseNothingThatWasAccepted()
        {
            DownlinkInbox inbox = new DownlinkInbox(100000, 8);
            Writer[] writers = new Writer[4];
            Thread[] threads = new Thread[4];
            for (int w = 0; w < 4; w++)
            {
                writers[w] = new Writer(inbox, w);
                threads[w] = new Thread(new ThreadStart(writers[w].Run));
            }
            for (int w = 0; w < 4; w++)
            {
                threads[w].Start();
            }
            for (int w = 0; w < 4; w++)
            {
                threads[w].Join();
            }
            int accepted = 0;
            for (int w = 0; w < 4; w++)
            {
                accepted += writers[w].Accepted;
            }
            // A flag per value, not a Hashtable: nanoFramework's stops growing at 12143 buckets (NotSupportedException).
            bool[] seen = new bool[40000];
            int distinct = 0;
            for (byte[] p = inbox.Take(); p != null; p = inbox.Take())
            {
                int value = BitConverter.ToInt32(p, 0);
                Assert.IsFalse(seen[value], "taken twice: " + value.ToString());
                seen[value] = true;
                distinct++;
            }
            Assert.AreEqual(20000, accepted);
            Assert.AreEqual(20000, distinct);
        }
    }
}
