using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>A time source the test moves by hand.</summary>
public sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 11, 22, 16, 0, 0, TimeSpan.Zero);
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Webhook delivery, on each store engine (the subclasses below).</summary>
public abstract class WebhookDispatcherTests
{
    protected abstract StoreEngine Engine { get; }

    private const string Secret = "webhook-secret-0123456789";
    private static readonly byte[] Key = SampleFrames.Key(0x21);

    [TestMethod]
    public async Task TargetDownThenUpGetsEveryEventOnceInOrderSigned()
    {
        using var testStore = TestStore.Create(Engine);
        int failuresLeft = 3;
        await using var hook = await HookTarget.StartAsync();
        hook.Refuse = () => Interlocked.Decrement(ref failuresLeft) >= 0 ? 503 : null;
        var accepted = hook.Accepted;
        string url = hook.Url;
        var db = testStore.Db;
        var registry = new DeviceRegistry(db);
        registry.Upsert(new DeviceRecord { Id = "fob-1", Key = new DeviceKey(Key) });
        var pipeline = new IngestPipeline(registry, new FrameStore(db), TimeProvider.System);
        for (uint c = 1; c <= 5; c++)
        {
            pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("fob-1", c), Key), "fob-1", IngestPath.Mqtt);
        }
        pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("fob-1", 3), Key), null, IngestPath.Sms); // duplicate: no new event

        var time = new ManualTime();
        var dispatcher = new QueueDispatcher(db, new[] { new WebhookTarget(url, Secret) }, new HttpClient(), time);
        Assert.AreEqual(0, await dispatcher.RunOnceAsync(CancellationToken.None), "target down");
        Assert.AreEqual("HTTP 503", dispatcher.Status().Single().LastError, "the failure is visible");
        Assert.AreEqual(0, await dispatcher.RunOnceAsync(CancellationToken.None), "backing off: no attempt before it is due");
        time.Now += TimeSpan.FromSeconds(1);
        await dispatcher.RunOnceAsync(CancellationToken.None);
        time.Now += TimeSpan.FromSeconds(2);
        await dispatcher.RunOnceAsync(CancellationToken.None);
        Assert.IsEmpty(accepted);
        time.Now += TimeSpan.FromSeconds(4);
        Assert.AreEqual(5, await dispatcher.RunOnceAsync(CancellationToken.None));
        Assert.AreEqual(0, await dispatcher.RunOnceAsync(CancellationToken.None), "nothing is delivered twice");

        CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4, 5 }, accepted.Select(a => a.EventId).ToArray(), "every event once, in order");
        foreach (var (_, _, _, body, signature) in accepted)
        {
            string expected = "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(body))).ToLowerInvariant();
            Assert.AreEqual(expected, signature);
        }
        Assert.AreEqual(3, JsonDocument.Parse(accepted.ElementAt(2).Body).RootElement.GetProperty("counter").GetInt64());
        var status = dispatcher.Status().Single();
        Assert.AreEqual(0, status.Pending);
        Assert.AreEqual(5, status.Delivered);
    }

    [TestMethod]
    public async Task ATargetFailingMidBatchKeepsWhatItTookAndGetsTheRestOnceInOrder()
    {
        // Deliveries are recorded in batches (RecordEvery): a failure after some posts of a batch must record those
        // before the failure, or they would go out again; more than one batch (FetchBatch) rides on the cursor.
        using var testStore = TestStore.Create(Engine);
        int events = QueueDispatcher.FetchBatch + 40, acceptBeforeFailing = QueueDispatcher.RecordEveryDefault + 7;
        await using var hook = await HookTarget.StartAsync();
        int calls = 0;
        hook.Refuse = () => Interlocked.Increment(ref calls) == acceptBeforeFailing + 1 ? 500 : null;
        var db = testStore.Db;
        var registry = new DeviceRegistry(db);
        registry.Upsert(new DeviceRecord { Id = "fob-1", Key = new DeviceKey(Key) });
        registry.Upsert(new DeviceRecord { Id = "fob-2", Key = new DeviceKey(SampleFrames.Key(0x22)) });
        var pipeline = new IngestPipeline(registry, new FrameStore(db), TimeProvider.System);
        for (uint c = 1; c <= events / 2; c++)
        {
            pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("fob-1", c), Key), "fob-1", IngestPath.Mqtt);
            pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("fob-2", c), SampleFrames.Key(0x22)), "fob-2", IngestPath.Mqtt);
        }

        var time = new ManualTime();
        var dispatcher = new QueueDispatcher(db, new[] { new WebhookTarget(hook.Url, Secret) }, new HttpClient(), time, holder: "rx-1");
        Assert.AreEqual(acceptBeforeFailing, await dispatcher.RunOnceAsync(CancellationToken.None), "delivered up to the failure");
        var status = dispatcher.Status().Single();
        Assert.AreEqual(acceptBeforeFailing, status.Delivered, "what the target took is recorded");
        Assert.AreEqual(events - acceptBeforeFailing, status.Pending);
        Assert.AreEqual("HTTP 500", status.LastError);
        // A new dispatcher on the same store (a restarted receiver) starts after what is recorded.
        var restarted = new QueueDispatcher(db, new[] { new WebhookTarget(hook.Url, Secret) }, new HttpClient(), time, holder: "rx-1");
        time.Now += TimeSpan.FromSeconds(1);
        Assert.AreEqual(events - acceptBeforeFailing, await restarted.RunOnceAsync(CancellationToken.None), "the rest, past a fetch batch");
        Assert.AreEqual(0, await restarted.RunOnceAsync(CancellationToken.None));

        long[] ids = hook.Accepted.Select(a => a.EventId).ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(1, events).Select(i => (long)i).ToArray(), ids, "every event once, in queue order");
        Assert.AreEqual(events, restarted.Status().Single().Delivered);
    }

    [TestMethod]
    public async Task ARestartedReceiverTakesItsOwnLeaseBackAtOnceAndAnotherWaitsItOut()
    {
        using var testStore = TestStore.Create(Engine);
        await using var hook = await HookTarget.StartAsync();
        string url = hook.Url;
        var db = testStore.Db;
        var registry = new DeviceRegistry(db);
        registry.Upsert(new DeviceRecord { Id = "fob-1", Key = new DeviceKey(Key) });
        var pipeline = new IngestPipeline(registry, new FrameStore(db), TimeProvider.System);
        var targets = new[] { new WebhookTarget(url, Secret) };
        var time = new ManualTime();

        pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("fob-1", 1), Key), "fob-1", IngestPath.Mqtt);
        Assert.AreEqual(1, await new QueueDispatcher(db, targets, new HttpClient(), time, holder: "host-a:/data").RunOnceAsync(CancellationToken.None));

        // The receiver on host-a is killed and started again: same machine, same data folder, same holder.
        pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("fob-1", 2), Key), "fob-1", IngestPath.Mqtt);
        var other = new QueueDispatcher(db, targets, new HttpClient(), time, holder: "host-b:/data");
        Assert.AreEqual(0, await other.RunOnceAsync(CancellationToken.None), "another receiver waits while host-a's lease runs");
        Assert.AreEqual(1, await new QueueDispatcher(db, targets, new HttpClient(), time, holder: "host-a:/data").RunOnceAsync(CancellationToken.None),
            "the restarted receiver delivers at once");

        // host-a dies for good: host-b takes over once the lease has run out, not before.
        pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("fob-1", 3), Key), "fob-1", IngestPath.Mqtt);
        time.Now += QueueDispatcher.LeaseTime - TimeSpan.FromSeconds(1);
        Assert.AreEqual(0, await other.RunOnceAsync(CancellationToken.None));
        time.Now += TimeSpan.FromSeconds(2);
        Assert.AreEqual(1, await other.RunOnceAsync(CancellationToken.None));
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, hook.Accepted.Select(a => a.EventId).ToArray(), "each event once, in order");
    }
}

[TestClass]
public class SqliteWebhookDispatcherTests : WebhookDispatcherTests
{
    protected override StoreEngine Engine => StoreEngine.Sqlite;
}

[TestClass]
public class PostgresWebhookDispatcherTests : WebhookDispatcherTests
{
    protected override StoreEngine Engine => StoreEngine.Postgres;
}
