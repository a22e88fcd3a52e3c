using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Receiver.Supervision;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// Several receivers on ONE PostgreSQL store (scale-out mode): each opens the database itself, with its
/// own connection pool, as separate processes would. Frames raced through both are stored once and
/// dispatched once; webhooks go out once, in order, and move to a live receiver when the holder dies;
/// supervision raises one event, not one per receiver; an outage costs acks, never frames.
/// </summary>
[TestClass]
public class PostgresSharedStoreTests
{
    private const int Devices = 6;
    private TestStore shared = null!;

    private static string Id(int d) => "pg-" + d;

    private static byte[] KeyOf(int d) => SampleFrames.Key((byte)(0x90 + d));

    private static byte[] Alert(int d, uint counter) => FrameCodec.Encode(SampleFrames.Alert(Id(d), counter), KeyOf(d));

    [TestInitialize]
    public void Open()
    {
        shared = TestStore.Create(StoreEngine.Postgres);
        var registry = new DeviceRegistry(shared.Db);
        for (int d = 0; d < Devices; d++)
        {
            registry.Upsert(new DeviceRecord { Id = Id(d), Key = new DeviceKey(KeyOf(d)), HeartbeatIntervalS = 600 });
        }
    }

    [TestCleanup]
    public void Remove() => shared?.Dispose();

    private static IngestPipeline PipelineOn(ReceiverDatabase db, TimeProvider? time = null) =>
        new(new DeviceRegistry(db), new FrameStore(db), time ?? TimeProvider.System);

    [TestMethod]
    public async Task TwoReceiversRacingTheSameFramesWithGroupCommitStoreEachOnceAndQueueOneDispatch()
    {
        const int PerDevice = 60;
        using ReceiverDatabase dbB = shared.OpenAnother();
        IngestPipeline a = PipelineOn(shared.Db), b = PipelineOn(dbB);
        // Every frame to both receivers at once, devices interleaved, so the two writers' batches want the
        // same device rows at the same time, in different arrival orders.
        var calls = new ConcurrentBag<(int D, uint C, Task<IngestResult> A, Task<IngestResult> B)>();
        Parallel.For(0, Devices * PerDevice, new ParallelOptions { MaxDegreeOfParallelism = 8 }, n =>
        {
            int d = n % Devices;
            uint counter = (uint)(n / Devices + 1);
            byte[] frame = Alert(d, counter);
            Task<IngestResult> viaB = b.ProcessAsync(frame, Id(d), IngestPath.Mqtt);
            Task<IngestResult> viaA = a.ProcessAsync(frame, Id(d), IngestPath.Mqtt);
            calls.Add((d, counter, viaA, viaB));
        });
        await Task.WhenAll(calls.SelectMany(c => new[] { c.A, c.B }));

        foreach (var (d, counter, viaA, viaB) in calls)
        {
            IngestStatus sa = viaA.Result.Status, sb = viaB.Result.Status;
            Assert.IsTrue((sa, sb) is (IngestStatus.Stored, IngestStatus.Duplicate) or (IngestStatus.Duplicate, IngestStatus.Stored),
                $"{Id(d)}/{counter}: A {sa} ({viaA.Result.Reason}), B {sb} ({viaB.Result.Reason}): one must store it, the other see a duplicate");
            Assert.AreEqual(counter, FrameCodec.DecodeAndVerify(viaA.Result.Ack!, KeyOf(d)).Frame.Counter, "both acknowledge");
            Assert.AreEqual(counter, FrameCodec.DecodeAndVerify(viaB.Result.Ack!, KeyOf(d)).Frame.Counter, "both acknowledge");
        }
        Assert.AreEqual((long)Devices * PerDevice, shared.Count("SELECT COUNT(*) FROM frames"));
        Assert.AreEqual((long)Devices * PerDevice, shared.Count("SELECT COUNT(*) FROM dispatch_queue"));
        Assert.AreEqual((long)Devices * PerDevice, shared.Count("SELECT COUNT(*) FROM alerts"));
        Assert.AreEqual(0L, shared.Count("SELECT COUNT(*) FROM (SELECT device_id, counter FROM dispatch_queue GROUP BY device_id, counter HAVING COUNT(*) > 1) x"));
        // Both windows moved for every frame, whoever stored it: a replay of the first counter is now refused by either.
        foreach (IngestPipeline p in new[] { a, b })
        {
            IngestResult again = await p.ProcessAsync(Alert(0, PerDevice), Id(0), IngestPath.Sms);
            Assert.AreEqual(IngestStatus.Duplicate, again.Status);
        }
    }

