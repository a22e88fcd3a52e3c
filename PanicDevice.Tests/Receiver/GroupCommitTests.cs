using System.Collections.Concurrent;
using System.Data.Common;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// Group commit (<see cref="IngestPipeline.ProcessAsync"/>): concurrent frames share a transaction, no
/// caller learns "stored" before its commit, per-frame rules hold inside a batch, and a failure stores
/// nothing of the frames it fails. Batches are held open with the writer's pre-commit seam so the frames
/// of a test really meet in one batch. Runs on each store engine (the subclasses below).
/// </summary>
public abstract class GroupCommitTests
{
    private const int Devices = 8;
    private TestStore testStore = null!;
    private DeviceRegistry registry = null!;
    private FrameStore store = null!;
    private IngestPipeline pipeline = null!;

    private static string Id(int d) => "gc-" + d;

    private static byte[] KeyOf(int d) => SampleFrames.Key((byte)(0x20 + d));

    private static byte[] Alert(int d, uint counter) => FrameCodec.Encode(SampleFrames.Alert(Id(d), counter), KeyOf(d));

    protected abstract StoreEngine Engine { get; }

    /// <summary>The store the pipeline writes to: the test store's own, or the same database opened another way.</summary>
    private protected virtual ReceiverDatabase Writer(TestStore s) => s.Db;

    private ReceiverDatabase? ownWriter;

    [TestInitialize]
    public void Open()
    {
        testStore = TestStore.Create(Engine);
        var db = Writer(testStore);
        if (db != testStore.Db) ownWriter = db;
        registry = new DeviceRegistry(db);
        store = new FrameStore(db);
        pipeline = new IngestPipeline(registry, store, TimeProvider.System);
        for (int d = 0; d < Devices; d++)
        {
            registry.Upsert(new DeviceRecord { Id = Id(d), Key = new DeviceKey(KeyOf(d)) });
        }
    }

    [TestCleanup]
    public void Remove()
    {
        ownWriter?.Dispose();
        testStore?.Dispose();
    }

    /// <summary>Reads through a connection of its own (no pool): sees committed rows only.</summary>
    private long CountFromOutside(string sql, string deviceId, uint counter) => testStore.Count(sql, ("@d", deviceId), ("@c", (long)counter));

    private long FramesFromOutside(string deviceId, uint counter) => CountFromOutside("SELECT COUNT(*) FROM frames WHERE device_id = @d AND counter = @c", deviceId, counter);

    /// <summary>
    /// Holds the first batch's commit until <paramref name="release"/> is set, so everything submitted
    /// meanwhile queues behind it; <paramref name="entered"/> is set once the writer is holding it.
    /// </summary>
    private void HoldFirstBatch(ManualResetEventSlim release, ManualResetEventSlim? entered = null, Action<IReadOnlyList<Frame>>? inside = null)
    {
        int batches = 0;
        store.BeforeGroupCommit = frames =>
        {
            if (Interlocked.Increment(ref batches) == 1)
            {
                entered?.Set();
                Assert.IsTrue(release.Wait(TimeSpan.FromSeconds(30)), "the test never released the first batch");
            }
            inside?.Invoke(frames);
        };
    }

    /// <summary>Submits one frame and waits until the writer holds it alone in the first batch: what follows shares the second.</summary>
    private async Task<Task<IngestResult>> OpenHeldBatch(ManualResetEventSlim release)
    {
        using var entered = new ManualResetEventSlim();
        HoldFirstBatch(release, entered);
        Task<IngestResult> opener = pipeline.ProcessAsync(Alert(7, 1), Id(7), IngestPath.Mqtt);
        Assert.IsTrue(await Task.Run(() => entered.Wait(TimeSpan.FromSeconds(30))), "the writer never started");
        return opener;
    }

