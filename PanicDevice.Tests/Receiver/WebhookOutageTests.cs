using PanicDevice.Bench.Engines;
using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Bench;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// A webhook target that is down for ten minutes (first answering 503, then refusing connections) while two
/// alerts play out (alert, two location updates, cancel each), then comes back. The whole receiver runs with
/// an injected clock that the test moves to each retry's due time, so the ten minutes take seconds; the
/// dispatcher's background service is the real one.
/// </summary>
[TestClass]
public class WebhookOutageTests
{
    private const string Secret = "webhook-secret-outage-0001";
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30); // docs/delivery.md, QueueDispatcher (issue 17: an emergency cannot wait minutes)

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task TargetDownTenMinutes_EveryEventOnceInOrderAndNoLongerThanTheBackoffCapAfterItIsBack()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pd-outage-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        int hookPort = LoopbackPorts.Free();
        using var target = new WebhookRecorder(hookPort, Secret) { Unavailable = true };
        // The dispatcher's rounds come when this clock moves, not every real second.
        var time = new FakeClock(new DateTimeOffset(2026, 11, 22, 16, 0, 0, TimeSpan.Zero));
        WebApplication app = ReceiverApp.Build(new[]
        {
            "--urls", "http://127.0.0.1:0", "--mqtt-port", "0", "--data", dir, "--operator-token", "operator-token-outage-0001",
            "--Receiver:Webhooks:0:Url", "http://127.0.0.1:" + hookPort + "/hook/", "--Receiver:Webhooks:0:Secret", Secret,
            "--Logging:LogLevel:Default", "Warning",
        }, time);
        try
        {
            var registry = app.Services.GetRequiredService<DeviceRegistry>();
            var devices = new[] { ("fob-out-a", SampleFrames.Key(0x31)), ("fob-out-b", SampleFrames.Key(0x51)) };
            foreach (var (id, key) in devices)
            {
                registry.Upsert(new DeviceRecord { Id = id, Key = new DeviceKey(key) });
            }
            await app.StartAsync();
            var pipeline = app.Services.GetRequiredService<IngestPipeline>();
            var db = app.Services.GetRequiredService<ReceiverDatabase>();
            void Send(int device, uint counter, MessageKind kind)
            {
                var (id, key) = devices[device];
                Frame f = SampleFrames.Alert(id, counter);
                f.Kind = kind;
                f.Code = (byte)(kind == MessageKind.Cancel ? AlertCode.Cancel : AlertCode.Panic);
                IngestResult r = pipeline.Process(FrameCodec.Encode(f, key), id, IngestPath.Mqtt);
                Assert.AreEqual(IngestStatus.Stored, r.Status, id + " #" + counter + ": " + r.Reason);
            }

            // A's alert and first location while the target answers 503
            Send(0, 1, MessageKind.Alert);
            Send(0, 2, MessageKind.Update);
            time.Advance(TimeSpan.FromSeconds(1));
            await Eventually.WaitFor(() => Head(db).Attempts >= 1, TimeSpan.FromSeconds(10), "the first attempt");
            DateTimeOffset down = time.Now, back = down + TimeSpan.FromMinutes(10);
            int step = 0;
            while (true)
            {
                var (attempts, next) = Head(db);
                if (next == null || next.Value >= back) break;
                step++;
                if (step == 3)
                {
                    Send(0, 3, MessageKind.Update);
                    Send(1, 1, MessageKind.Alert);
                }
                if (step == 5)
                {
                    // the second half of the outage: nothing listens at all
                    target.Unavailable = false;
                    target.Refuse();
                }
                if (step == 6)
                {
                    Send(1, 2, MessageKind.Update);
                    Send(1, 3, MessageKind.Update);
                    Send(0, 4, MessageKind.Cancel);
                }
                if (step == 8)
                {
                    Send(1, 4, MessageKind.Cancel);
                }
                time.Now = next.Value + TimeSpan.FromMilliseconds(1);
                await Eventually.WaitFor(() => Head(db).Attempts > attempts, TimeSpan.FromSeconds(10), "attempt " + (attempts + 1));
            }
            var (failed, due) = Head(db);
            Assert.IsEmpty(target.Received(), "nothing is delivered while the target is down");
            Assert.IsGreaterThanOrEqualTo(4L, target.TurnedAway, "the 503 half of the outage saw retries");
            Assert.IsGreaterThanOrEqualTo(8, failed, "retried through the outage");
            TimeSpan lastWait = due!.Value - time.Now;
            Assert.AreEqual(MaxBackoff, lastWait, "after " + failed + " failures the wait is the cap, not 2^" + (failed - 1) + " s");
            string? lastError = app.Services.GetRequiredService<QueueDispatcher>().Status().Single().LastError;
            StringAssert.StartsWith(lastError, "HttpRequestException", "a refused connection is recorded as the failure");

            // back after ten minutes: the next attempt is at most the cap away, and then everything goes at once
            time.Now = back;
            target.Listen();
            Assert.IsLessThanOrEqualTo(MaxBackoff, due.Value - back, "a target back after a long outage waits at most the cap");
            var dispatcher = app.Services.GetRequiredService<QueueDispatcher>();
            await Eventually.WaitFor(() => dispatcher.LastFinishedRoundStartedAt >= back, TimeSpan.FromSeconds(10), "a dispatcher round once the target is back");
            Assert.IsEmpty(target.Received(), "nothing before the retry is due");
            time.Now = due.Value + TimeSpan.FromMilliseconds(1);
            var sw = Stopwatch.StartNew();
            await Eventually.WaitFor(() => target.Received().Count >= 8, TimeSpan.FromSeconds(10), "all eight events delivered");
            double drainMs = sw.Elapsed.TotalMilliseconds;
            // One more dispatcher round: nothing is sent twice.
            DateTimeOffset oneMore = time.Now + TimeSpan.FromSeconds(1);
            time.Advance(TimeSpan.FromSeconds(1));
            await Eventually.WaitFor(() => dispatcher.LastFinishedRoundStartedAt >= oneMore, TimeSpan.FromSeconds(10), "one more dispatcher round");

            List<WebhookDelivery> got = target.Received();
            Assert.HasCount(8, got, "every event once");
            CollectionAssert.AllItemsAreUnique(got.Select(d => d.EventId).ToList());
            CollectionAssert.AreEqual(got.Select(d => d.EventId).Order().ToList(), got.Select(d => d.EventId).ToList(), "in queue order");
            foreach (var (id, _) in devices)
            {
                var mine = got.Where(d => d.Device == id).ToList();
                CollectionAssert.AreEqual(new long[] { 1, 2, 3, 4 }, mine.Select(d => d.Counter).ToList(), id + ": its events in order");
                CollectionAssert.AreEqual(new[] { (int)MessageKind.Alert, (int)MessageKind.Update, (int)MessageKind.Update, (int)MessageKind.Cancel },
                    mine.Select(d => d.Kind).ToList(), id + ": alert, locations, cancel");
            }
            Assert.AreEqual(0, target.Snapshot().BadSignatures);
            WebhookStatus status = app.Services.GetRequiredService<QueueDispatcher>().Status().Single();
            Assert.AreEqual(0, status.Pending);
            Assert.AreEqual(8, status.Delivered);
            TestContext.WriteLine(FormattableString.Invariant(
                $"webhook outage: {failed} failed attempts in {(back - down).TotalMinutes:F0} simulated min ({target.TurnedAway} answered 503, the rest refused); last wait {lastWait.TotalSeconds:F0} s (the cap); back at 10 min, retried {(due.Value - back).TotalSeconds:F0} s later; 8 events delivered {drainMs:F0} ms (real) after the retry was due"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public async Task ATargetFailingForAMinuteIsToldToOperatorsOnceAndItsRecoveryToo()
    {
        string dir = Directory.CreateTempSubdirectory("pd-hookhealth-").FullName;
        int hookPort = LoopbackPorts.Free();
        using var target = new WebhookRecorder(hookPort, Secret) { Unavailable = true };
        var time = new FakeClock(new DateTimeOffset(2026, 12, 4, 3, 0, 0, TimeSpan.Zero));
        var logs = new PanicDevice.Tests.Security.CapturingLoggerProvider();
        WebApplication app = ReceiverApp.Build(new[]
        {
            "--urls", "http://127.0.0.1:0", "--mqtt-port", "0", "--data", dir, "--operator-token", "operator-token-outage-0001",
            "--Receiver:Webhooks:0:Url", "http://127.0.0.1:" + hookPort + "/hook/?token=secret-in-the-url", "--Receiver:Webhooks:0:Secret", Secret,
            "--Logging:LogLevel:Default", "Warning",
        }, time);
        app.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().AddProvider(logs);
        try
        {
            var key = SampleFrames.Key(0x33);
            app.Services.GetRequiredService<DeviceRegistry>().Upsert(new DeviceRecord { Id = "fob-hh", Key = new DeviceKey(key) });
            var feed = app.Services.GetRequiredService<PanicDevice.Receiver.Dashboard.AlertFeed>();
            using var seen = feed.Subscribe();
            await app.StartAsync();
            var dispatcher = app.Services.GetRequiredService<QueueDispatcher>();
            var db = app.Services.GetRequiredService<ReceiverDatabase>();
            string url = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            async Task<string> Metric(string name) =>
                (await http.GetStringAsync("/metrics")).Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal)) ?? "";
            List<WebhookHealthView> Told()
            {
                var views = new List<WebhookHealthView>();
                while (seen.Reader.TryRead(out object? item)) if (item is WebhookHealthView v) views.Add(v);
                return views;
            }
            async Task RoundAt(DateTimeOffset at)
            {
                time.Now = at;
                await Eventually.WaitFor(() => dispatcher.LastFinishedRoundStartedAt >= at, TimeSpan.FromSeconds(10), "a dispatcher round at " + at.ToString("T", CultureInfo.InvariantCulture));
            }

            Frame f = SampleFrames.Alert("fob-hh", 1);
            Assert.AreEqual(IngestStatus.Stored, app.Services.GetRequiredService<IngestPipeline>().Process(FrameCodec.Encode(f, key), "fob-hh", IngestPath.Mqtt).Status);
            DateTimeOffset first = time.Now + TimeSpan.FromSeconds(1);
            await RoundAt(first);
            Assert.AreEqual(1, Head(db).Attempts, "the first attempt failed");
            Assert.AreEqual(first, dispatcher.Status().Single().FailingSince);
            // Retries until just short of a minute: failing, not yet an alarm.
            while (Head(db).Next is { } due && due < first + QueueDispatcher.FailingAlarmAfter)
            {
                await RoundAt(due + TimeSpan.FromMilliseconds(1));
            }
            await RoundAt(first + QueueDispatcher.FailingAlarmAfter - TimeSpan.FromSeconds(1));
            Assert.IsEmpty(Told(), "59 s of failing is not yet the operators' concern");
            Assert.AreEqual("pd_webhook_failing{target=\"0\",host=\"127.0.0.1:" + hookPort + "\"} 0", await Metric("pd_webhook_failing"));

            await RoundAt(first + QueueDispatcher.FailingAlarmAfter);
            List<WebhookHealthView> told = Told();
            Assert.HasCount(1, told, "told once");
            Assert.IsTrue(told[0].Failing);
            Assert.AreEqual(first, told[0].FailingSince);
            Assert.AreEqual("http://127.0.0.1:" + hookPort, told[0].Host, "the host, never the URL (it may carry a token)");
            StringAssert.StartsWith(told[0].LastError, "HTTP 503");
            Assert.AreEqual("pd_webhook_failing{target=\"0\",host=\"127.0.0.1:" + hookPort + "\"} 1", await Metric("pd_webhook_failing"));
            Assert.AreEqual("pd_webhook_failing_seconds{target=\"0\",host=\"127.0.0.1:" + hookPort + "\"} 60", await Metric("pd_webhook_failing_seconds"));
            Assert.IsTrue(dispatcher.Status().Single().Alarm);
            Assert.AreEqual(1, logs.Lines.Count(l => l.Contains("has failed every attempt since", StringComparison.Ordinal)), "one error line");
            Assert.IsFalse(logs.Lines.Any(l => l.Contains("secret-in-the-url", StringComparison.Ordinal)), "the URL's token is not logged");

            await RoundAt(first + QueueDispatcher.FailingAlarmAfter + TimeSpan.FromSeconds(5));
            Assert.IsEmpty(Told(), "not told again while it stays down");

            // Back: the next retry (at most the cap away) delivers, and operators are told it takes events again.
            target.Unavailable = false;
            DateTimeOffset retry = Head(db).Next!.Value;
            Assert.IsLessThanOrEqualTo(MaxBackoff, retry - time.Now);
            await RoundAt(retry + TimeSpan.FromMilliseconds(1));
            Assert.HasCount(1, target.Received(), "the alert reached the target");
            told = Told();
            Assert.HasCount(1, told);
            Assert.IsFalse(told[0].Failing);
            Assert.AreEqual("pd_webhook_failing_seconds{target=\"0\",host=\"127.0.0.1:" + hookPort + "\"} 0", await Metric("pd_webhook_failing_seconds"));
            Assert.IsNull(dispatcher.Status().Single().FailingSince);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            TempDirectory.Delete(dir);
        }
    }

    /// <summary>The first undelivered event's attempts so far and when it is next due (null: never tried).</summary>
    private static (int Attempts, DateTimeOffset? Next) Head(ReceiverDatabase db)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT attempts, next_attempt_utc FROM webhook_deliveries WHERE delivered_utc IS NULL ORDER BY queue_id LIMIT 1";
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return (0, null);
        return (r.GetInt32(0), r.IsDBNull(1) ? null : DateTimeOffset.Parse(r.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }
}