    [TestMethod]
    public async Task TwoReceiversRacingAMassEventInSetBasedBatchesStoreEachAlertOnce()
    {
        // A mass event: many devices, one alert each per round, every alert to both receivers. Batches are then mostly
        // one frame per device, the set-based writer's case, and the two writers take the same device rows in bulk.
        const int Many = 150, Rounds = 3;
        var registry = new DeviceRegistry(shared.Db);
        for (int d = Devices; d < Devices + Many; d++)
        {
            registry.Upsert(new DeviceRecord { Id = Id(d), Key = new DeviceKey(KeyOf(d)) });
        }
        using ReceiverDatabase dbB = shared.OpenAnother();
        var storeA = new FrameStore(shared.Db);
        var storeB = new FrameStore(dbB);
        IngestPipeline a = new(new DeviceRegistry(shared.Db), storeA, TimeProvider.System), b = new(new DeviceRegistry(dbB), storeB, TimeProvider.System);
        for (uint round = 1; round <= Rounds; round++)
        {
            var calls = new ConcurrentBag<(int D, Task<IngestResult> A, Task<IngestResult> B)>();
            Parallel.For(Devices, Devices + Many, new ParallelOptions { MaxDegreeOfParallelism = 8 }, d =>
            {
                byte[] frame = Alert(d, round);
                calls.Add((d, a.ProcessAsync(frame, Id(d), IngestPath.Mqtt), b.ProcessAsync(frame, Id(d), IngestPath.Mqtt)));
            });
            await Task.WhenAll(calls.SelectMany(c => new[] { c.A, c.B }));
            foreach (var (d, viaA, viaB) in calls)
            {
                Assert.IsTrue((viaA.Result.Status, viaB.Result.Status) is (IngestStatus.Stored, IngestStatus.Duplicate) or (IngestStatus.Duplicate, IngestStatus.Stored),
                    $"{Id(d)}/{round}: A {viaA.Result.Status} ({viaA.Result.Reason}), B {viaB.Result.Status} ({viaB.Result.Reason})");
            }
        }
        Assert.IsGreaterThan(0L, storeA.BulkFrames + storeB.BulkFrames, "no frame went the set-based way");
        Assert.AreEqual((long)Many * Rounds, shared.Count("SELECT COUNT(*) FROM frames"));
        Assert.AreEqual((long)Many * Rounds, shared.Count("SELECT COUNT(DISTINCT (device_id, counter)) FROM dispatch_queue"));
        Assert.AreEqual((long)Many * Rounds, shared.Count("SELECT COUNT(*) FROM dispatch_queue"));
        Assert.AreEqual((long)Many * Rounds, shared.Count("SELECT COUNT(*) FROM alerts"));
        Assert.AreEqual((long)Many * Rounds, shared.Count("SELECT COUNT(*) FROM cap_messages"));
        Assert.AreEqual((long)Many * Rounds, shared.Count("SELECT COUNT(*) FROM timeline"));
        // Every window knows all three counters, whoever stored them.
        Assert.AreEqual(IngestStatus.Duplicate, (await a.ProcessAsync(Alert(Devices, 1), Id(Devices), IngestPath.Sms)).Status);
        Assert.AreEqual(IngestStatus.Duplicate, (await b.ProcessAsync(Alert(Devices + Many - 1, 2), Id(Devices + Many - 1), IngestPath.Sms)).Status);
    }

