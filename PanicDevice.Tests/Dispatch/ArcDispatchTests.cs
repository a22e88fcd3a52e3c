using System.Globalization;
using System.Security.Cryptography;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Dispatch;
using PanicDevice.Receiver.Dispatch.Dc09;
using PanicDevice.Receiver.Dispatch.Routing;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Receiver;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Dispatch;

/// <summary>
/// Alerts through the durable dispatch queue to an alarm receiving centre (the tests' own DC-09 receiver on a
/// loopback socket), on each store engine: every event kind as its Contact ID code at every key size, an ARC down for
/// minutes, a wrong key, link supervision, and routing rules between an ARC and a webhook.
/// </summary>
public abstract class ArcDispatchTests
{
    protected abstract StoreEngine Engine { get; }

    // Three sites, one per AES key size; fob-9 has no account at the ARC.
    private static readonly byte[] Key128 = RandomNumberGenerator.GetBytes(16), Key192 = RandomNumberGenerator.GetBytes(24), Key256 = RandomNumberGenerator.GetBytes(32);

    private sealed class Setup : IDisposable
    {
        public required TestStore Store { get; init; }
        public required IngestPipeline Pipeline { get; init; }
        public required TestArc Arc { get; init; }
        public required Dictionary<string, byte[]?> ArcKeys { get; init; }
        public required ManualTime Time { get; init; }
        private readonly Dictionary<string, uint> counters = new();

        public static readonly Dictionary<string, byte[]> DeviceKeys = new()
        {
            ["shop-1"] = SampleFrames.Key(0x31), ["shop-2"] = SampleFrames.Key(0x32), ["fob-7"] = SampleFrames.Key(0x37), ["fob-9"] = SampleFrames.Key(0x39),
        };

        /// <summary>Stores a frame of the device with its next counter (a position when <paramref name="positioned"/>).</summary>
        public uint Send(string device, MessageKind kind, AlertCode code, byte flags = 0, bool positioned = true)
        {
            uint counter = counters[device] = counters.GetValueOrDefault(device) + 1;
            Frame f = SampleFrames.Alert(device, counter);
            f.Kind = kind;
            f.Code = (byte)code;
            f.Flags = flags;
            if (!positioned)
            {
                f.Source = LocationSource.None;
                f.LatitudeE7 = f.LongitudeE7 = 0;
                f.AccuracyM = f.FixAgeS = Frame.Unknown16;
            }
            IngestResult r = Pipeline.Process(FrameCodec.Encode(f, DeviceKeys[device]), device, IngestPath.Mqtt);
            Assert.AreEqual(IngestStatus.Stored, r.Status, r.Reason);
            return counter;
        }

        public ArcChannel Channel(int linkTestSeconds = 0) => ArcChannel.From(new ArcOptions
        {
            Name = "central", Host = "127.0.0.1", Port = Arc.Port, Receiver = "7", LinePrefix = "3", LinkTestSeconds = linkTestSeconds, ReplyTimeoutSeconds = 2,
            Accounts =
            {
                new ArcAccountOptions { Account = "1001", Key = Convert.ToHexString(Key128), Zones = { ["shop-1"] = 1 } },
                new ArcAccountOptions { Account = "1002", Key = Convert.ToHexString(Key192), Partition = 2, Zones = { ["shop-2"] = 4 } },
                new ArcAccountOptions { Account = "1003", Key = Convert.ToHexString(Key256), Zones = { ["fob-7"] = 7 } },
            },
        }, File.ReadAllText, Time);

        public void Dispose()
        {
            Arc.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Store.Dispose();
        }
    }

