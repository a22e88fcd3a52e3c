using PanicDevice.Bench;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// The short form of the dispatch bench (a backlog drained, then a burst stored while the dispatcher runs, to a
/// loopback target that checks signatures): its exit code says every event arrived once, signed. The figures are
/// the bench's to print (docs/benchmarks.md); here only that the run is correct on each store engine.
/// </summary>
[TestClass]
public class DispatchBenchmarkTests
{
    [TestMethod]
    public async Task TheShortFormDeliversEveryEventOnceOnSqlite()
    {
        // More than one fetch batch per phase, across several devices.
        Assert.AreEqual(0, await DispatchBenchmark.RunAsync(events: PanicDevice.Receiver.Dispatch.QueueDispatcher.FetchBatch * 2 + 17, devices: 7, storeUrl: null));
    }

    [TestMethod]
    public async Task TheShortFormDeliversEveryEventOnceOnPostgres()
    {
        using TestStore store = TestStore.Create(StoreEngine.Postgres);
        Assert.AreEqual(0, await DispatchBenchmark.RunAsync(events: 300, devices: 7, storeUrl: store.Url));
    }
}
