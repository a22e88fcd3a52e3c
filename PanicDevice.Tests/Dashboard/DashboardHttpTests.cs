using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Dashboard;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Dashboard;

/// <summary>The dashboard's page and its live event stream, over real HTTP.</summary>
[TestClass]
public class DashboardHttpTests
{
    private LoopbackReceiver rx = null!;

    [TestInitialize]
    public async Task Start() => rx = await LoopbackReceiver.StartAsync();

    [TestCleanup]
    public async Task Stop() => await rx.DisposeAsync();

    private async Task<string> TicketAsync()
    {
        var r = await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/events/ticket"));
        Assert.AreEqual(HttpStatusCode.OK, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("ticket").GetString()!;
    }

    private Task<HttpResponseMessage> OpenStream(string? ticket) =>
        rx.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, ticket == null ? "/api/events" : "/api/events?ticket=" + Uri.EscapeDataString(ticket)),
            HttpCompletionOption.ResponseHeadersRead);

    /// <summary>Reads the stream until an "alert" event arrives; returns its data.</summary>
    private static async Task<JsonElement> NextAlertAsync(StreamReader reader)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        bool inAlert = false;
        while (true)
        {
            string? line = await reader.ReadLineAsync(cancel.Token);
            Assert.IsNotNull(line, "the stream ended");
            if (line == "event: alert") inAlert = true;
            else if (inAlert && line.StartsWith("data: ", StringComparison.Ordinal)) return JsonDocument.Parse(line[6..]).RootElement.Clone();
        }
    }

    [TestMethod]
    public async Task ThePageIsServedFromTheAssemblyWithoutATokenAndCarriesNoSecret()
    {
        var page = await rx.Http.GetAsync("/");
        Assert.AreEqual(HttpStatusCode.OK, page.StatusCode);
        Assert.AreEqual("text/html", page.Content.Headers.ContentType!.MediaType);
        string html = await page.Content.ReadAsStringAsync();
        StringAssert.Contains(html, "id=\"login\"");
        Assert.IsFalse(html.Contains(LoopbackReceiver.OperatorToken), "the page never carries the token");
        StringAssert.Contains(page.Headers.GetValues("Content-Security-Policy").Single(), "script-src 'self'");
        foreach (string file in new[] { "/app.js", "/map.js", "/i18n.js" })
        {
            var js = await rx.Http.GetAsync(file);
            Assert.AreEqual(HttpStatusCode.OK, js.StatusCode, file);
            Assert.AreEqual("text/javascript", js.Content.Headers.ContentType!.MediaType, file);
        }
        StringAssert.Contains(await rx.Http.GetStringAsync("/i18n.js"), "lokasi tidak diketahui");
        Assert.AreEqual("text/css", (await rx.Http.GetAsync("/app.css")).Content.Headers.ContentType!.MediaType);
    }

    [TestMethod]
    public async Task TheStreamNeedsAFreshTicketAndATicketWorksOnce()
    {
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await OpenStream(null)).StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await OpenStream("0123456789abcdef0123456789abcdef0123456789abcdef")).StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await OpenStream(LoopbackReceiver.OperatorToken)).StatusCode, "the token is not a ticket");
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/events/ticket", token: null))).StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/events/ticket", token: "wrong-token-wrong-token"))).StatusCode);

        string ticket = await TicketAsync();
        Assert.AreNotEqual(ticket, await TicketAsync(), "each ticket is random");
        using (var first = await OpenStream(ticket))
        {
            Assert.AreEqual(HttpStatusCode.OK, first.StatusCode);
            Assert.AreEqual("text/event-stream", first.Content.Headers.ContentType!.MediaType);
        }
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await OpenStream(ticket)).StatusCode, "a ticket is consumed by its first use");
    }

    [TestMethod]
    public async Task TheStreamDeliversAnAlertWhenAFrameIsStoredAndWhenAnOperatorActs()
    {
        await rx.ProvisionAsync("fob-0001");
        using var stream = await OpenStream(await TicketAsync());
        Assert.AreEqual(HttpStatusCode.OK, stream.StatusCode);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());

        rx.Send(LoopbackReceiver.AlertWithoutPosition("fob-0001", 41));
        JsonElement created = await NextAlertAsync(reader);
        Assert.AreEqual("fob-0001", created.GetProperty("deviceId").GetString());
        Assert.AreEqual(41u, created.GetProperty("counter").GetUInt32());
        Assert.AreEqual("new", created.GetProperty("state").GetString());
        Assert.AreEqual(JsonValueKind.Null, created.GetProperty("lat").ValueKind, "an alert without a position is still published");
        Assert.AreEqual("received-mqtt", created.GetProperty("timeline")[0].GetProperty("event").GetString());

        long id = created.GetProperty("id").GetInt64();
        var ack = await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/alerts/" + id + "/acknowledge", body: new { @operator = "dina" }));
        Assert.AreEqual(HttpStatusCode.OK, ack.StatusCode);
        JsonElement acked = await NextAlertAsync(reader);
        Assert.AreEqual(id, acked.GetProperty("id").GetInt64());
        Assert.AreEqual("acknowledged", acked.GetProperty("state").GetString());

        rx.Send(LoopbackReceiver.DuressCancel("fob-0001", 42));
        JsonElement duress = await NextAlertAsync(reader);
        Assert.AreEqual(id, duress.GetProperty("id").GetInt64(), "a cancel changes the device's open alert");
        Assert.IsTrue(duress.GetProperty("duress").GetBoolean());
    }

    [TestMethod]
    public async Task TheListAPageReloadsHoldsEveryOpenAlertHoweverManyCameAfterIt()
    {
        // After a surge a page reloads its list; an open alert older than the newest N must still be on it.
        await rx.ProvisionAsync("fob-0001");
        for (uint counter = 1; counter <= 15; counter++)
        {
            rx.Send(LoopbackReceiver.AlertWithoutPosition("fob-0001", counter));
        }
        long[] ids = (await ListAsync("/api/alerts?limit=1000")).Select(a => a.GetProperty("id").GetInt64()).OrderBy(i => i).ToArray();
        Assert.HasCount(15, ids);
        foreach (long old in ids.Take(3))
        {
            var resolved = await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/alerts/" + old + "/resolve", body: new { @operator = "dina" }));
            Assert.AreEqual(HttpStatusCode.OK, resolved.StatusCode);
        }

        long[] newest = (await ListAsync("/api/alerts?limit=10")).Select(a => a.GetProperty("id").GetInt64()).ToArray();
        CollectionAssert.AreEqual(ids.Skip(5).Reverse().ToArray(), newest, "the newest 10, newest first");
        long[] reload = (await ListAsync("/api/alerts?limit=10&allOpen=true")).Select(a => a.GetProperty("id").GetInt64()).ToArray();
        CollectionAssert.AreEqual(ids.Skip(3).Reverse().ToArray(), reload, "the newest 10 and the two older ones still open, not the three resolved");
        string page = await rx.Http.GetStringAsync("/app.js");
        Assert.AreEqual(2, page.Split("/api/alerts?limit=1000&allOpen=true").Length - 1, "the page's first load and every reload ask for every open alert");
    }

    private async Task<List<JsonElement>> ListAsync(string path)
    {
        var r = await rx.Http.SendAsync(rx.Request(HttpMethod.Get, path));
        Assert.AreEqual(HttpStatusCode.OK, r.StatusCode);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
    }

    [TestMethod]
    public async Task AnOpenStreamDoesNotHoldUpShutdown()
    {
        using var stream = await OpenStream(await TicketAsync());
        Assert.AreEqual(HttpStatusCode.OK, stream.StatusCode);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await rx.App.StopAsync();
        Assert.IsTrue(watch.Elapsed < TimeSpan.FromSeconds(10), "stopping took " + watch.Elapsed);
    }

    [TestMethod]
    public async Task TheDashboardSettingsNameTheTileUrlAndABadOneStopsStartup()
    {
        string settings = await (await rx.Http.SendAsync(rx.Request(HttpMethod.Get, "/api/dashboard"))).Content.ReadAsStringAsync();
        Assert.AreEqual("", JsonDocument.Parse(settings).RootElement.GetProperty("mapTilesUrl").GetString(), "no tiles unless configured");
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await rx.Http.GetAsync("/api/dashboard")).StatusCode);
        var e = Assert.ThrowsExactly<OptionsValidationException>(() => ReceiverApp.Build(new[] { "--mqtt-port", "0", "--data", Path.GetTempPath(), "--map-tiles-url", "ftp://tiles/{z}" }));
        StringAssert.Contains(e.Message, "--map-tiles-url");
    }
}