    [TestMethod]
    public async Task ConcurrentCallersAreStoredExactlyOnceAndLearnOnlyAfterTheirCommit()
    {
        const int PerDevice = 40;
        var completed = new ConcurrentDictionary<(string, uint), bool>();
        var problems = new ConcurrentQueue<string>();
        using var release = new ManualResetEventSlim();
        HoldFirstBatch(release, inside: frames =>
        {
            // Inside the transaction, just before its commit: no caller of this batch may know its outcome
            // yet, and no other connection may see its rows.
            foreach (Frame f in frames)
            {
                if (completed.ContainsKey((f.DeviceId, f.Counter))) problems.Enqueue($"{f.DeviceId}/{f.Counter} completed before its commit");
                if (FramesFromOutside(f.DeviceId, f.Counter) != 0) problems.Enqueue($"{f.DeviceId}/{f.Counter} visible before its commit");
            }
        });
        var calls = new ConcurrentBag<(int Device, uint Counter, Task<IngestResult> Task)>();
        Parallel.For(0, Devices * PerDevice, n =>
        {
            int d = n % Devices;
            uint counter = (uint)(n / Devices + 1);
            Task<IngestResult> t = pipeline.ProcessAsync(Alert(d, counter), Id(d), IngestPath.Mqtt);
            calls.Add((d, counter, t.ContinueWith(done =>
            {
                // The caller's first look at the result: its frame must already be visible to anyone.
                if (done.Result.Status == IngestStatus.Stored && FramesFromOutside(Id(d), counter) != 1) problems.Enqueue($"{Id(d)}/{counter} acknowledged but not visible");
                completed[(Id(d), counter)] = true;
                return done.Result;
            }, TaskContinuationOptions.ExecuteSynchronously)));
        });
        release.Set();
        await Task.WhenAll(calls.Select(c => c.Task));

        Assert.AreEqual(0, problems.Count, string.Join("; ", problems.Take(5)));
        foreach (var (d, counter, t) in calls)
        {
            IngestResult r = t.Result;
            Assert.AreEqual(IngestStatus.Stored, r.Status, $"{Id(d)}/{counter}: {r.Reason}");
            Assert.AreEqual(counter, FrameCodec.DecodeAndVerify(r.Ack!, KeyOf(d)).Frame.Counter);
            Assert.AreEqual(1, store.CountDispatchEvents(Id(d), counter));
        }
        for (int d = 0; d < Devices; d++)
        {
            Assert.AreEqual(PerDevice, store.CountFrames(Id(d)));
        }
        var (batches, frames) = store.GroupCommits;
        Assert.AreEqual(Devices * PerDevice, frames);
        Assert.IsTrue(batches <= 1 + (Devices * PerDevice + FrameStoreBatcher.MaxBatch - 1) / FrameStoreBatcher.MaxBatch,
            $"{frames} frames queued behind a held batch took {batches} transactions: they were not grouped");
    }

    [TestMethod]
    public async Task TwoFramesOfOneDeviceInOneBatchMeetTheReplayWindowInArrivalOrder()
    {
        using var release = new ManualResetEventSlim();
        Task<IngestResult> opener = await OpenHeldBatch(release);
        // Device 0: an old counter then a far newer one: both new, both stored.
        Task<IngestResult> a1 = pipeline.ProcessAsync(Alert(0, 10), Id(0), IngestPath.Mqtt);
        Task<IngestResult> a2 = pipeline.ProcessAsync(Alert(0, 300), Id(0), IngestPath.Mqtt);
        // Device 1: the newer one first; the window then no longer reaches 20, so 20 is refused as too old.
        Task<IngestResult> b1 = pipeline.ProcessAsync(Alert(1, 300), Id(1), IngestPath.Mqtt);
        Task<IngestResult> b2 = pipeline.ProcessAsync(Alert(1, 20), Id(1), IngestPath.Mqtt);
        release.Set();
        await Task.WhenAll(opener, a1, a2, b1, b2);

        Assert.AreEqual(IngestStatus.Stored, a1.Result.Status);
        Assert.AreEqual(IngestStatus.Stored, a2.Result.Status);
        Assert.AreEqual(IngestStatus.Stored, b1.Result.Status);
        Assert.AreEqual(IngestStatus.CounterRefused, b2.Result.Status);
        Assert.AreEqual(IngestPipeline.CounterTooOld, b2.Result.Reason);
        Assert.IsNull(b2.Result.Ack);
        Assert.AreEqual(2, store.CountFrames(Id(0)));
        Assert.AreEqual(1, store.CountFrames(Id(1)));
        Assert.AreEqual(2, store.GroupCommits.Batches, "the four frames behind the held batch share one transaction");
    }