    private Setup Start()
    {
        var store = TestStore.Create(Engine);
        var registry = new DeviceRegistry(store.Db);
        foreach (var (id, key) in Setup.DeviceKeys)
        {
            bool wall = id.StartsWith("shop", StringComparison.Ordinal);
            // The shops' address positions: what an ARC gets when a wall unit's alarm has no fix.
            registry.Upsert(new DeviceRecord { Id = id, Key = new DeviceKey(key), Kind = wall ? DeviceKind.Wall : DeviceKind.Fob,
                LatitudeE7 = wall ? -62000000 : null, LongitudeE7 = wall ? 1068000000 : null });
        }
        var keys = new Dictionary<string, byte[]?> { ["1001"] = Key128, ["1002"] = Key192, ["1003"] = Key256 };
        // The receiver's clock starts at the ARC's (which checks each message's time), and moves only by hand.
        var time = new ManualTime { Now = DateTimeOffset.UtcNow };
        return new Setup { Store = store, Pipeline = new IngestPipeline(registry, new FrameStore(store.Db), time), Arc = new TestArc(keys), ArcKeys = keys, Time = time };
    }

    private static QueueDispatcher Dispatcher(Setup s, params IDispatchChannel[] channels) => Dispatcher(s, AlertRouter.Everywhere, channels);

    private static QueueDispatcher Dispatcher(Setup s, AlertRouter router, params IDispatchChannel[] channels) =>
        new(s.Store.Db, channels, router, s.Time, holder: "rx-1");

    [TestMethod]
    public async Task EveryEventKindReachesTheArcAsItsContactIdEventInOrderAtEveryKeySize()
    {
        using Setup s = Start();
        uint holdUp = s.Send("shop-1", MessageKind.Alert, AlertCode.HoldUp, FrameFlags.ExternalPower);
        s.Send("shop-1", MessageKind.Heartbeat, AlertCode.None, 0); // mains lost
        s.Send("shop-1", MessageKind.Heartbeat, AlertCode.None, FrameFlags.ExternalPower | FrameFlags.LowBattery | FrameFlags.Tamper);
        s.Send("shop-1", MessageKind.Cancel, AlertCode.Cancel, FrameFlags.ExternalPower | FrameFlags.LowBattery | FrameFlags.Tamper);
        s.Send("shop-2", MessageKind.Alert, AlertCode.Test, positioned: false);
        s.Send("shop-2", MessageKind.Alert, AlertCode.ButtonFault);
        uint panic = s.Send("fob-7", MessageKind.Alert, AlertCode.Panic);
        s.Send("fob-7", MessageKind.Update, AlertCode.Panic); // a follow-up position: nothing for an ARC
        s.Send("fob-7", MessageKind.Cancel, AlertCode.DuressCancel);
        uint elsewhere = s.Send("fob-9", MessageKind.Alert, AlertCode.Panic); // no account at this ARC
        var dispatcher = Dispatcher(s, s.Channel());

        Assert.AreEqual(8, await dispatcher.RunOnceAsync(CancellationToken.None), "every event with something for the ARC");
        Assert.AreEqual(0, await dispatcher.RunOnceAsync(CancellationToken.None), "nothing twice");

        CollectionAssert.AreEqual(new[]
        {
            "#1001|1122 01 001",                                                          // silent hold-up
            "#1001|1602 01 001", "#1001|1301 01 001",                                     // heartbeat, mains lost
            "#1001|1602 01 001", "#1001|3301 01 001", "#1001|1302 01 001", "#1001|1137 01 001", // heartbeat, mains back, battery low, tamper
            "#1001|1406 01 001",                                                          // cancel
            "#1002|1601 02 004", "#1002|1380 02 004",                                     // test, button fault
            "#1003|1120 01 007", "#1003|1121 01 007",                                     // panic, then the duress "cancel"
        }, s.Arc.Read.Select(m => m.Data).ToArray());
        Assert.IsTrue(s.Arc.Read.All(m => m.Encrypted && m.Id == "ADM-CID" && m.Line == "3" && m.Receiver == "7"), "encrypted with each account's key, as the ARC has the line");
        var messages = s.Arc.Read.ToArray();
        CollectionAssert.AreEqual(new[] { "X106.827153", "Y-6.175392" }, messages[0].Extended, "the hold-up's fix in DC-09's location extension");
        CollectionAssert.AreEqual(new[] { "X106.8", "Y-6.2" }, messages[8].Extended, "no fix: the shop's address position");
        CollectionAssert.AreEqual(Enumerable.Range(1, 12).ToArray(), messages.Select(m => m.Sequence).ToArray(), "one sequence per message, in order");

        var alerts = new AlertBook(s.Store.Db);
        var shop = alerts.Recent(10).Single(a => a.DeviceId == "shop-1" && a.Counter == holdUp);
        var sent = shop.Timeline.Where(t => t.Event == "sent-arc").Select(t => t.Detail).ToArray();
        Assert.HasCount(2, sent, "the hold-up and its cancel: " + string.Join(" | ", sent));
        Assert.AreEqual("central · E122 ACK 0001 · every target", sent[0]);
        Assert.AreEqual("central · E406 ACK 0008 · every target", sent[1]);
        StringAssert.StartsWith(alerts.Recent(10).Single(a => a.DeviceId == "fob-7" && a.Counter == panic).Timeline.Last(t => t.Event == "sent-arc").Detail, "central · E121 ACK 0012");
        Assert.IsFalse(alerts.Recent(10).Single(a => a.DeviceId == "fob-9" && a.Counter == elsewhere).Timeline.Any(t => t.Event == "sent-arc"), "no account: not sent, not claimed");

        WebhookStatus status = dispatcher.AllStatus().Single();
        Assert.AreEqual((0L, 8L, (string?)null), (status.Pending, status.Delivered, status.LastError));
        Assert.AreEqual("arc:central", status.Route);
        Assert.AreEqual("ARC central (127.0.0.1:" + s.Arc.Port + ")", status.Label);
        Assert.IsEmpty(dispatcher.Status(), "the webhook list holds webhooks only");
    }

