using PanicDevice.Bench.Engines;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Responders;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

[TestClass]
public class GreatCircleTests
{
    [TestMethod]
    public void KnownDistances()
    {
        // Quarter and half of a great circle follow from the radius alone.
        Assert.AreEqual(Math.PI * GreatCircle.EarthRadiusKm / 2, GreatCircle.DistanceKm(0, 0, 90, 0), 1e-6);
        Assert.AreEqual(Math.PI * GreatCircle.EarthRadiusKm, GreatCircle.DistanceKm(0, 0, 0, 180), 1e-6, "antipodes: no NaN");
        Assert.AreEqual(0, GreatCircle.DistanceKm(-6.1753924, 106.8271528, -6.1753924, 106.8271528), 1e-9);
        // London (51.5007, -0.1246) to Paris (48.8584, 2.2945): about 340.6 km on the sphere.
        Assert.AreEqual(340.6, GreatCircle.DistanceKm(51.5007, -0.1246, 48.8584, 2.2945), 1.0);
        // Across the antimeridian is short, not most of the way round.
        Assert.AreEqual(GreatCircle.DistanceKm(0, 179.5, 0, 180.5), GreatCircle.DistanceKm(0, 179.5, 0, -179.5), 1e-6);
        Assert.IsLessThan(112.0, GreatCircle.DistanceKm(0, 179.5, 0, -179.5));
    }
}

[TestClass]
public class ResponderBookTests
{
    [TestMethod]
    public void NearestAvailableFreshUnitsComeFirst()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pd-resp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var time = new ManualTime { Now = new DateTimeOffset(2026, 11, 29, 2, 0, 0, TimeSpan.Zero) };
            var book = new ResponderBook(new ReceiverDatabase(Path.Combine(dir, "r.db")), time);
            book.Report("stale-near", new ResponderReport("Stale", -6.1760, 106.8270, true));
            time.Now = time.Now.AddMinutes(11);
            book.Report("bogor", new ResponderReport("Bogor unit", -6.5950, 106.8166, true));
            book.Report("thamrin", new ResponderReport("Thamrin unit", -6.1930, 106.8230, true));
            book.Report("busy", new ResponderReport("Busy unit", -6.1755, 106.8272, false));
            var nearest = book.Nearest(-6.1753924, 106.8271528, 5);
            CollectionAssert.AreEqual(new[] { "thamrin", "bogor" }, nearest.Select(n => n.Id).ToArray(), "busy and stale units are not suggested");
            Assert.AreEqual(2.0, nearest[0].DistanceKm, 0.1);
            Assert.AreEqual(46.6, nearest[1].DistanceKm, 0.5);
            book.Report("busy", new ResponderReport(null, -6.1755, 106.8272, true));
            Assert.AreEqual("busy", book.Nearest(-6.1753924, 106.8271528, 1).Single().Id, "available again, and its name kept");
            Assert.AreEqual("Busy unit", book.All().Single(r => r.Id == "busy").Name);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    [DataRow("unit 1", -6.0, 106.0)]
    [DataRow("unit-1", -91.0, 106.0)]
    [DataRow("unit-1", -6.0, 181.0)]
    public void BadReportsAreRefused(string id, double lat, double lon)
    {
        Assert.IsNotNull(ResponderBook.Validate(id, new ResponderReport("x", lat, lon, true)));
    }
}

[TestClass]
public class ResponderHttpTests
{
    [TestMethod]
    public async Task PatrolUnitsReportPositionsAndTheNearestAreSuggestedForAnAlert()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await rx.ProvisionAsync("fob-0001");
        rx.Send(SampleFrames.Alert());
        rx.Send(LoopbackReceiver.AlertWithoutPosition("fob-0001", 8));
        var http = rx.Api;

        Assert.AreEqual(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/responders/bogor", new { name = "Bogor", lat = -6.595, lon = 106.8166 })).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/responders/thamrin", new { name = "Thamrin", lat = -6.193, lon = 106.823 })).StatusCode);
        Assert.AreEqual(HttpStatusCode.BadRequest, (await http.PutAsJsonAsync("/api/responders/x", new { lat = 95.0, lon = 0.0 })).StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await rx.Http.PutAsJsonAsync("/api/responders/evil", new { lat = 0.0, lon = 0.0 })).StatusCode);

        var alerts = await http.GetFromJsonAsync<JsonElement>("/api/alerts");
        long withFix = alerts.EnumerateArray().Single(a => a.GetProperty("counter").GetUInt32() == 7).GetProperty("id").GetInt64();
        long without = alerts.EnumerateArray().Single(a => a.GetProperty("counter").GetUInt32() == 8).GetProperty("id").GetInt64();
        var near = await http.GetFromJsonAsync<JsonElement>("/api/alerts/" + withFix + "/nearest?limit=2");
        Assert.IsTrue(near.GetProperty("positionKnown").GetBoolean());
        CollectionAssert.AreEqual(new[] { "thamrin", "bogor" }, near.GetProperty("suggestions").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToArray());
        var unknown = await http.GetFromJsonAsync<JsonElement>("/api/alerts/" + without + "/nearest");
        Assert.IsFalse(unknown.GetProperty("positionKnown").GetBoolean(), "an alert without a fix is answered, not an error");
        Assert.AreEqual(HttpStatusCode.NotFound, (await http.GetAsync("/api/alerts/999999/nearest")).StatusCode);
    }
}