    [TestMethod]
    public async Task ADuplicateInTheSameBatchIsAcknowledgedBothTimesButStoredAndDispatchedOnce()
    {
        using var release = new ManualResetEventSlim();
        Task<IngestResult> opener = await OpenHeldBatch(release);
        byte[] frame = Alert(2, 42);
        Task<IngestResult> viaMqtt = pipeline.ProcessAsync(frame, Id(2), IngestPath.Mqtt);
        Task<IngestResult> again = pipeline.ProcessAsync(frame, Id(2), IngestPath.Mqtt);
        Task<IngestResult> viaSms = pipeline.ProcessAsync(FrameText.ToBytes(FrameText.Encode(frame))!, null, IngestPath.Sms);
        release.Set();
        await Task.WhenAll(opener, viaMqtt, again, viaSms);

        Assert.AreEqual(IngestStatus.Stored, viaMqtt.Result.Status);
        Assert.AreEqual(IngestStatus.Duplicate, again.Result.Status);
        Assert.AreEqual(IngestStatus.Duplicate, viaSms.Result.Status);
        foreach (Task<IngestResult> t in new[] { viaMqtt, again, viaSms })
        {
            Assert.AreEqual(42u, FrameCodec.DecodeAndVerify(t.Result.Ack!, KeyOf(2)).Frame.Counter);
        }
        Assert.AreEqual(1, store.CountFrames(Id(2)));
        Assert.AreEqual(1, store.CountDispatchEvents(Id(2), 42));
        Assert.AreEqual(1, CountFromOutside("SELECT COUNT(*) FROM alerts WHERE device_id = @d AND counter = @c", Id(2), 42));
        Assert.AreEqual("mqtt", store.PathOf(Id(2), 42));
    }

    [TestMethod]
    public async Task AForgedFrameAmongGoodOnesIsRejectedAndTheOthersAreStored()
    {
        using var release = new ManualResetEventSlim();
        Task<IngestResult> opener = await OpenHeldBatch(release);
        Task<IngestResult> good1 = pipeline.ProcessAsync(Alert(3, 5), Id(3), IngestPath.Mqtt);
        Task<IngestResult> forged = pipeline.ProcessAsync(FrameCodec.Encode(SampleFrames.Alert(Id(3), 6), SampleFrames.Key(0x77)), Id(3), IngestPath.Mqtt);
        Task<IngestResult> good2 = pipeline.ProcessAsync(Alert(3, 7), Id(3), IngestPath.Mqtt);
        release.Set();
        await Task.WhenAll(opener, good1, forged, good2);

        Assert.AreEqual(IngestStatus.Rejected, forged.Result.Status);
        Assert.AreEqual("BadTag", forged.Result.Reason);
        Assert.IsNull(forged.Result.Ack);
        Assert.AreEqual(IngestStatus.Stored, good1.Result.Status);
        Assert.AreEqual(IngestStatus.Stored, good2.Result.Status);
        Assert.AreEqual(2, store.CountFrames(Id(3)));
        Assert.IsNull(store.PathOf(Id(3), 6));
        // The forged frame did not move the window: the genuine frame 6 is still new.
        Assert.AreEqual(IngestStatus.Stored, (await pipeline.ProcessAsync(Alert(3, 6), Id(3), IngestPath.Mqtt)).Status);
    }

