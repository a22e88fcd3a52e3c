using System.Data.Common;
using System.Text;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// The set-based writer of a PostgreSQL group commit (<see cref="FrameBulkWriter"/>) writes what the per-frame store
/// writes. The same frames, with the same history behind them, go once through <see cref="FrameStore.Store"/> one by one
/// and once through one group commit, and every table that a frame touches must read the same afterwards (ids aside,
/// which only a sequence gives). The batch mixes the frames the set-based writer takes with every kind it must leave to
/// the per-frame store.
/// </summary>
[TestClass]
public class FrameBulkWriterTests
{
    private static readonly DateTime T0 = new(2026, 12, 4, 6, 0, 0, DateTimeKind.Utc);

    private static byte[] KeyOf(string id) => SampleFrames.Key((byte)(id.Length * 7 + id[^1]));

    private sealed record Sent(Frame Frame, byte[] Raw, DateTime At);

    private static Sent Make(string id, uint counter, MessageKind kind = MessageKind.Alert, AlertCode code = AlertCode.Panic, Action<Frame>? change = null, int second = 0)
    {
        Frame f = SampleFrames.Alert(id, counter);
        f.Kind = kind;
        f.Code = (byte)code;
        change?.Invoke(f);
        return new Sent(f, FrameCodec.Encode(f, KeyOf(id)), T0.AddSeconds(second));
    }

    private static readonly string[] Devices =
        { "bk-open", "bk-a1", "bk-a2", "bk-a3", "bk-a4", "bk-hb", "bk-two", "bk-cx", "bk-up", "bk-dup", "bk-ce", "bk-rk", "bk-rk2", "bk-old", "bk-mix", "bk-rk3" };

    /// <summary>Frames stored before the batch, one at a time, on both stores: the history the batch meets.</summary>
    private static IEnumerable<Sent> History() => new[]
    {
        Make("bk-cx", 1, second: 1),
        Make("bk-up", 1, second: 2),
        Make("bk-dup", 4, second: 3),
        Make("bk-ce", 5, second: 4),
        Make("bk-ce", 5, code: AlertCode.HoldUp, second: 5), // other bytes under a used counter: refused, waits to be resolved
        Make("bk-rk", 3, second: 6),
        Make("bk-rk2", 3, second: 7),
        Make("bk-old", 1000, second: 8),
        Make("bk-rk3", 3, second: 9),
    };

    /// <summary>The batch, in arrival order.</summary>
    private static List<Sent> Batch() => new()
    {
        Make("bk-a1", 1, second: 20),
        Make("bk-two", 1, second: 21),
        Make("bk-a2", 9, code: AlertCode.HoldUp, change: f => { f.Source = LocationSource.None; f.LatitudeE7 = 0; f.LongitudeE7 = 0; f.AccuracyM = Frame.Unknown16; }, second: 22),
        Make("bk-hb", 77, MessageKind.Heartbeat, (AlertCode)0, f => f.SignalDbm = 0, second: 23),
        Make("bk-cx", 2, MessageKind.Cancel, AlertCode.Cancel, second: 24),
        Make("bk-a3", 1, code: AlertCode.Test, change: f => f.BatteryPercent = Frame.UnknownBattery, second: 25),
        Make("bk-up", 2, MessageKind.Update, change: f => f.LatitudeE7 += 1000, second: 26),
        Make("bk-dup", 4, second: 3), // the very bytes stored before: a duplicate
        Make("bk-ce", 6, code: AlertCode.HoldUp, second: 27), // the refused frame again under a new counter: resolves its event
        Make("bk-rk", 3, code: AlertCode.HoldUp, second: 28), // re-keyed: the window is new, the counter's row is not
        Make("bk-rk2", 3, second: 7), // re-keyed, and the same bytes as stored
        Make("bk-old", 1, second: 29), // far below the window
        Make("bk-mix", 1, second: 30),
        Make("bk-two", 2, code: AlertCode.HoldUp, change: f => { f.BatteryPercent = Frame.UnknownBattery; f.SignalDbm = 0; }, second: 31),
        Make("bk-a4", 4_000_000_000, code: AlertCode.ButtonFault, second: 32),
        Make("bk-mix", 2, MessageKind.Cancel, AlertCode.Cancel, second: 33), // a device with an alert and a cancel: frame by frame
    };

