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
        StringAssert.Contains(log, "dashboard: http://127.0.0.1:");
        StringAssert.Contains(log, "outbox is empty: True");
    }
}