/// <summary>The feed and the tickets on their own.</summary>
[TestClass]
public class DashboardFeedTests
{
    private static AlertView Alert(long id) => new(id, "fob-1", (uint)id, "panic", "new", false, null, null, null, "none", null, "t", "t", Array.Empty<TimelineEntry>());

    [TestMethod]
    public async Task ASubscriberAWholeQueueBehindIsEndedNotSilentlySkippedAndNeverBlocksThePublisher()
    {
        // Issue 17's surge bench: a browser that fell behind used to lose its oldest events silently (369 of 10,000
        // alerts). Now its stream ends, and the page reconnects and reloads the list (docs/dashboard.md).
        var feed = new AlertFeed();
        using var slow = feed.Subscribe(capacity: 3);
        using var quick = feed.Subscribe(capacity: 64);
        for (int i = 1; i <= 10; i++) feed.Publish(Alert(i)); // returns at once: the publisher is never held
        var got = new List<long>();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5)); // a feed that dropped instead of ending would leave this waiting
        while (await slow.Reader.WaitToReadAsync(bound.Token))
        {
            while (slow.Reader.TryRead(out object? a)) got.Add(((AlertView)a).Id);
        }
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, got, "what it had, in order, then the end of its stream: no gap in the middle");
        Assert.AreEqual(1L, feed.EndedBehind);
        Assert.AreEqual(1, feed.SubscriberCount, "the slow one is gone, the other stays");
        var all = new List<long>();
        while (quick.Reader.TryRead(out object? a)) all.Add(((AlertView)a).Id);
        CollectionAssert.AreEqual(Enumerable.Range(1, 10).Select(i => (long)i).ToArray(), all, "a subscriber keeping up gets everything");
    }

    [TestMethod]
    public void EverySubscriberGetsEachEventAndADisposedOneNoLonger()
    {
        var feed = new AlertFeed();
        var a = feed.Subscribe();
        using var b = feed.Subscribe();
        Assert.AreEqual(2, feed.SubscriberCount);
        feed.Publish(Alert(1));
        a.Dispose();
        feed.Publish(Alert(2));
        Assert.AreEqual(1, feed.SubscriberCount);
        Assert.IsTrue(a.Reader.TryRead(out object? fromA));
        Assert.AreEqual(1, ((AlertView)fromA!).Id);
        Assert.IsFalse(a.Reader.TryRead(out _), "nothing after unsubscribing");
        Assert.IsTrue(b.Reader.TryRead(out _));
        Assert.IsTrue(b.Reader.TryRead(out object? second));
        Assert.AreEqual(2, ((AlertView)second!).Id);
    }

    [TestMethod]
    public void ATicketExpiresAfterSixtySecondsAndWorksOnlyOnce()
    {
        var clock = new ManualClock();
        var tickets = new EventTickets(clock);
        string once = tickets.Issue();
        Assert.IsTrue(tickets.Consume(once));
        Assert.IsFalse(tickets.Consume(once));
        string late = tickets.Issue();
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.IsFalse(tickets.Consume(late), "expired");
        Assert.IsFalse(tickets.Consume(null));
        Assert.IsFalse(tickets.Consume(""));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public void Advance(TimeSpan by) => now += by;
        public override DateTimeOffset GetUtcNow() => now;
    }
}
