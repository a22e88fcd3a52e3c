using PanicDevice.Bench;
using PanicDevice.Receiver;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// The short form of the crash-and-count bench: the real receiver as a child process, SIGKILLed during a
/// burst three times and restarted on the same data folder. Nothing a device saw acknowledged may be
/// missing, every alert ends up stored once, no webhook event is created twice, and the alarm receiving centre gets
/// every alert, a repeat at most once per kill.
/// </summary>
[TestClass]
public class CrashHarnessTests
{
    [TestMethod]
    [TestCategory("Crash")]
    public async Task Crash_ThreeKillsDuringABurst_NoAckedAlertLostAndNoDispatchDuplicated()
    {
        // the test's output folder holds the receiver DLL with its runtimeconfig and deps: start it from there
        string dll = typeof(ReceiverApp).Assembly.Location;
        int seed = Environment.TickCount;
        CrashResult r = await CrashHarness.RunAsync(new CrashOptions(Trials: 3, Devices: 20, Alerts: 1000, Seed: seed, ReceiverDll: dll)
        {
            DrainTimeout = TimeSpan.FromMinutes(2),
        });
        string line = r.Line();

        Assert.IsTrue(r.Drained, "every alert acked and every webhook event delivered: " + line);
        // A kill late in a trial can land when the dying receiver has already written every ack: nothing to recover then.
        Assert.AreEqual(3, r.RecoveryMs.Count + r.KillsAfterLastAck, "each kill interrupted the burst and the restarted receiver acked again: " + line);
        Assert.IsGreaterThanOrEqualTo(1, r.RecoveryMs.Count, "at least one kill left alerts for the restarted receiver: " + line);
        Assert.AreEqual(3000, r.Alerts, line);
        Assert.AreEqual(r.Alerts, r.Acked, line);
        Assert.AreEqual(0, r.Lost, "acked but not in the store: " + line);
        Assert.AreEqual(r.Alerts, r.Stored, line);
        Assert.AreEqual(0, r.StoredDuplicates, line);
        Assert.AreEqual(r.Alerts, r.QueueRows, "one dispatch_queue row per alert: " + line);
        Assert.AreEqual(0, r.QueueDuplicates, line);
        Assert.AreEqual(0, r.AlertRowDuplicates, "one alert row per alert: " + line);
        Assert.AreEqual(0, r.DuplicatedDispatch, "one webhook event per alert: " + line);
        Assert.AreEqual(r.Alerts, r.DistinctEvents, "every alert's event delivered: " + line);
        Assert.AreEqual(0, r.BadSignatures, line);
        Assert.AreEqual(0, r.Strays, "acks that did not verify or matched no alert: " + line);
        // The ARC: every stored alert acknowledged there; a kill may repeat at most the one message whose ACK it cut
        // off from its record (DC-09 has no event id for the ARC to drop a repeat by).
        Assert.AreEqual(0, r.ArcMissing, "stored alerts the ARC never acknowledged: " + line);
        Assert.IsLessThanOrEqualTo(r.Trials, r.ArcRepeated, "at most one repeated alarm per kill: " + line);
        Assert.AreEqual(0, r.ArcRejected, "messages the ARC could not check or decrypt: " + line);
    }
}