[TestClass]
public class StoreLocationTests
{
    [TestMethod]
    public void DefaultAndSqliteUrlsResolveToFiles()
    {
        Assert.AreEqual(Path.Combine("data", "receiver.db"), StoreLocation.Parse(null, "data").Target!.Path);
        Assert.AreEqual(Path.Combine("data", "alerts.db"), StoreLocation.Parse("sqlite:alerts.db", "data").Target!.Path);
        Assert.AreEqual("/var/lib/pd/r.db", StoreLocation.Parse("sqlite:///var/lib/pd/r.db", "data").Target!.Path);
        Assert.AreEqual("/var/lib/pd/r.db", StoreLocation.Parse("sqlite:/var/lib/pd/r.db", "data").Target!.Path);
    }

    [TestMethod]
    [DataRow("postgres://db/pd", "user name")]
    [DataRow("postgres://u:p@db", "database name")]
    [DataRow("postgresql://u:p@db/pd?sslmode=require", "not supported")]
    [DataRow("mysql://db/pd", "sqlite:PATH")]
    [DataRow("sqlite:", "file name")]
    [DataRow("sqlite://host/x.db", "absolute path")]
    public void OtherStoresAreRefusedWithAReason(string url, string expected)
    {
        var (target, error) = StoreLocation.Parse(url, "data");
        Assert.IsNull(target);
        StringAssert.Contains(error, expected);
    }

    [TestMethod]
    [DataRow("postgres://pd:s3cr%40t@db.example:6543/alerts", "db.example", 6543, "alerts", "s3cr@t")]
    [DataRow("postgresql://pd:hunter2@10.0.0.5/pd", "10.0.0.5", 5432, "pd", "hunter2")]
    public void PostgresUrlsBecomeConnectionStringsAndPrintWithoutThePassword(string url, string host, int port, string database, string password)
    {
        StoreTarget target = StoreLocation.Parse(url, "data").Target!;
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(target.PostgresConnectionString);
        Assert.AreEqual(host, cs.Host);
        Assert.AreEqual(port, cs.Port);
        Assert.AreEqual(database, cs.Database);
        Assert.AreEqual("pd", cs.Username);
        Assert.AreEqual(password, cs.Password, "percent-escapes in the password are decoded");
        Assert.IsNull(target.Path);
        Assert.AreEqual("postgresql " + host + ":" + port + "/" + database, target.Description);
        Assert.IsFalse(target.Description.Contains(password), "the printable description never holds the password");
    }

    [TestMethod]
    public async Task TheReceiverStoresWhereStoreSays()
    {
        string dir = Path.Combine(Path.GetTempPath(), "pd-store-" + Guid.NewGuid().ToString("N"));
        string file = Path.Combine(dir, "elsewhere", "alerts.db");
        var app = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", "0", "--data", Path.Combine(dir, "data"), "--store", "sqlite://" + file });
        try
        {
            Assert.IsTrue(File.Exists(file), "the database is created at the --store path");
            Assert.IsFalse(File.Exists(Path.Combine(dir, "data", "receiver.db")));
            Assert.ThrowsExactly<Microsoft.Extensions.Options.OptionsValidationException>(() =>
                ReceiverApp.Build(new[] { "--mqtt-port", "0", "--data", dir, "--store", "mysql://db/pd" }));
        }
        finally
        {
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}

[TestClass]
public class OpenApiTests
{
    [TestMethod]
    public async Task TheApiDescribesItsEndpoints()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        var doc = await rx.Api.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        StringAssert.StartsWith(doc.GetProperty("openapi").GetString(), "3.");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (string expected in new[] { "/api/devices", "/api/alerts", "/api/alerts/{id}/cap", "/api/sms/inbound", "/api/responders/{id}", "/healthz" })
        {
            CollectionAssert.Contains(paths, expected);
        }
    }
}

[TestClass]
public class MetricsTests
{
    [TestMethod]
    public async Task MetricsCountOutcomesAcksLatencyOpenAlertsAndWebhookBacklogWithoutSecrets()
    {
        int closed = LoopbackPorts.Free(); // the webhook target is down: its events stay pending
        await using var rx = await LoopbackReceiver.StartAsync(
            "--Receiver:Webhooks:0:Url", "http://127.0.0.1:" + closed + "/hook?token=sekrit-in-the-url", "--Receiver:Webhooks:0:Secret", "webhook-secret-0123456789");
        await rx.ProvisionAsync("fob-0001");
        var pipeline = rx.Service<IngestPipeline>();
        byte[] alert = FrameCodec.Encode(SampleFrames.Alert(), LoopbackReceiver.Key);
        pipeline.Process(alert, "fob-0001", IngestPath.Mqtt);
        pipeline.Process(alert, "fob-0001", IngestPath.Sms); // the SMS copy: acknowledged again, stored once
        pipeline.Process(FrameCodec.Encode(SampleFrames.Alert(counter: 8), SampleFrames.Key(0x99)), "fob-0001", IngestPath.Mqtt);

        string metrics = await rx.Http.GetStringAsync("/metrics");
        StringAssert.Contains(metrics, "pd_ingest_total{outcome=\"stored\"} 1");
        StringAssert.Contains(metrics, "pd_ingest_total{outcome=\"duplicate\"} 1");
        StringAssert.Contains(metrics, "pd_ingest_total{outcome=\"rejected_BadTag\"} 1");
        StringAssert.Contains(metrics, "pd_acks_issued_total 2");
        StringAssert.Contains(metrics, "pd_ingest_duration_seconds_count 3");
        StringAssert.Contains(metrics, "pd_ingest_duration_seconds_bucket{le=\"+Inf\"} 3");
        StringAssert.Contains(metrics, "pd_alerts_open 1");
        StringAssert.Contains(metrics, "pd_webhook_pending{target=\"0\",host=\"127.0.0.1:" + closed + "\"} 1");
        Assert.DoesNotContain("sekrit", metrics, "a webhook URL's query never reaches /metrics");
        Assert.DoesNotContain(Convert.ToHexString(LoopbackReceiver.Key), metrics, StringComparison.OrdinalIgnoreCase);
    }
}