    [TestMethod]
    public async Task TwoReceiversStoringDifferentFramesOfOneDeviceLoseNoReplayWindowUpdate()
    {
        // Without the device row lock both would read the same window, and the later write would drop the
        // other's counter (or move the window back): frames stored but no longer known to the window.
        const uint Counters = 100; // within ReplayWindow.Size, so every one stays in the window
        using ReceiverDatabase dbB = shared.OpenAnother();
        IngestPipeline a = PipelineOn(shared.Db), b = PipelineOn(dbB);
        var statuses = new ConcurrentBag<IngestStatus>();
        using var go = new ManualResetEventSlim();
        Task ByA = Task.Run(() => { go.Wait(); for (uint c = 1; c <= Counters; c += 2) statuses.Add(a.Process(Alert(3, c), Id(3), IngestPath.Mqtt).Status); });
        Task ByB = Task.Run(() => { go.Wait(); for (uint c = 2; c <= Counters; c += 2) statuses.Add(b.Process(Alert(3, c), Id(3), IngestPath.Mqtt).Status); });
        go.Set();
        await Task.WhenAll(ByA, ByB);

        Assert.AreEqual((int)Counters, statuses.Count(s => s == IngestStatus.Stored));
        byte[]? bytes;
        using (DbConnection c = shared.OpenOutside())
        using (DbCommand cmd = ReceiverDatabase.Command(c, null, "SELECT replay_window FROM devices WHERE id = @d").With("@d", Id(3)))
        {
            bytes = cmd.ExecuteScalar() as byte[];
        }
        ReplayWindow window = ReplayWindow.FromBytes(bytes);
        Assert.AreEqual(Counters, window.Highest);
        var forgotten = Enumerable.Range(1, (int)Counters).Where(c => window.Check((uint)c) != ReplayVerdict.Duplicate).ToList();
        Assert.IsEmpty(forgotten, "stored counters the window forgot: " + string.Join(",", forgotten.Take(10)));
    }

    [TestMethod]
    public void AFrameStoredByOneReceiverIsADuplicateAtTheOtherAckedAndNotDispatchedAgain()
    {
        using ReceiverDatabase dbB = shared.OpenAnother();
        IngestPipeline a = PipelineOn(shared.Db), b = PipelineOn(dbB);
        Assert.AreEqual(IngestStatus.Stored, a.Process(Alert(1, 7), Id(1), IngestPath.Mqtt).Status);
        IngestResult atB = b.Process(Alert(1, 7), Id(1), IngestPath.Sms);
        Assert.AreEqual(IngestStatus.Duplicate, atB.Status);
        Assert.AreEqual(7u, FrameCodec.DecodeAndVerify(atB.Ack!, KeyOf(1)).Frame.Counter, "acknowledged again");
        Assert.AreEqual(1L, shared.Count("SELECT COUNT(*) FROM dispatch_queue WHERE device_id = @d", ("@d", Id(1))));
        Assert.AreEqual("mqtt", new FrameStore(dbB).PathOf(Id(1), 7), "B sees A's frame as A stored it");
    }

