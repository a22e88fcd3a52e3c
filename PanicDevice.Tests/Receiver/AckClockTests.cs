using PanicDevice.Bench;

namespace PanicDevice.Tests.Receiver;

/// <summary>The crash bench's ack count: the kill on the exact ack, and the restart's first ack.</summary>
[TestClass]
public class AckClockTests
{
    [TestMethod]
    public void TheActionRunsOnceOnTheThreadThatCountsTheThresholdAck()
    {
        var clock = new AckClock();
        long seenAt = -1;
        int runs = 0;
        clock.At(3, () =>
        {
            seenAt = clock.Acked;
            runs++;
        });
        clock.Ack(0, first: true);
        clock.Ack(0, first: false); // a repeat ack does not count
        clock.Ack(0, first: true);
        Assert.AreEqual(0, runs, "two first acks: not yet");
        clock.Ack(0, first: true);
        Assert.AreEqual(1, runs);
        Assert.AreEqual(3L, seenAt, "run at the third ack, before any later one");
        clock.Ack(0, first: true);
        Assert.AreEqual(1, runs, "once");
        Assert.IsFalse(clock.CancelAt(), "it has run");
    }

    [TestMethod]
    public void AThresholdAlreadyPassedRunsAtOnceAndAWithdrawnOneNever()
    {
        var clock = new AckClock();
        clock.Ack(0, first: true);
        clock.Ack(0, first: true);
        int runs = 0;
        clock.At(2, () => runs++);
        Assert.AreEqual(1, runs);

        clock.At(5, () => runs++);
        Assert.IsTrue(clock.CancelAt());
        for (int i = 0; i < 5; i++) clock.Ack(0, first: true);
        Assert.AreEqual(1, runs, "withdrawn before its ack");
    }

    [TestMethod]
    public async Task TheFirstAckAfterARestartCountsOnlyOnANewConnectionAndNothingLeftEndsTheWait()
    {
        var clock = new AckClock();
        clock.Restarted();
        clock.Ack(0, first: true); // a connection from before the restart
        long? none = await clock.FirstAckAfterRestartAsync(TimeSpan.FromMinutes(5), nothingLeft: () => clock.Acked >= 1);
        Assert.IsNull(none, "every alert acked on old connections: nothing to wait for, and the wait ends at once");

        clock.Restarted();
        Task<long?> waiting = clock.FirstAckAfterRestartAsync(TimeSpan.FromSeconds(30), nothingLeft: () => clock.Acked >= 10);
        clock.Ack(1, first: true); // epoch 1: still the connection of before the second restart
        await Task.Delay(50);
        Assert.IsFalse(waiting.IsCompleted, "an ack on an old connection is not the restart's first");
        clock.Ack(clock.Epoch, first: true);
        Assert.IsNotNull(await waiting);
        Assert.IsNull(await new AckClock().FirstAckAfterRestartAsync(TimeSpan.FromMilliseconds(30)), "none within the timeout");
    }
}