    private static TestStore Prepared(out FrameStore store)
    {
        var s = TestStore.Create(StoreEngine.Postgres);
        var registry = new DeviceRegistry(s.Db);
        foreach (string id in Devices)
        {
            registry.Upsert(new DeviceRecord
            {
                Id = id, Key = new DeviceKey(KeyOf(id)), OwnerName = "Owner " + id, Kind = id == "bk-a2" ? DeviceKind.Wall : DeviceKind.Fob,
                Address = id == "bk-a2" ? "Jl. Sudirman 1" : "", Language = id == "bk-a3" ? DeviceLanguage.Indonesian : DeviceLanguage.English,
            });
        }
        store = new FrameStore(s.Db);
        foreach (Sent h in History())
        {
            store.Store(h.Frame, h.Raw, "mqtt", h.At);
        }
        // A re-key starts the window again while the old frames stay.
        using DbConnection c = s.OpenOutside();
        ReceiverDatabase.Execute(c, "UPDATE devices SET replay_window = NULL WHERE id IN ('bk-rk', 'bk-rk2', 'bk-rk3')");
        return s;
    }

    /// <summary>
    /// Stores <paramref name="batch"/> frame by frame on one store and as one group commit (behind a held opener) on another,
    /// both with the same history; asserts the rows are the same and returns the group commit's outcomes and set-based count.
    /// </summary>
    private static async Task<(List<StoreOutcome> Outcomes, long SetBased, string Rows)> SameAsFrameByFrame(List<Sent> batch)
    {
        Sent opener = Make("bk-open", 1, second: 10);
        List<StoreOutcome> oneByOne;
        string expected;
        using (TestStore a = Prepared(out FrameStore store))
        {
            store.Store(opener.Frame, opener.Raw, "mqtt", opener.At);
            oneByOne = batch.Select(s => store.Store(s.Frame, s.Raw, "mqtt", s.At).Outcome).ToList();
            expected = Dump(a);
        }

        using TestStore b = Prepared(out FrameStore grouped);
        using var release = new ManualResetEventSlim();
        Task<StoreResult> first = HeldOpener(grouped, opener, release);
        List<Task<StoreResult>> tasks = batch.Select(s => grouped.StoreAsync(s.Frame, s.Raw, "mqtt", s.At)).ToList();
        release.Set();
        await first;
        List<StoreOutcome> together = (await Task.WhenAll(tasks)).Select(r => r.Outcome).ToList();

        Assert.AreEqual((2L, 1L + batch.Count), grouped.GroupCommits, "the opener alone, then the whole batch in one transaction");
        CollectionAssert.AreEqual(oneByOne, together);
        string actual = Dump(b);
        Assert.AreEqual(expected, actual);
        return (together, grouped.BulkFrames, actual);
    }

    [TestMethod]
    public async Task AGroupCommitWritesTheSameRowsAsTheFrameByFrameStore()
    {
        var (outcomes, setBased, rows) = await SameAsFrameByFrame(Batch());

        // Not a comparison of two empty results: the batch holds every outcome, and most of it went the set-based way.
        CollectionAssert.AreEqual(new[]
        {
            StoreOutcome.Stored, StoreOutcome.Stored, StoreOutcome.Stored, StoreOutcome.Stored, StoreOutcome.Stored, StoreOutcome.Stored, StoreOutcome.Stored,
            StoreOutcome.Duplicate, StoreOutcome.Stored, StoreOutcome.CounterReuse, StoreOutcome.Duplicate, StoreOutcome.CounterTooOld,
            StoreOutcome.Stored, StoreOutcome.Stored, StoreOutcome.Stored, StoreOutcome.Stored,
        }, outcomes);
        Assert.AreEqual(8L, setBased, "the opener, bk-a1 to bk-a4, the heartbeat and both of bk-two's alerts; the rest frame by frame");
        StringAssert.Contains(rows, "counter-resync");
        StringAssert.Contains(rows, "Jl. Sudirman 1");
        StringAssert.Contains(rows, "cancelled-by-user");
    }

    [TestMethod]
    public async Task AReKeyedDeviceMeetingItsOldCounterAfterANewOneInOneBatchIsWrittenFrameByFrame()
    {
        // bk-rk3's counter 2 is new to the window and to the frames table, its counter 3 only to the window: once 2 is
        // inserted set-based, 3 cannot go to the per-frame store alone. The batch is rolled back and written frame by frame.
        var (outcomes, setBased, _) = await SameAsFrameByFrame(new List<Sent>
        {
            Make("bk-a1", 1, second: 20),
            Make("bk-rk3", 2, second: 21),
            Make("bk-rk3", 3, code: AlertCode.HoldUp, second: 22),
        });

        CollectionAssert.AreEqual(new[] { StoreOutcome.Stored, StoreOutcome.Stored, StoreOutcome.CounterReuse }, outcomes);
        Assert.AreEqual(1L, setBased, "only the opener");
    }

