using PanicDevice.Cli;

namespace PanicDevice.Tests.Cli;

/// <summary>The README's main command: `panicctl demo --once` runs the receiver and a simulated fob, and exits 0 only after the acknowledgement.</summary>
[TestClass]
public class DemoCommandTests
{
    [TestMethod]
    public async Task DemoOnceEndsWithAnAcknowledgedStoredAlert()
    {
        var output = new StringWriter();
        int exit = await DemoCommand.RunAsync(once: true, output);
        string log = output.ToString();
        Assert.AreEqual(0, exit, log);
        StringAssert.Contains(log, "device feedback: Acknowledged");
        StringAssert.Contains(log, "stored and listed by the API:");
        StringAssert.Contains(log, "demo-fob-1 panic [new]");
        StringAssert.Contains(log, "received-mqtt");
        StringAssert.Contains(log, "fob connected over MQTT through the modem");
        StringAssert.Contains(log, "outbox is empty: True");
    }

    [TestMethod]
    public async Task DemoOncePrintsEventsInTheOrderTheyHappenWithAPositionAndNoDeadDashboardUrl()
    {
        var output = new StringWriter();
        int exit = await DemoCommand.RunAsync(once: true, output);
        string log = output.ToString();
        Assert.AreEqual(0, exit, log);
        // The alert appears on the map: it carries the demo fob's GNSS fix.
        StringAssert.Contains(log, "demo-fob-1 panic [new] -6.175392,106.827153 ±6 m");
        Assert.IsFalse(log.Contains("POSITION UNKNOWN"), log);
        int tap3 = log.IndexOf("tap 3/3", StringComparison.Ordinal);
        int sending = log.IndexOf("device feedback: Sending", StringComparison.Ordinal);
        int acked = log.IndexOf("device feedback: Acknowledged", StringComparison.Ordinal);
        int stored = log.IndexOf("stored and listed by the API", StringComparison.Ordinal);
        Assert.IsTrue(tap3 >= 0 && tap3 < sending && sending < acked && acked < stored, "tap 3/3, then Sending, then Acknowledged, then stored:\n" + log);
        // --once stops the receiver a moment later: no URL that would be dead when the user opens it.
        Assert.IsFalse(log.Contains("dashboard: http"), log);
        Assert.IsFalse(log.Contains("curl "), log);
        StringAssert.Contains(log, "without --once");
    }
}
