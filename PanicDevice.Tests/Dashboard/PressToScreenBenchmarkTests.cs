using PanicDevice.Bench;

namespace PanicDevice.Tests.Dashboard;

/// <summary>
/// The short form of press-to-screen (e2e with the dashboard open in Chromium): three presses through the real device
/// Core, the SIM800 emulator and the receiver, each acknowledged on the device and drawn in the operator's list. The
/// figures are the bench's to print (docs/benchmarks.md); here only that every press made it to the screen.
/// </summary>
[TestClass]
public class PressToScreenBenchmarkTests
{
    [TestMethod]
    public async Task ThreePressesAreEachAcknowledgedAndDrawn()
    {
        if (!File.Exists(E2eBenchmark.Chromium))
        {
            Assert.Inconclusive("Debian's chromium is not installed (apt-get install chromium); the browser bench cannot run");
        }
        Assert.AreEqual(0, await E2eBenchmark.RunAsync(rttMs: 0, sessionUp: true, alerts: 3, viaModem: true, screen: true));
    }
}