    [TestMethod]
    public async Task AnArcDownForMinutesGetsEveryAlarmOnceInOrderWhenBackAndOperatorsAreToldAfterAMinute()
    {
        using Setup s = Start();
        s.Arc.Down();
        s.Send("fob-7", MessageKind.Alert, AlertCode.Panic);
        s.Send("fob-7", MessageKind.Cancel, AlertCode.Cancel);
        s.Send("fob-7", MessageKind.Alert, AlertCode.Test);
        s.Send("fob-7", MessageKind.Cancel, AlertCode.DuressCancel);
        var told = new List<WebhookHealthView>();
        var dispatcher = Dispatcher(s, s.Channel());
        dispatcher.HealthChanged += told.Add;

        for (int i = 0; i < 8; i++) // four minutes, a round every 30 s
        {
            Assert.AreEqual(0, await dispatcher.RunOnceAsync(CancellationToken.None));
            s.Time.Now += TimeSpan.FromSeconds(30);
        }
        WebhookStatus down = dispatcher.AllStatus().Single();
        Assert.AreEqual(4, down.Pending, "queued, not dropped");
        Assert.IsNotNull(down.LastError);
        Assert.IsTrue(down.Alarm);
        Assert.HasCount(1, told, "told once");
        Assert.IsTrue(told[0].Failing);
        Assert.AreEqual("ARC central (127.0.0.1:" + s.Arc.Port + ")", told[0].Host);

        s.Arc.Up();
        s.Time.Now += QueueDispatcher.MaxBackoff;
        Assert.AreEqual(4, await dispatcher.RunOnceAsync(CancellationToken.None));
        Assert.AreEqual(0, await dispatcher.RunOnceAsync(CancellationToken.None));
        CollectionAssert.AreEqual(new[] { "#1003|1120 01 007", "#1003|1406 01 007", "#1003|1601 01 007", "#1003|1121 01 007" }, s.Arc.Read.Select(m => m.Data).ToArray(),
            "each once, in the order they were stored");
        Assert.HasCount(2, told);
        Assert.IsFalse(told[1].Failing, "cleared once the ARC acknowledges again");
        Assert.IsFalse(dispatcher.AllStatus().Single().Alarm);
    }