    [TestMethod]
    public async Task TwoDispatchersDeliverEachEventOnceInOrderAndALiveOneTakesOverFromADeadOne()
    {
        await using var hook = await HookTarget.StartAsync();
        var received = hook.Accepted;
        string url = hook.Url;
        var targets = new[] { new WebhookTarget(url, "webhook-secret-0123456789") };

        using ReceiverDatabase dbB = shared.OpenAnother();
        IngestPipeline a = PipelineOn(shared.Db), b = PipelineOn(dbB);
        const uint PerDevice = 20;
        for (uint counter = 1; counter <= PerDevice; counter++)
        {
            for (int d = 0; d < Devices; d++)
            {
                (d % 2 == 0 ? a : b).Process(Alert(d, counter), Id(d), IngestPath.Mqtt);
            }
        }
        var time = new ManualTime { Now = DateTimeOffset.UtcNow };
        using var http = new HttpClient();
        var dispatchA = new QueueDispatcher(shared.Db, targets, http, time);
        var dispatchB = new QueueDispatcher(dbB, targets, http, time);
        int[] delivered = await Task.WhenAll(Task.Run(() => Drain(dispatchA)), Task.Run(() => Drain(dispatchB)));

        int total = Devices * (int)PerDevice;
        Assert.AreEqual(total, delivered.Sum(), "delivered counts of the two dispatchers");
        Assert.HasCount(total, received);
        Assert.AreEqual(total, received.Select(r => r.EventId).Distinct().Count(), "no event twice");
        foreach (var perDevice in received.GroupBy(r => r.Device))
        {
            CollectionAssert.AreEqual(Enumerable.Range(1, (int)PerDevice).Select(c => (long)c).ToArray(), perDevice.Select(r => r.Counter).ToArray(),
                perDevice.Key + "'s events arrive in the order they were stored");
        }
        CollectionAssert.AreEqual(received.Select(r => r.EventId).Order().ToArray(), received.Select(r => r.EventId).ToArray(), "queue order overall");

        // The lease holder dies (it simply stops running); the other one takes the target over once the lease has run out.
        string holder = delivered[0] > 0 ? "A" : "B";
        QueueDispatcher dead = holder == "A" ? dispatchA : dispatchB, live = holder == "A" ? dispatchB : dispatchA;
        Assert.AreEqual(IngestStatus.Stored, a.Process(Alert(0, PerDevice + 1), Id(0), IngestPath.Mqtt).Status);
        Assert.AreEqual(0, await live.RunOnceAsync(CancellationToken.None), "the lease is still the dead receiver's");
        time.Now += QueueDispatcher.LeaseTime + TimeSpan.FromSeconds(1);
        Assert.AreEqual(1, await live.RunOnceAsync(CancellationToken.None), "taken over after the lease ran out");
        Assert.AreEqual(PerDevice + 1, received.Last().Counter);
        Assert.AreEqual(0, await dead.RunOnceAsync(CancellationToken.None), "the old holder, back, does not deliver while the lease is taken");
    }

    [TestMethod]
    public async Task AnEventCommittedLateWithALowerQueueIdIsStillDelivered()
    {
        // Receiver A takes a queue id and holds its commit; receiver B stores after it. Had B committed
        // the higher id first, a dispatcher would pass it and never come back for A's (its cursor moves on).
        await using var hook = await HookTarget.StartAsync();
        string url = hook.Url;

        using ReceiverDatabase dbB = shared.OpenAnother();
        var storeA = new FrameStore(shared.Db);
        IngestPipeline a = new(new DeviceRegistry(shared.Db), storeA, TimeProvider.System), b = PipelineOn(dbB);
        using var holding = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        storeA.BeforeGroupCommit = _ => { holding.Set(); Assert.IsTrue(release.Wait(TimeSpan.FromSeconds(30))); };
        Task<IngestResult> first = a.ProcessAsync(Alert(4, 1), Id(4), IngestPath.Mqtt);
        Assert.IsTrue(await Task.Run(() => holding.Wait(TimeSpan.FromSeconds(30))), "A's transaction is open with its queue row");
        Task<IngestResult> second = b.ProcessAsync(Alert(5, 1), Id(5), IngestPath.Mqtt);
        // B queues behind A's queue lock (or, were nothing holding it back, commits now).
        await Eventually.WaitFor(() => second.IsCompleted || shared.Count("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'") > 0,
            TimeSpan.FromSeconds(30), "B waiting for the queue lock or committed");

        using var http = new HttpClient();
        var dispatcher = new QueueDispatcher(dbB, new[] { new WebhookTarget(url, "webhook-secret-0123456789") }, http, TimeProvider.System);
        await dispatcher.RunOnceAsync(CancellationToken.None);
        release.Set();
        Assert.AreEqual(IngestStatus.Stored, (await first).Status);
        Assert.AreEqual(IngestStatus.Stored, (await second).Status);
        await dispatcher.RunOnceAsync(CancellationToken.None);

        Assert.AreEqual(2L, shared.Count("SELECT COUNT(*) FROM dispatch_queue"));
        CollectionAssert.AreEquivalent(new[] { 1L, 2L }.Select(i => shared.Count("SELECT id FROM dispatch_queue ORDER BY id OFFSET " + (i - 1) + " LIMIT 1")).ToArray(), hook.Accepted.Select(h => h.EventId).ToArray(),
            "both events delivered");
        long[] received = hook.Accepted.Select(h => h.EventId).ToArray();
        CollectionAssert.AreEqual(received.Order().ToArray(), received, "in queue order");
    }

