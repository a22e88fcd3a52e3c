using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using PanicDevice.Receiver.Dispatch.Dc09;
using ArcReceiver = PanicDevice.Tests.Dispatch.Dc09FrameTests.ArcReceiver;

namespace PanicDevice.Tests.Dispatch;

/// <summary>
/// <see cref="Dc09Link"/> against an ARC receiver on a real loopback socket (the tests' own parser and decryption):
/// an ACK, a NAK for a timestamp outside the ARC's window answered by resending with the ARC's time, a wrong key, a
/// DUH, silence, a closed port.
/// </summary>
[TestClass]
public class Dc09LinkTests
{
    /// <summary>An ARC on loopback: answers each message by <see cref="Answer"/>; what it read is in <see cref="Read"/>.</summary>
    private sealed class ArcServer : IAsyncDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stop = new();
        private readonly Task accepting;
        private readonly ArcReceiver arc;

        public ArcServer(byte[] key, TimeSpan clockSkew)
        {
            arc = new ArcReceiver(key);
            ClockSkew = clockSkew;
            listener.Start();
            accepting = AcceptAsync();
        }

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        public TimeSpan ClockSkew { get; }

        /// <summary>"ack" (within the ARC's ±20 s window, else a NAK with its time), "duh" or "silent".</summary>
        public string Answer { get; set; } = "ack";

        public ConcurrentQueue<ArcReceiver.Message> Read { get; } = new();

        public int Messages;

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    TcpClient c = await listener.AcceptTcpClientAsync(stop.Token);
                    _ = ServeAsync(c);
                }
            }
            catch (OperationCanceledException) { }
            catch (ObjectDisposedException) { }
        }

        private async Task ServeAsync(TcpClient c)
        {
            using (c)
            {
                NetworkStream s = c.GetStream();
                var frame = new List<byte>();
                var buffer = new byte[512];
                try
                {
                    int n;
                    while ((n = await s.ReadAsync(buffer, stop.Token)) > 0)
                    {
                        foreach (byte b in buffer.AsSpan(0, n).ToArray())
                        {
                            frame.Add(b);
                            if (b != (byte)'\r') continue;
                            Interlocked.Increment(ref Messages);
                            byte[]? reply = Reply(frame.ToArray());
                            frame.Clear();
                            if (reply != null) await s.WriteAsync(reply, stop.Token);
                        }
                    }
                }
                catch (OperationCanceledException) { }
                catch (IOException) { }
            }
        }

        private byte[]? Reply(byte[] frame)
        {
            DateTime now = DateTime.UtcNow + ClockSkew;
            if (Answer == "silent") return null;
            ArcReceiver.Message m;
            try
            {
                m = arc.Read(frame);
            }
            catch (FormatException)
            {
                return ArcReceiver.Nak(now); // cannot decrypt: not our key
            }
            if (Answer == "duh") return ArcReceiver.Duh(m.Sequence, m.Receiver ?? "0", m.Line, m.Account);
            if ((m.Time - now).Duration() > TimeSpan.FromSeconds(20)) return ArcReceiver.Nak(now);
            Read.Enqueue(m);
            return arc.Ack(m.Sequence, m.Receiver ?? "0", m.Line, m.Account, now, m.Encrypted);
        }

        public async ValueTask DisposeAsync()
        {
            stop.Cancel();
            listener.Stop();
            await accepting;
        }
    }

    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(16);

    private static Dc09Account Account(byte[]? key = null) => new("4321", "2", "1", key ?? Key);

    [TestMethod]
    public async Task AnAlarmIsAcknowledgedAndTheNextOneTakesTheNextSequenceOnTheSameConnection()
    {
        await using var arc = new ArcServer(Key, TimeSpan.Zero);
        await using var link = new Dc09Link("127.0.0.1", arc.Port, Account());
        Dc09Outcome first = await link.SendAsync(Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);
        Dc09Outcome second = await link.SendAsync(Dc09Frame.ContactId, "#4321|1406 01 003", Array.Empty<string>(), CancellationToken.None);

        Assert.AreEqual((Dc09Result.Acked, 1), (first.Result, first.Sequence), first.Detail);
        Assert.AreEqual((Dc09Result.Acked, 2), (second.Result, second.Sequence), second.Detail);
        CollectionAssert.AreEqual(new[] { "#4321|1120 01 003", "#4321|1406 01 003" }, arc.Read.Select(m => m.Data).ToArray());
    }

    [TestMethod]
    public async Task ATimestampOutsideTheArcsWindowIsResentWithTheArcsTimeAndItsClockIsKept()
    {
        await using var arc = new ArcServer(Key, TimeSpan.FromMinutes(10));
        await using var link = new Dc09Link("127.0.0.1", arc.Port, Account());
        Dc09Outcome outcome = await link.SendAsync(Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);

        Assert.AreEqual(Dc09Result.Acked, outcome.Result, outcome.Detail);
        Assert.AreEqual(2, arc.Messages, "refused once, then accepted");
        Assert.AreEqual(1, arc.Read.Single().Sequence, "the resend keeps its sequence");
        Assert.IsTrue((link.ArcClockOffset - TimeSpan.FromMinutes(10)).Duration() < TimeSpan.FromSeconds(5), link.ArcClockOffset.ToString());
        // The next message is stamped with the ARC's clock from the start.
        Assert.AreEqual(Dc09Result.Acked, (await link.SendAsync(Dc09Frame.ContactId, "#4321|1406 01 003", Array.Empty<string>(), CancellationToken.None)).Result);
        Assert.AreEqual(3, arc.Messages);
    }

    [TestMethod]
    public async Task AWrongKeyAndADuhAreRefusalsNotRetriedForEver()
    {
        await using var arc = new ArcServer(RandomNumberGenerator.GetBytes(16), TimeSpan.Zero);
        await using var link = new Dc09Link("127.0.0.1", arc.Port, Account());
        Dc09Outcome wrongKey = await link.SendAsync(Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);
        Assert.AreEqual(Dc09Result.Refused, wrongKey.Result);
        StringAssert.Contains(wrongKey.Detail, "wrong key or account");
        Assert.AreEqual(2, arc.Messages, "once, and once more with the ARC's time");

        await using var puzzled = new ArcServer(Key, TimeSpan.Zero) { Answer = "duh" };
        await using var link2 = new Dc09Link("127.0.0.1", puzzled.Port, Account());
        Dc09Outcome duh = await link2.SendAsync(Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);
        Assert.AreEqual(Dc09Result.Refused, duh.Result);
        StringAssert.StartsWith(duh.Detail, "DUH");
    }

    [TestMethod]
    public async Task ASilentOrAbsentArcIsAFailureToRetryAndTheLinkConnectsAgain()
    {
        await using var arc = new ArcServer(Key, TimeSpan.Zero) { Answer = "silent" };
        await using var link = new Dc09Link("127.0.0.1", arc.Port, Account(), replyTimeout: TimeSpan.FromMilliseconds(300));
        Dc09Outcome silent = await link.SendAsync(Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);
        Assert.AreEqual(Dc09Result.Failed, silent.Result);
        StringAssert.Contains(silent.Detail, "no answer");

        arc.Answer = "ack";
        Dc09Outcome again = await link.SendAsync(Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);
        Assert.AreEqual(Dc09Result.Acked, again.Result, again.Detail);

        int closed;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closed = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        await using var nowhere = new Dc09Link("127.0.0.1", closed, Account());
        Assert.AreEqual(Dc09Result.Failed, (await nowhere.SendAsync(Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None)).Result);
    }
}