    [TestMethod]
    public async Task AWrongKeyIsRefusedRetriedAndNeverDroppedUntilTheArcHoldsTheRightOne()
    {
        using Setup s = Start();
        s.ArcKeys["1003"] = RandomNumberGenerator.GetBytes(32); // the ARC has another key on file
        s.Send("fob-7", MessageKind.Alert, AlertCode.Panic);
        s.Send("fob-7", MessageKind.Cancel, AlertCode.Cancel);
        var dispatcher = Dispatcher(s, s.Channel());

        Assert.AreEqual(0, await dispatcher.RunOnceAsync(CancellationToken.None));
        WebhookStatus refused = dispatcher.AllStatus().Single();
        StringAssert.StartsWith(refused.LastError, "refused: NAK again");
        Assert.AreEqual(2, refused.Pending);
        Assert.AreEqual(2, s.Arc.Messages, "sent, and once more with the ARC's time; the cancel waits behind the alarm");

        s.ArcKeys["1003"] = Key256; // the ARC's staff correct the account
        s.Time.Now += TimeSpan.FromSeconds(1);
        Assert.AreEqual(2, await dispatcher.RunOnceAsync(CancellationToken.None));
        CollectionAssert.AreEqual(new[] { "#1003|1120 01 007", "#1003|1406 01 007" }, s.Arc.Read.Select(m => m.Data).ToArray());
    }

    [TestMethod]
    public async Task AnIdleLineIsTestedPerAccountAndADeadOneIsReportedBeforeAnAlarmNeedsIt()
    {
        using Setup s = Start();
        var told = new List<WebhookHealthView>();
        var dispatcher = Dispatcher(s, s.Channel(linkTestSeconds: 60));
        dispatcher.HealthChanged += told.Add;

        await dispatcher.RunOnceAsync(CancellationToken.None);
        Assert.IsEmpty(s.Arc.LinkTests, "not due yet");
        s.Time.Now += TimeSpan.FromSeconds(60);
        await dispatcher.RunOnceAsync(CancellationToken.None);
        CollectionAssert.AreEquivalent(new[] { "1001", "1002", "1003" }, s.Arc.LinkTests.ToArray(), "a NULL message per account, each acknowledged");

        s.Arc.Down();
        s.Time.Now += TimeSpan.FromSeconds(60);
        await dispatcher.RunOnceAsync(CancellationToken.None);
        StringAssert.StartsWith(dispatcher.AllStatus().Single().LastError, "link test: #1001");
        Assert.IsEmpty(told, "not yet a minute");
        for (int i = 0; i < 6; i++)
        {
            s.Time.Now += TimeSpan.FromSeconds(11);
            await dispatcher.RunOnceAsync(CancellationToken.None);
        }
        Assert.HasCount(1, told);
        Assert.IsTrue(told[0].Failing);
        StringAssert.StartsWith(told[0].LastError, "link test: #1001");

        s.Arc.Up();
        s.Time.Now += TimeSpan.FromSeconds(11);
        await dispatcher.RunOnceAsync(CancellationToken.None);
        Assert.HasCount(2, told);
        Assert.IsFalse(told[1].Failing, "the line answers again");
        Assert.IsNull(dispatcher.AllStatus().Single().LastError);
    }