    /// <summary>Runs a dispatcher until the queue has been empty for a while (the other may be holding the lease).</summary>
    private static async Task<int> Drain(QueueDispatcher dispatcher)
    {
        int total = 0, idle = 0;
        while (idle < 20)
        {
            int n = await dispatcher.RunOnceAsync(CancellationToken.None);
            total += n;
            idle = n == 0 ? idle + 1 : 0;
            await Task.Delay(25);
        }
        return total;
    }

    [TestMethod]
    public async Task TwoReceiversRacingDifferentFramesUnderOneCounterStoreOneRefuseTheOtherAndAgreeWhereToContinue()
    {
        // A restarted counter (or a cloned key) sends other bytes under counters the device already used; the two
        // receivers get the two frames of each counter at once. Whichever commits first is stored; the other is a
        // counter reuse, never a duplicate, recorded once, and both receivers name the same counter to continue from.
        const uint Counters = 40;
        using ReceiverDatabase dbB = shared.OpenAnother();
        IngestPipeline a = PipelineOn(shared.Db), b = PipelineOn(dbB);
        var calls = new List<(uint C, Task<IngestResult> A, Task<IngestResult> B)>();
        for (uint c = 1; c <= Counters; c++)
        {
            byte[] panic = Alert(4, c), other = FrameCodec.Encode(WithCode(SampleFrames.Alert(Id(4), c), AlertCode.Test), KeyOf(4));
            calls.Add((c, a.ProcessAsync(panic, Id(4), IngestPath.Mqtt), b.ProcessAsync(other, Id(4), IngestPath.Mqtt)));
        }
        await Task.WhenAll(calls.SelectMany(x => new[] { x.A, x.B }));
        foreach (var (c, viaA, viaB) in calls)
        {
            IngestResult ra = viaA.Result, rb = viaB.Result;
            Assert.IsTrue((ra.Status, rb.Status) is (IngestStatus.Stored, IngestStatus.CounterRefused) or (IngestStatus.CounterRefused, IngestStatus.Stored),
                $"counter {c}: A {ra.Status} ({ra.Reason}), B {rb.Status} ({rb.Reason}): one stores it, the other refuses the other bytes");
            IngestResult refused = ra.Status == IngestStatus.CounterRefused ? ra : rb;
            Assert.AreEqual(IngestPipeline.CounterReuse, refused.Reason);
            Assert.IsNull(refused.Ack, $"counter {c}: the refused frame was acknowledged");
        }
        Assert.AreEqual((long)Counters, shared.Count("SELECT COUNT(*) FROM frames WHERE device_id = @d", ("@d", Id(4))));
        Assert.AreEqual((long)Counters, shared.Count("SELECT COUNT(*) FROM counter_events WHERE device_id = @d", ("@d", Id(4))));

        // The device retries a refused frame through both receivers: still one event, and the same answer from each.
        var (first, firstA, _) = calls[0];
        byte[] refusedBytes = firstA.Result.Status == IngestStatus.CounterRefused
            ? Alert(4, first)
            : FrameCodec.Encode(WithCode(SampleFrames.Alert(Id(4), first), AlertCode.Test), KeyOf(4));
        IngestResult[] again = await Task.WhenAll(a.ProcessAsync(refusedBytes, Id(4), IngestPath.Mqtt), b.ProcessAsync(refusedBytes, Id(4), IngestPath.Sms));
        Assert.IsTrue(again.All(r => r.Status == IngestStatus.CounterRefused), string.Join(", ", again.Select(r => r.Status)));
        uint[] next = again.Select(r => FrameCodec.DecodeAndVerify(r.Resync!, KeyOf(4)).Frame.NextCounter).ToArray();
        Assert.AreEqual(Counters + 1, next[0], "past every stored counter");
        Assert.AreEqual(next[0], next[1], "both receivers name the same counter");
        Assert.AreEqual((long)Counters, shared.Count("SELECT COUNT(*) FROM counter_events WHERE device_id = @d", ("@d", Id(4))), "a repeated refusal adds no event");
    }

