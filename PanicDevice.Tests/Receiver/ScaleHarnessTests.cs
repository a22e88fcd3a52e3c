using PanicDevice.Bench.Scale;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Dispatch;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// The short form of the scale bench: two real receivers (child processes, external broker mode) behind
/// Debian's mosquitto, splitting the uplinks through the shared subscription; one is SIGKILLed during the
/// burst and not restarted, and the devices' resends must bring its share to the other. Without mosquitto
/// these tests report Inconclusive.
/// </summary>
[TestClass]
public class ScaleHarnessTests
{
    private static async Task<ScaleResult> RunOrInconclusive(ScaleOptions o)
    {
        try
        {
            return await ScaleHarness.RunAsync(o);
        }
        catch (MosquittoMissingException e)
        {
            Assert.Inconclusive(e.Message);
            throw;
        }
    }

    private static ScaleOptions Short(string? store) =>
        // the test's output folder holds the receiver DLL with its runtimeconfig and deps: start it from there
        new(Receivers: 2, Devices: 10, Alerts: 300, Kill: true, ReceiverDll: typeof(ReceiverApp).Assembly.Location)
        {
            StoreUrl = store,
            DrainTimeout = TimeSpan.FromSeconds(40),
            // A shared store's webhook targets are leased to one receiver: the survivor takes them over only once
            // the killed one's lease (QueueDispatcher.LeaseTime, 30 s) has run out.
            DispatchDrainTimeout = store == null ? TimeSpan.FromSeconds(20) : QueueDispatcher.LeaseTime + TimeSpan.FromSeconds(30),
        };

    [TestMethod]
    [TestCategory("Scale")]
    public async Task Scale_OneOfTwoReceiversKilled_EachWithItsOwnStore_NoAckedAlertLost()
    {
        ScaleResult r = await RunOrInconclusive(Short(store: null));
        string line = r.Line();

        // Stores of their own cannot promise exactly-once across receivers (a frame the dead receiver stored but
        // never acked is stored again by the other): only what holds in this mode is asserted.
        Assert.AreEqual("sqlite-per-receiver", r.StoreMode, line);
        Assert.IsTrue(r.Drained, "every alert acked and the live receiver's webhook queue emptied: " + line);
        Assert.AreEqual(300, r.Alerts, line);
        Assert.AreEqual(r.Alerts, r.Acked, "the devices' resends reached the surviving receiver: " + line);
        Assert.AreEqual(0, r.Lost, "acked but in no store: " + line);
        Assert.AreEqual(0, r.NotStored, line);
        Assert.AreEqual(r.Alerts, r.Stored, "every alert in some store: " + line);
        Assert.AreEqual(0, r.StoredDuplicates, "never twice in one store: " + line);
        Assert.IsTrue(r.InFlightAtKill > 0, "the kill happened mid-burst: " + line);
        Assert.IsFalse(double.IsNaN(r.RecoveryMs), "every alert the dead receiver held was acked by the other: " + line);
        Assert.IsTrue(r.StoredBy[0] > 0 && r.StoredBy[1] > 0, "both receivers took a share before the kill: " + line);
        Assert.AreEqual(0, r.BadSignatures, line);
        Assert.AreEqual(0, r.Strays, "acks that did not verify or matched no alert: " + line);
    }

    [TestMethod]
    [TestCategory("Scale")]
    public async Task Scale_OneOfTwoReceiversKilled_SharingOneStore_EveryAlertStoredAndDispatchedOnce()
    {
        // one SQLite file for both receiver processes (WAL, IMMEDIATE transactions): the shared store this tree has
        string dir = Path.Combine(Path.GetTempPath(), "pd-scale-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            ScaleResult r = await RunOrInconclusive(Short(store: "sqlite://" + Path.Combine(dir, "shared.db")));
            string line = r.Line();

            Assert.AreEqual("shared-sqlite", r.StoreMode, line);
            Assert.IsTrue(r.Drained, line);
            Assert.AreEqual(r.Alerts, r.Acked, line);
            Assert.AreEqual(0, r.Lost, line);
            Assert.AreEqual(r.Alerts, r.Stored, line);
            Assert.AreEqual(0, r.StoredDuplicates, "stored once across receivers: " + line);
            Assert.AreEqual(0, r.QueueDuplicates, "queued for dispatch once: " + line);
            Assert.AreEqual(0, r.AlertRowDuplicates, line);
            Assert.AreEqual(0, r.DuplicatedDispatch, "one webhook event per alert (a repeat of the same event id is allowed): " + line);
            Assert.AreEqual(r.Alerts, r.DistinctEvents, "every alert's event delivered by the surviving receiver: " + line);
            Assert.AreEqual(0, r.StrandedUndelivered, line);
            Assert.AreEqual(0, r.Strays, line);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    [TestCategory("Scale")]
    public async Task Scale_OneOfTwoReceiversKilled_SharingOnePostgreSQL_EveryAlertStoredAndDispatchedOnce()
    {
        // The city-wide layout in small: two receivers on two "hosts" (processes) sharing one PostgreSQL database.
        string url = PanicDevice.Tests.Support.TestPostgres.Server().CreateDatabase("scale_" + Guid.NewGuid().ToString("N")[..8]);
        ScaleResult r = await RunOrInconclusive(Short(store: url));
        string line = r.Line();

        Assert.AreEqual("shared-postgresql", r.StoreMode, line);
        Assert.IsTrue(r.Drained, line);
        Assert.AreEqual(r.Alerts, r.Acked, line);
        Assert.AreEqual(0, r.Lost, "acked but not stored: " + line);
        Assert.AreEqual(r.Alerts, r.Stored, line);
        Assert.AreEqual(0, r.StoredDuplicates, "stored once across receivers: " + line);
        Assert.AreEqual(0, r.QueueDuplicates, "queued for dispatch once: " + line);
        Assert.AreEqual(0, r.AlertRowDuplicates, line);
        Assert.AreEqual(0, r.DuplicatedDispatch, "one webhook event per alert: " + line);
        Assert.AreEqual(r.Alerts, r.DistinctEvents, "every alert's event delivered by the surviving receiver: " + line);
        Assert.AreEqual(0, r.StrandedUndelivered, line);
        Assert.IsTrue(r.InFlightAtKill > 0, "the kill happened mid-burst: " + line);
        Assert.AreEqual(0, r.Strays, line);
    }
}