    [TestMethod]
    public async Task RoutingRulesSendAShopsHoldUpToItsArcAndEverythingElseByTheDefaultRoute()
    {
        using Setup s = Start();
        await using var hook = await HookTarget.StartAsync();
        var problems = new List<string>();
        AlertRouter router = AlertRouter.Load(
            new[] { new RouteOptions { Name = "shops-holdup", Kinds = { "holdup" }, Groups = { "wall" }, Targets = { "arc:central" } } },
            new[] { "webhook:112" }, new Dictionary<string, List<string>>(), new Dictionary<string, string>(), new[] { "webhook:112", "arc:central" },
            File.ReadAllText, problems) ?? throw new AssertFailedException(string.Join("; ", problems));
        uint holdUp = s.Send("shop-1", MessageKind.Alert, AlertCode.HoldUp, FrameFlags.ExternalPower);
        uint panic = s.Send("fob-7", MessageKind.Alert, AlertCode.Panic);
        s.Send("shop-1", MessageKind.Cancel, AlertCode.Cancel, FrameFlags.ExternalPower);
        var dispatcher = Dispatcher(s, router, new WebhookChannel(new WebhookTarget(hook.Url, "webhook-secret-0123456789", "112"), 0, new HttpClient()), s.Channel());

        Assert.AreEqual(3, await dispatcher.RunOnceAsync(CancellationToken.None), "hold-up and its cancel to the ARC, the panic to the webhook");
        CollectionAssert.AreEqual(new[] { "#1001|1122 01 001", "#1001|1406 01 001" }, s.Arc.Read.Select(m => m.Data).ToArray(),
            "the fob's panic is not the ARC's although the fob has an account there; the cancel follows its hold-up");
        CollectionAssert.AreEqual(new[] { ("fob-7", (long)panic) }, hook.Accepted.Select(h => (h.Device, h.Counter)).ToArray(), "the webhook gets what no rule took");

        var alerts = new AlertBook(s.Store.Db).Recent(10);
        TimelineEntry shop = alerts.Single(a => a.DeviceId == "shop-1" && a.Counter == holdUp).Timeline.Single(t => t.Event.StartsWith("sent-", StringComparison.Ordinal) && t.Detail.Contains("E122"));
        Assert.AreEqual("sent-arc", shop.Event);
        StringAssert.EndsWith(shop.Detail, " · route shops-holdup");
        TimelineEntry fob = alerts.Single(a => a.DeviceId == "fob-7" && a.Counter == panic).Timeline.Single(t => t.Event.StartsWith("sent-", StringComparison.Ordinal));
        Assert.AreEqual("sent-webhook", fob.Event);
        Assert.AreEqual("112 · HTTP 200 · default route", fob.Detail);
    }

    [TestMethod]
    public async Task AnOperatorForwardsAnAlertToTheArcOnceThroughTheQueueAndItsTimelineSaysSo()
    {
        using Setup s = Start();
        await using var hook = await HookTarget.StartAsync();
        var problems = new List<string>();
        AlertRouter router = AlertRouter.Load(new[] { new RouteOptions { Name = "all-to-112", Targets = { "webhook:112" } } }, new[] { "webhook:112" },
            new Dictionary<string, List<string>>(), new Dictionary<string, string>(), new[] { "webhook:112", "arc:central" }, File.ReadAllText, problems)!;
        s.Send("fob-7", MessageKind.Heartbeat, AlertCode.None, 0);
        uint panic = s.Send("fob-7", MessageKind.Alert, AlertCode.Panic, FrameFlags.Tamper); // the enclosure opened with the press
        uint other = s.Send("fob-9", MessageKind.Alert, AlertCode.Panic);
        var dispatcher = Dispatcher(s, router, new WebhookChannel(new WebhookTarget(hook.Url, "webhook-secret-0123456789", "112"), 0, new HttpClient()), s.Channel());
        Assert.AreEqual(3, await dispatcher.RunOnceAsync(CancellationToken.None));
        Assert.IsEmpty(s.Arc.Read, "the rules send nothing to the ARC");

        var alerts = new AlertBook(s.Store.Db);
        long id = alerts.Recent(10).Single(a => a.DeviceId == "fob-7" && a.Counter == panic).Id;
        long otherId = alerts.Recent(10).Single(a => a.DeviceId == "fob-9" && a.Counter == other).Id;
        var forwarder = new AlertForwarder(s.Store.Db, dispatcher, alerts, s.Time);
        var (outcome, view) = forwarder.Forward(id, "arc:central", "Dewi");
        Assert.AreEqual(ForwardOutcome.Forwarded, outcome);
        Assert.AreEqual("arc:central · Dewi", view!.Timeline.Single(t => t.Event == "forwarded").Detail);
        Assert.AreEqual(ForwardOutcome.AlreadyForwarded, forwarder.Forward(id, "arc:central", "Budi").Outcome, "once per target");
        Assert.AreEqual(ForwardOutcome.NotTaken, forwarder.Forward(otherId, "arc:central", "Dewi").Outcome, "fob-9 has no account there");
        Assert.AreEqual(ForwardOutcome.UnknownTarget, forwarder.Forward(id, "arc:centrl", "Dewi").Outcome);
        Assert.AreEqual(ForwardOutcome.NoAlert, forwarder.Forward(99999, "arc:central", "Dewi").Outcome);

        var changed = new List<long>();
        dispatcher.TimelinesChanged += changed.AddRange;
        Assert.AreEqual(1, await dispatcher.RunOnceAsync(CancellationToken.None), "the forward, to the ARC only");
        Assert.AreEqual("#1003|1120 01 007", s.Arc.Read.Single().Data, "the alarm, not the tamper edge the device reported with it");
        Assert.HasCount(3, hook.Accepted, "the webhook had the heartbeat and both alerts, and does not get the forward");
        CollectionAssert.AreEqual(new[] { id }, changed, "dashboards hear of the new timeline entry");
        StringAssert.EndsWith(alerts.Find(id)!.Timeline.Single(t => t.Event == "sent-arc").Detail, " · forwarded by an operator");
    }