    private static Frame WithCode(Frame f, AlertCode code)
    {
        f.Code = (byte)code;
        return f;
    }

    [TestMethod]
    public void TwoReceiversCheckingSupervisionAtOnceRaiseEachEventOnce()
    {
        var time = new ManualTime { Now = DateTimeOffset.UtcNow + TimeSpan.FromHours(2) }; // every device overdue
        using ReceiverDatabase dbB = shared.OpenAnother();
        var monitors = new[] { new SupervisionMonitor(shared.Db, time), new SupervisionMonitor(dbB, time) };
        int raised = 0;
        Parallel.For(0, 8, i => Interlocked.Add(ref raised, monitors[i % 2].Check()));
        Assert.AreEqual(Devices, raised, "one device-silent per device across both receivers");
        Assert.AreEqual((long)Devices, shared.Count("SELECT COUNT(*) FROM supervision WHERE cleared_utc IS NULL"));
    }

    [TestMethod]
    public async Task WhilePostgresIsUnreachableNothingIsAckedAndTheRetryIsStoredOnceItIsBack()
    {
        IngestPipeline pipeline = PipelineOn(shared.Db);
        Assert.AreEqual(IngestStatus.Stored, (await pipeline.ProcessAsync(Alert(2, 1), Id(2), IngestPath.Mqtt)).Status);
        string database = new NpgsqlConnectionStringBuilder(shared.Target.PostgresConnectionString).Database!;
        using (DbConnection admin = new NpgsqlConnection(TestPostgres.Server().ConnectionString))
        {
            admin.Open();
            // The store goes away under the receiver: no new connections, and the pooled ones are cut.
            ReceiverDatabase.Execute(admin, "ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
            ReceiverDatabase.Execute(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
        }
        try
        {
            await Assert.ThrowsAsync<Exception>(() => pipeline.ProcessAsync(Alert(2, 2), Id(2), IngestPath.Mqtt),
                "a frame that cannot be stored faults: no ack goes out, the device keeps it and sends again");
            Assert.AreEqual(0, pipeline.Counts.GetValueOrDefault("stored") - 1, "only the frame before the outage was stored");
        }
        finally
        {
            using DbConnection admin = new NpgsqlConnection(TestPostgres.Server().ConnectionString);
            admin.Open();
            ReceiverDatabase.Execute(admin, "ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
        }
        IngestResult retry = await pipeline.ProcessAsync(Alert(2, 2), Id(2), IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.Stored, retry.Status, "the device's retry after the outage: " + retry.Reason);
        Assert.AreEqual(2L, shared.Count("SELECT COUNT(*) FROM frames WHERE device_id = @d", ("@d", Id(2))));
    }
}
