using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Registry;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>Issue 15, item 7: per operator and per shift, the times to acknowledge, assign and resolve, open and escalated counts, the false-alarm rate; CSV.</summary>
[TestClass]
public class QualityReportTests
{
    // Four alerts on a hand-moved clock: dina and budi take them at known moments.
    private static (TestStore Store, ManualTime Time) Scenario()
    {
        var store = TestStore.Create(StoreEngine.Sqlite);
        var time = new ManualTime(); // 2026-11-22 16:00 UTC
        var registry = new DeviceRegistry(store.Db);
        byte[] key = SampleFrames.Key(0x51);
        registry.Upsert(new DeviceRecord { Id = "fob-1", Key = new DeviceKey(key) });
        var pipeline = new IngestPipeline(registry, new FrameStore(store.Db), time);
        var alerts = new AlertBook(store.Db, time);
        DateTimeOffset t0 = time.Now;
        void Open(uint counter, TimeSpan at)
        {
            time.Now = t0 + at;
            Assert.AreEqual(IngestStatus.Stored, pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("fob-1", counter), key), "fob-1", IngestPath.Mqtt).Status);
        }
        void Act(long id, string action, TimeSpan at, string who, string? responder = null)
        {
            time.Now = t0 + at;
            Assert.IsNotNull(alerts.Act(id, action, responder, who));
        }
        Open(1, TimeSpan.Zero);
        Open(2, TimeSpan.FromSeconds(10));
        Open(3, TimeSpan.FromMinutes(20));                          // nobody takes it
        Open(4, TimeSpan.FromHours(9));                             // the next shift
        Act(1, "acknowledge", TimeSpan.FromSeconds(30), "dina");
        Act(1, "assign", TimeSpan.FromSeconds(60), "dina", "Unit 7");
        Act(2, "acknowledge", TimeSpan.FromSeconds(110), "budi");
        Act(2, "false-alarm", TimeSpan.FromSeconds(210), "budi");
        Act(1, "resolve", TimeSpan.FromSeconds(600), "dina");
        Act(1, "acknowledge", TimeSpan.FromSeconds(700), "budi");   // a late second click is not budi's acknowledgement
        Act(4, "acknowledge", TimeSpan.FromHours(9) + TimeSpan.FromSeconds(5), "dina");
        return (store, time);
    }

    [TestMethod]
    public void EachOperatorAndEachShiftGetTheirFigures()
    {
        var (store, time) = Scenario();
        using var _ = store;
        QualityView q = new QualityReport(store.Db).Build(time.Now.UtcDateTime.AddDays(-1), time.Now.UtcDateTime.AddMinutes(1), 8, TimeSpan.Zero);

        Assert.HasCount(2, q.Operators);
        Assert.AreEqual(new OperatorQuality("budi", 1, 100, 100, 0, null, 1, 200, 1, 1.0), q.Operators[0]);
        Assert.AreEqual(new OperatorQuality("dina", 2, 5, 30, 1, 60, 1, 600, 0, 0.0), q.Operators[1]);
        Assert.HasCount(2, q.Shifts);
        Assert.AreEqual(new ShiftQuality("2026-11-22T16:00+00:00", 3, 1, 0, 30, 200, 1, 0.5), q.Shifts[0]);
        Assert.AreEqual(new ShiftQuality("2026-11-23T00:00+00:00", 1, 1, 0, 5, null, 0, null), q.Shifts[1]);

        // In Jakarta's time the same alerts fall in the 16:00 and 08:00 shifts.
        QualityView wib = new QualityReport(store.Db).Build(time.Now.UtcDateTime.AddDays(-1), time.Now.UtcDateTime.AddMinutes(1), 8, TimeSpan.FromHours(7));
        CollectionAssert.AreEqual(new[] { "2026-11-22T16:00+07:00", "2026-11-23T08:00+07:00" }, wib.Shifts.Select(s => s.ShiftStart).ToArray());
        Assert.IsEmpty(new QualityReport(store.Db).Build(time.Now.UtcDateTime.AddDays(1), time.Now.UtcDateTime.AddDays(2), 8, TimeSpan.Zero).Operators, "nothing opened then");
    }

    [TestMethod]
    public void TheCsvHasBothBlocksAndAHostileNameStaysACell()
    {
        var view = new QualityView("f", "t", 8, "+00:00",
            new[] { new OperatorQuality("=HYPERLINK(\"x\"),1", 3, 12.5, 40, 1, 60, 2, 300, 1, 0.5) },
            new[] { new ShiftQuality("2026-11-22T16:00+00:00", 3, 1, 0, 30, 200, 1, 0.5) });
        string[] lines = QualityReport.Csv(view).Split("\r\n");
        Assert.AreEqual("operator,acknowledged,median_to_acknowledge_s,p90_to_acknowledge_s,assigned,median_to_assign_s,resolved,median_to_resolve_s,false_alarms,false_alarm_rate", lines[0]);
        Assert.AreEqual("\"'=HYPERLINK(\"\"x\"\"),1\",3,12.5,40,1,60,2,300,1,0.5", lines[1], "quoted, and not a formula");
        Assert.AreEqual("", lines[2]);
        Assert.AreEqual("shift_start,opened,still_open,escalated,median_to_acknowledge_s,median_to_resolve_s,false_alarms,false_alarm_rate", lines[3]);
        Assert.AreEqual("2026-11-22T16:00+00:00,3,1,0,30,200,1,0.5", lines[4]);
    }

    [TestMethod]
    public async Task TheApiServesItAsJsonAndCsvAndRefusesABadPeriod()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await rx.ProvisionAsync("fob-0001");
        rx.Send(SampleFrames.Alert("fob-0001", 1));
        long id = (await (await rx.Api.SendAsync(rx.Request(HttpMethod.Get, "/api/alerts"))).Content.ReadFromJsonAsync<JsonElement>())[0].GetProperty("id").GetInt64();
        await rx.Api.SendAsync(rx.Request(HttpMethod.Post, "/api/alerts/" + id + "/acknowledge", body: new { @operator = "dina" }));

        JsonElement q = await (await rx.Api.SendAsync(rx.Request(HttpMethod.Get, "/api/quality?tz=+07:00"))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.AreEqual("dina", q.GetProperty("operators")[0].GetProperty("operator").GetString());
        Assert.AreEqual(1, q.GetProperty("operators")[0].GetProperty("acknowledged").GetInt32());
        Assert.AreEqual("+07:00", q.GetProperty("timeZone").GetString(), "an unencoded + is read as one");

        var csv = await rx.Api.SendAsync(rx.Request(HttpMethod.Get, "/api/quality.csv"));
        Assert.AreEqual("text/csv", csv.Content.Headers.ContentType!.MediaType);
        StringAssert.Contains(csv.Content.Headers.ContentDisposition!.ToString(), "panicdevice-quality.csv");
        StringAssert.StartsWith(await csv.Content.ReadAsStringAsync(), "operator,acknowledged,");

        foreach (var (query, why) in new[] { ("from=yesterday", "from must be a date"), ("from=2026-12-04T00:00:00Z&to=2026-12-03T00:00:00Z", "from must be before to"),
            ("shiftHours=5", "shiftHours divides the day"), ("tz=WIB", "tz is a UTC offset") })
        {
            var r = await rx.Api.SendAsync(rx.Request(HttpMethod.Get, "/api/quality?" + query));
            Assert.AreEqual(HttpStatusCode.BadRequest, r.StatusCode, query);
            StringAssert.Contains((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), why);
        }
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await rx.Http.GetAsync("/api/quality.csv")).StatusCode);
    }
}
