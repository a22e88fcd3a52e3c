using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using PanicDevice.Receiver.Dispatch.Dc09;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Dispatch;

/// <summary>
/// <see cref="Dc09Link"/> against an ARC receiver on a real loopback socket (the tests' own parser and decryption):
/// an ACK, a NAK for a timestamp outside the ARC's window answered by resending with the ARC's time, a wrong key, a
/// DUH, silence, a closed port.
/// </summary>
[TestClass]
public class Dc09LinkTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(16);

    private static Dc09Account Account(byte[]? key = null) => new("4321", "2", "1", key ?? Key);

    private static TestArc Arc(byte[] key, TimeSpan skew, string answer = "ack") => new(new Dictionary<string, byte[]?> { ["4321"] = key }, skew) { Answer = answer };

    [TestMethod]
    public async Task AnAlarmIsAcknowledgedAndTheNextOneTakesTheNextSequenceOnTheSameConnection()
    {
        await using var arc = Arc(Key, TimeSpan.Zero);
        await using var link = new Dc09Link("127.0.0.1", arc.Port);
        Dc09Outcome first = await link.SendAsync(Account(), Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);
        Dc09Outcome second = await link.SendAsync(Account(), Dc09Frame.ContactId, "#4321|1406 01 003", Array.Empty<string>(), CancellationToken.None);

        Assert.AreEqual((Dc09Result.Acked, 1), (first.Result, first.Sequence), first.Detail);
        Assert.AreEqual((Dc09Result.Acked, 2), (second.Result, second.Sequence), second.Detail);
        CollectionAssert.AreEqual(new[] { "#4321|1120 01 003", "#4321|1406 01 003" }, arc.Read.Select(m => m.Data).ToArray());
    }

    [TestMethod]
    public async Task ATimestampOutsideTheArcsWindowIsResentWithTheArcsTimeAndItsClockIsKept()
    {
        await using var arc = Arc(Key, TimeSpan.FromMinutes(10));
        await using var link = new Dc09Link("127.0.0.1", arc.Port);
        Dc09Outcome outcome = await link.SendAsync(Account(), Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);

        Assert.AreEqual(Dc09Result.Acked, outcome.Result, outcome.Detail);
        Assert.AreEqual(2, arc.Messages, "refused once, then accepted");
        Assert.AreEqual(1, arc.Read.Single().Sequence, "the resend keeps its sequence");
        Assert.IsTrue((link.ArcClockOffset - TimeSpan.FromMinutes(10)).Duration() < TimeSpan.FromSeconds(5), link.ArcClockOffset.ToString());
        // The next message is stamped with the ARC's clock from the start.
        Assert.AreEqual(Dc09Result.Acked, (await link.SendAsync(Account(), Dc09Frame.ContactId, "#4321|1406 01 003", Array.Empty<string>(), CancellationToken.None)).Result);
        Assert.AreEqual(3, arc.Messages);
    }

    [TestMethod]
    public async Task AWrongKeyAndADuhAreRefusalsNotRetriedForEver()
    {
        await using var arc = Arc(RandomNumberGenerator.GetBytes(16), TimeSpan.Zero);
        await using var link = new Dc09Link("127.0.0.1", arc.Port);
        Dc09Outcome wrongKey = await link.SendAsync(Account(), Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);
        Assert.AreEqual(Dc09Result.Refused, wrongKey.Result);
        StringAssert.Contains(wrongKey.Detail, "wrong key or account");
        Assert.AreEqual(2, arc.Messages, "once, and once more with the ARC's time");

        await using var puzzled = Arc(Key, TimeSpan.Zero, "duh");
        await using var link2 = new Dc09Link("127.0.0.1", puzzled.Port);
        Dc09Outcome duh = await link2.SendAsync(Account(), Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);
        Assert.AreEqual(Dc09Result.Refused, duh.Result);
        StringAssert.StartsWith(duh.Detail, "DUH");
    }

    [TestMethod]
    public async Task ASilentOrAbsentArcIsAFailureToRetryAndTheLinkConnectsAgain()
    {
        await using var arc = Arc(Key, TimeSpan.Zero, "silent");
        await using var link = new Dc09Link("127.0.0.1", arc.Port, replyTimeout: TimeSpan.FromMilliseconds(300));
        Dc09Outcome silent = await link.SendAsync(Account(), Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);
        Assert.AreEqual(Dc09Result.Failed, silent.Result);
        StringAssert.Contains(silent.Detail, "no answer");

        arc.Answer = "ack";
        Dc09Outcome again = await link.SendAsync(Account(), Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None);
        Assert.AreEqual(Dc09Result.Acked, again.Result, again.Detail);

        int closed;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            closed = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        await using var nowhere = new Dc09Link("127.0.0.1", closed);
        Assert.AreEqual(Dc09Result.Failed, (await nowhere.SendAsync(Account(), Dc09Frame.ContactId, "#4321|1120 01 003", Array.Empty<string>(), CancellationToken.None)).Result);
    }
}