    [TestMethod]
    public async Task AFrameWhoseStorageFailsInABatchFaultsAloneAndLeavesNothingHalfStored()
    {
        // A real storage error halfway through the frame: its row in frames is already inserted when the
        // alert projection fails.
        testStore.FailAlertInserts(13);
        using var release = new ManualResetEventSlim();
        Task<IngestResult> opener = await OpenHeldBatch(release);
        var tasks = new Dictionary<uint, Task<IngestResult>>();
        for (uint counter = 11; counter <= 15; counter++)
        {
            tasks[counter] = pipeline.ProcessAsync(Alert(4, counter), Id(4), IngestPath.Mqtt);
        }
        release.Set();
        await opener;
        await Assert.ThrowsAsync<DbException>(() => tasks[13]);
        foreach (uint counter in new uint[] { 11, 12, 14, 15 })
        {
            Assert.AreEqual(IngestStatus.Stored, (await tasks[counter]).Status);
        }
        Assert.AreEqual(4, store.CountFrames(Id(4)));
        Assert.AreEqual(0, FramesFromOutside(Id(4), 13));
        Assert.AreEqual(0, store.CountDispatchEvents(Id(4), 13));
        Assert.AreEqual(5, pipeline.Counts["stored"], "the opener and four of five: 13 is not stored");

        // Nothing of 13 reached the replay window either: once storage works, the device's retry is stored.
        testStore.StopFailingAlertInserts();
        store.BeforeGroupCommit = null;
        Assert.AreEqual(IngestStatus.Stored, (await pipeline.ProcessAsync(Alert(4, 13), Id(4), IngestPath.Mqtt)).Status);
        Assert.AreEqual(1, store.CountDispatchEvents(Id(4), 13));
    }

    [TestMethod]
    public async Task WhenTheBatchCannotCommitEveryCallerFaultsWithNoAckAndNothingIsStored()
    {
        store.BeforeGroupCommit = _ => throw new InvalidOperationException("commit failed (test)");
        var tasks = Enumerable.Range(0, Devices).Select(d => pipeline.ProcessAsync(Alert(d, 1), Id(d), IngestPath.Mqtt)).ToList();
        foreach (Task<IngestResult> t in tasks)
        {
            await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => t);
        }
        for (int d = 0; d < Devices; d++)
        {
            Assert.AreEqual(0, FramesFromOutside(Id(d), 1));
            Assert.AreEqual(0, store.CountDispatchEvents(Id(d), 1));
        }
        Assert.IsFalse(pipeline.Counts.ContainsKey("stored"));

        store.BeforeGroupCommit = null;
        Assert.AreEqual(IngestStatus.Stored, (await pipeline.ProcessAsync(Alert(0, 1), Id(0), IngestPath.Mqtt)).Status);
    }
}

[TestClass]
public class SqliteGroupCommitTests : GroupCommitTests
{
    protected override StoreEngine Engine => StoreEngine.Sqlite;
}

[TestClass]
public class PostgresGroupCommitTests : GroupCommitTests
{
    protected override StoreEngine Engine => StoreEngine.Postgres;
}

/// <summary>
/// The same tests with Npgsql's statement auto-prepare on. A prepared statement kept the parameter objects of its first
/// execution, and the store replaced them for every frame (StatementCache cleared them): a device's second frame in a
/// batch was inserted with the first one's values, hit ON CONFLICT DO NOTHING and was refused as a reused counter.
/// Parameters are now created once per statement and their values set (CommandParameters.With).
/// </summary>
[TestClass]
public class PostgresPreparedGroupCommitTests : GroupCommitTests
{
    protected override StoreEngine Engine => StoreEngine.Postgres;

    private protected override ReceiverDatabase Writer(TestStore s) =>
        new(new PostgresDialect(s.Target.PostgresConnectionString + ";Max Auto Prepare=32;Auto Prepare Min Usages=2", "test store, auto-prepare"));
}