    [TestMethod]
    public async Task ADeviceGoneSilentIsALossOfSupervisionAtItsArcAndItsReturnARestore()
    {
        using Setup s = Start();
        await using var hook = await HookTarget.StartAsync();
        s.Send("shop-1", MessageKind.Heartbeat, AlertCode.None, FrameFlags.ExternalPower);
        var supervision = new PanicDevice.Receiver.Supervision.SupervisionMonitor(s.Store.Db, s.Time);
        var dispatcher = Dispatcher(s, new WebhookChannel(new WebhookTarget(hook.Url, "webhook-secret-0123456789"), 0, new HttpClient()), s.Channel());
        await dispatcher.RunOnceAsync(CancellationToken.None);

        s.Time.Now += TimeSpan.FromSeconds(3600) + PanicDevice.Receiver.Supervision.SupervisionMonitor.Grace + TimeSpan.FromSeconds(1);
        supervision.Check();
        supervision.Check(); // still silent: raised once, queued once
        Assert.AreEqual(2, await dispatcher.RunOnceAsync(CancellationToken.None), "to the webhook and the ARC");
        s.Send("shop-1", MessageKind.Heartbeat, AlertCode.None, FrameFlags.ExternalPower);
        supervision.Check();
        await dispatcher.RunOnceAsync(CancellationToken.None);

        CollectionAssert.AreEqual(new[] { "#1001|1602 01 001", "#1001|1381 01 001", "#1001|1602 01 001", "#1001|3381 01 001" }, s.Arc.Read.Select(m => m.Data).ToArray(),
            "heartbeat, silent, heartbeat, heard again");
        CollectionAssert.AreEqual(new[] { "frame", QueuedEvent.SilentRaised, "frame", QueuedEvent.SilentCleared },
            hook.Accepted.Select(h => System.Text.Json.JsonDocument.Parse(h.Body).RootElement.GetProperty("type").GetString()).ToArray());
        Assert.IsTrue(supervision.Open().Any(e => e.DeviceId == "shop-2"), "shop-2 never spoke: silent on the dashboard, nothing to queue against (none sent)");
    }
}

[TestClass]
public class SqliteArcDispatchTests : ArcDispatchTests
{
    protected override StoreEngine Engine => StoreEngine.Sqlite;
}

[TestClass]
public class PostgresArcDispatchTests : ArcDispatchTests
{
    protected override StoreEngine Engine => StoreEngine.Postgres;
}
