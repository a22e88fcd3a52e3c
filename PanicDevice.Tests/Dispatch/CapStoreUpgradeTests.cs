using System.Data.Common;
using System.Xml.Linq;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Dispatch;

/// <summary>
/// A store written by a receiver from before CAP messages and device languages (no devices.language column,
/// no cap_messages table, alerts in every state), opened by this one: on each engine (the subclasses below).
/// </summary>
public abstract class CapStoreUpgradeTests
{
    protected abstract StoreEngine Engine { get; }

    private static readonly CapFormatter Formatter = new("panicdevice.receiver", "PanicDevice receiver");

    /// <summary>Takes a fresh store back to the old shape and fills it the way the old receiver did.</summary>
    private static void MakeOld(TestStore store)
    {
        using DbConnection c = store.OpenOutside();
        ReceiverDatabase.Execute(c, "DROP TABLE cap_messages");
        ReceiverDatabase.Execute(c, "ALTER TABLE devices DROP COLUMN language");
        using (var cmd = ReceiverDatabase.Command(c, null, "INSERT INTO devices (id, key, kind, owner_name) VALUES ('fob-old', @k, 0, 'Siti')"))
        {
            cmd.With("@k", SampleFrames.Key(0x40));
            cmd.ExecuteNonQuery();
        }
        foreach (var (counter, state, duress) in new[] { (1, "new", 0), (2, "cancelled", 0), (3, "acknowledged", 1), (4, "resolved", 0) })
        {
            using var cmd = ReceiverDatabase.Command(c, null, """
                INSERT INTO alerts (device_id, counter, code, state, duress, lat_e7, lon_e7, accuracy_m, source, opened_utc, updated_utc)
                VALUES ('fob-old', @c, 1, @s, @d, -61753924, 1068271528, 8, 1, '2026-01-05T08:00:00.0000000Z', '2026-01-05T08:03:30.5000000Z')
                """);
            cmd.With("@c", (long)counter);
            cmd.With("@s", state);
            cmd.With("@d", duress);
            cmd.ExecuteNonQuery();
        }
    }

    private static long AlertId(TestStore store, uint counter) => store.Count("SELECT id FROM alerts WHERE device_id = 'fob-old' AND counter = @c", ("@c", (long)counter));

    private static List<XDocument> Documents(IReadOnlyList<CapMessageRecord> messages)
    {
        var docs = messages.Select((_, i) => Formatter.Format(messages, i)).ToList();
        docs.ForEach(CapSchema.AssertValid);
        return docs;
    }

    [TestMethod]
    public void AnOldStoreGainsTheLanguageColumnAndItsAlertsKeepTheirStory()
    {
        using var store = TestStore.Create(Engine);
        MakeOld(store);
        using (ReceiverDatabase upgraded = store.OpenAnother())
        using (ReceiverDatabase again = store.OpenAnother())
        {
            // Opening twice (a second receiver, a restart) adds nothing twice.
            Assert.AreEqual("en", new DeviceRegistry(upgraded).Find("fob-old")!.Language, "existing devices read as English, the old fixed language");
            var log = new CapMessageLog(upgraded);

            List<XDocument> fresh = Documents(log.For(AlertId(store, 1)));
            Assert.HasCount(1, fresh);
            Assert.AreEqual("Alert", CapSchema.Value(fresh[0], "msgType"));
            Assert.AreEqual("pd-fob-old-1", CapSchema.Value(fresh[0], "identifier"));
            Assert.AreEqual("2026-01-05T08:00:00-00:00", CapSchema.Value(fresh[0], "sent"));

            List<XDocument> cancelled = Documents(log.For(AlertId(store, 2)));
            CollectionAssert.AreEqual(new[] { "Alert", "Cancel" }, cancelled.Select(d => CapSchema.Value(d, "msgType")).ToArray());
            Assert.AreEqual("2026-01-05T08:03:30-00:00", CapSchema.Value(cancelled[1], "sent"), "sent when it last changed");

            List<XDocument> duress = Documents(log.For(AlertId(store, 3)));
            CollectionAssert.AreEqual(new[] { "Update" }, duress.Skip(1).Select(d => CapSchema.Value(d, "msgType")).ToArray());
            Assert.AreEqual("Extreme", CapSchema.Value(duress[1], "severity"), "an open alert with the duress flag stays escalated");
            Assert.AreEqual("Severe", CapSchema.Value(duress[0], "severity"), "the alert itself was not yet under duress");

            Assert.AreEqual("AllClear", CapSchema.Value(Documents(log.For(AlertId(store, 4)))[1], "responseType"));
            Assert.IsEmpty(log.For(999_999), "no alert, no messages");
        }
    }

    [TestMethod]
    public void AnOldAlertsNextChangeIsNumberedAfterTheMessagesItAlreadyHad()
    {
        using var store = TestStore.Create(Engine);
        MakeOld(store);
        using ReceiverDatabase upgraded = store.OpenAnother();
        var time = new Receiver.ManualTime { Now = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero) };
        var alerts = new AlertBook(upgraded, time);
        var log = new CapMessageLog(upgraded);
        long open = AlertId(store, 1), duress = AlertId(store, 3);
        string before = Formatter.Reference(log.For(duress)[1]);

        alerts.Act(open, "acknowledge", null, "op");
        alerts.Act(duress, "assign", "Unit 7", "op");

        List<XDocument> acknowledged = Documents(log.For(open));
        CollectionAssert.AreEqual(new[] { "pd-fob-old-1", "pd-fob-old-1-m2" }, acknowledged.Select(d => CapSchema.Value(d, "identifier")).ToArray());
        Assert.AreEqual("2026-01-05T09:00:00-00:00", CapSchema.Value(acknowledged[1], "sent"));
        Assert.AreEqual(2, store.Count("SELECT COUNT(*) FROM cap_messages WHERE alert_id = @a", ("@a", open)), "recorded, not reconstructed any more");

        List<XDocument> assigned = Documents(log.For(duress));
        Assert.HasCount(3, assigned);
        Assert.AreEqual(before, CapSchema.Value(assigned[2], "references")!.Split(' ')[1], "the reconstructed message it supersedes is the one served before");
        Assert.AreEqual("Extreme", CapSchema.Value(assigned[2], "severity"));
    }
}

[TestClass]
public class SqliteCapStoreUpgradeTests : CapStoreUpgradeTests
{
    protected override StoreEngine Engine => StoreEngine.Sqlite;
}

[TestClass]
public class PostgresCapStoreUpgradeTests : CapStoreUpgradeTests
{
    protected override StoreEngine Engine => StoreEngine.Postgres;
}