    [TestMethod]
    public async Task AFrameThatFailsInsideTheSetBasedWriteFaultsAloneAndTheRestIsStored()
    {
        using TestStore s = Prepared(out FrameStore store);
        s.FailAlertInserts(13);
        using var release = new ManualResetEventSlim();
        Task<StoreResult> first = HeldOpener(store, Make("bk-open", 1), release);
        // One frame per device: every one is the set-based writer's, and its alert insert fails as a whole.
        string[] ids = { "bk-a1", "bk-a2", "bk-a3", "bk-a4", "bk-two" };
        var tasks = ids.Select((id, i) => (Id: id, Counter: (uint)(11 + i), Task: store.StoreAsync(Make(id, (uint)(11 + i)).Frame, Make(id, (uint)(11 + i)).Raw, "mqtt", T0))).ToList();
        release.Set();
        await first;

        foreach (var (id, counter, task) in tasks)
        {
            if (counter == 13)
            {
                await Assert.ThrowsAsync<DbException>(() => task);
                Assert.AreEqual(0, store.CountFrames(id));
                Assert.AreEqual(0, store.CountDispatchEvents(id, counter));
            }
            else
            {
                Assert.AreEqual(StoreOutcome.Stored, (await task).Outcome, id);
                Assert.AreEqual(1, store.CountDispatchEvents(id, counter));
            }
        }
        Assert.AreEqual(1L, store.BulkFrames, "only the opener: the failed batch was written again frame by frame");

        // The failed frame left nothing in the window: stored once storage works, and the set-based way again.
        s.StopFailingAlertInserts();
        store.BeforeGroupCommit = null;
        Assert.AreEqual(StoreOutcome.Stored, (await store.StoreAsync(Make("bk-a3", 13).Frame, Make("bk-a3", 13).Raw, "mqtt", T0)).Outcome);
        Assert.AreEqual(2L, store.BulkFrames);
    }

    /// <summary>
    /// Stores <paramref name="opener"/> as a batch of its own and holds that batch's commit until <paramref name="release"/>
    /// is set: whatever is stored meanwhile queues behind it and shares the next batch.
    /// </summary>
    private static Task<StoreResult> HeldOpener(FrameStore store, Sent opener, ManualResetEventSlim release)
    {
        using var entered = new ManualResetEventSlim();
        int batches = 0;
        store.BeforeGroupCommit = _ =>
        {
            if (Interlocked.Increment(ref batches) == 1)
            {
                entered.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }
        };
        Task<StoreResult> first = store.StoreAsync(opener.Frame, opener.Raw, "mqtt", opener.At);
        Assert.IsTrue(entered.Wait(TimeSpan.FromSeconds(30)), "the writer never started");
        return first;
    }

    /// <summary>Every row a frame can write, by natural keys and in id order where order means something.</summary>
    private static string Dump(TestStore s)
    {
        var text = new StringBuilder();
        using DbConnection c = s.OpenOutside();
        foreach (string sql in new[]
        {
            "SELECT * FROM frames ORDER BY device_id, counter",
            "SELECT id, replay_window, last_seen_utc, battery, signal_dbm FROM devices ORDER BY id",
            "SELECT device_id, counter, code, state, duress, lat_e7, lon_e7, accuracy_m, source, responder, opened_utc, updated_utc FROM alerts ORDER BY device_id, counter",
            "SELECT a.device_id, a.counter, t.at_utc, t.event, t.detail FROM timeline t JOIN alerts a ON a.id = t.alert_id ORDER BY a.device_id, a.counter, t.id",
            "SELECT a.device_id, a.counter, m.seq, m.event, m.sent_utc, m.duress, m.lat_e7, m.lon_e7, m.accuracy_m, m.source, m.responder, m.owner_name, m.device_kind, m.address, m.language"
                + " FROM cap_messages m JOIN alerts a ON a.id = m.alert_id ORDER BY a.device_id, a.counter, m.seq",
            "SELECT device_id, counter, reason, next_counter, resent_counter, resent_utc FROM counter_events ORDER BY device_id, counter, id",
            // Per device the order of its events is what webhooks keep; across devices a batch may number them differently.
            "SELECT device_id, counter, event, created_utc FROM dispatch_queue ORDER BY device_id, id",
        })
        {
            text.AppendLine(sql);
            using DbCommand cmd = ReceiverDatabase.Command(c, null, sql);
            using DbDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                for (int i = 0; i < r.FieldCount; i++)
                {
                    object v = r.GetValue(i);
                    text.Append(v is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }
                text.AppendLine();
            }
        }
        return text.ToString();
    }
}
