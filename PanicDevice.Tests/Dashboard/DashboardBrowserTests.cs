using System.Globalization;
using PanicDevice.Bench.Engines;
using System.Collections.Concurrent;
using Microsoft.Playwright;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Storage;
using PanicDevice.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PanicDevice.Tests.Dashboard;

/// <summary>
/// The dashboard in a real Chromium (Debian's /usr/bin/chromium driven by Playwright; no browser
/// download) against a real receiver on loopback.
/// </summary>
[TestClass]
public partial class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    // The driver takes seconds to start: one per class, shared by methods that may run in parallel.
    private static readonly Lazy<Task<IPlaywright>> Driver = new(() => Playwright.CreateAsync());

    [ClassCleanup]
    public static void StopDriver()
    {
        if (Driver.IsValueCreated && Driver.Value.IsCompletedSuccessfully)
        {
            Driver.Value.Result.Dispose();
        }
    }

    private static async Task<IBrowser> LaunchAsync()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Inconclusive("Debian's chromium is not installed (apt-get install chromium); the browser test cannot run");
        }
        SetDefaultExpectTimeout(10_000);
        IPlaywright playwright = await Driver.Value;
        return await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = new[] { "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync" },
        });
    }

    /// <summary>A page of the receiver's dashboard, logged in with the operator token (and a name), its script errors collected.</summary>
    private static async Task<(IPage Page, ConcurrentBag<string> Errors)> LoggedInAsync(IBrowser browser, LoopbackReceiver rx, string? operatorName = null, Func<IPage, Task>? before = null)
    {
        var page = await browser.NewPageAsync(new() { Locale = "en-US" });
        var errors = new ConcurrentBag<string>();
        page.PageError += (_, e) => errors.Add(e);
        if (before != null)
        {
            await before(page); // instrumentation and clocks, before the page's scripts run
        }
        await page.GotoAsync(rx.Url);
        await page.FillAsync("#token", LoopbackReceiver.OperatorToken);
        if (operatorName != null)
        {
            await page.FillAsync("#operator-name", operatorName);
        }
        await page.ClickAsync("#login-submit");
        return (page, errors);
    }

    [TestMethod]
    public async Task EveryTextThePageShowsHasItsEnglishAndItsIndonesian()
    {
        // Issue 15, item 8: a label missing in one language falls back to English (or to its key) on an Indonesian screen.
        await using var rx = await LoopbackReceiver.StartAsync();
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(rx.Url);
        using var dictionaries = System.Text.Json.JsonDocument.Parse(await page.EvaluateAsync<string>("JSON.stringify(window.PD_I18N)"));
        var en = Leaves(dictionaries.RootElement.GetProperty("en"), "");
        var id = Leaves(dictionaries.RootElement.GetProperty("id"), "");
        var problems = new List<string>();
        problems.AddRange(en.Keys.Except(id.Keys).Select(k => "no Indonesian for " + k));
        problems.AddRange(id.Keys.Except(en.Keys).Select(k => "no English for " + k));
        problems.AddRange(en.Concat(id).Where(kv => string.IsNullOrWhiteSpace(kv.Value)).Select(kv => "empty text for " + kv.Key));

        // Every key the page asks for, and every name the receiver sends that the page translates.
        string app = await rx.Http.GetStringAsync("/app.js"), html = await rx.Http.GetStringAsync("/");
        var asked = System.Text.RegularExpressions.Regex.Matches(app, @"\bt\('([A-Za-z]+)'").Select(m => m.Groups[1].Value)
            .Concat(System.Text.RegularExpressions.Regex.Matches(html, @"data-i18n(?:-placeholder)?=""([A-Za-z]+)""").Select(m => m.Groups[1].Value))
            .Concat(Enum.GetValues<AlertCode>().Where(c => c is AlertCode.Panic or AlertCode.HoldUp or AlertCode.Test or AlertCode.ButtonFault).Select(c => "kinds." + AlertBook.KindName((int)c)))
            .Concat(Enum.GetValues<LocationSource>().Select(src => "sources." + AlertBook.SourceName(src)))
            .Concat(new[] { AlertStates.New, AlertStates.Acknowledged, AlertStates.Assigned, AlertStates.Resolved, AlertStates.FalseAlarm, AlertStates.Cancelled }.Select(state => "states." + state))
            .Distinct().ToList();
        Assert.IsGreaterThan(40, asked.Count, "the page's keys were not found: the pattern no longer matches app.js");
        problems.AddRange(asked.Where(k => !en.ContainsKey(k) || !id.ContainsKey(k)).Select(k => "the page shows " + k + " but a language lacks it"));
        Assert.IsEmpty(problems, string.Join("\n", problems));
    }

    private static Dictionary<string, string> Leaves(System.Text.Json.JsonElement e, string prefix)
    {
        var leaves = new Dictionary<string, string>();
        foreach (var p in e.EnumerateObject())
        {
            string key = prefix + p.Name;
            if (p.Value.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                foreach (var kv in Leaves(p.Value, key + ".")) leaves[kv.Key] = kv.Value;
            }
            else
            {
                leaves[key] = p.Value.GetString() ?? "";
            }
        }
        return leaves;
    }

    [TestMethod]
    public async Task OperatorLogsInSeesAlertsArriveLiveAcknowledgesAndSwitchesToIndonesian()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await rx.ProvisionAsync("fob-0001");
        await rx.ProvisionAsync("fob-0002");
        await rx.ProvisionAsync("fob-0003");
        await using var browser = await LaunchAsync();
        await using var context = await browser.NewContextAsync(new() { Locale = "en-US" });
        var page = await context.NewPageAsync();
        var urls = new ConcurrentBag<string>();
        var errors = new ConcurrentBag<string>();
        page.Request += (_, r) => urls.Add(r.Url);
        page.PageError += (_, e) => errors.Add(e);

        await page.GotoAsync(rx.Url);
        await Expect(page.Locator("#login-submit")).ToHaveTextAsync("Log in");

        // A wrong token is refused and nothing behind the login shows.
        await page.FillAsync("#token", "wrong-token-wrong-token");
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#login-error")).ToHaveTextAsync("Wrong operator token.");
        await Expect(page.Locator("#app")).ToBeHiddenAsync();

        await page.FillAsync("#token", LoopbackReceiver.OperatorToken);
        await page.FillAsync("#operator-name", "dina");
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#app")).ToBeVisibleAsync();
        await Expect(page.Locator("#login-view")).ToBeHiddenAsync();
        await Expect(page.Locator("#list-empty")).ToBeVisibleAsync();
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");
        await Expect(page.Locator("#alarm")).ToBeHiddenAsync();
        await page.EvaluateAsync("() => { window.sameDocument = 'yes'; }");

        // A device alert arrives: it shows without a reload and raises the alarm.
        rx.Send(SampleFrames.Alert("fob-0001", 21));
        var first = page.Locator("#alert-list .alert-row").Filter(new() { HasText = "fob-0001" });
        await Expect(first).ToHaveCountAsync(1);
        await Expect(first).ToHaveAttributeAsync("data-state", "new");
        await Expect(first.Locator(".badge.no-position")).ToHaveCountAsync(0);
        await Expect(page.Locator("#alarm")).ToBeVisibleAsync();
        await Expect(page.Locator("#alarm")).ToHaveAttributeAsync("data-count", "1");
        Assert.AreEqual("yes", await page.EvaluateAsync<string>("() => window.sameDocument"), "the list updated live, without a reload");

        // Detail with its timeline, then acknowledge with the button.
        await first.ClickAsync();
        await Expect(page.Locator("#detail-state")).ToHaveTextAsync("new");
        await Expect(page.Locator("#timeline li[data-event='received-mqtt']")).ToContainTextAsync("received via MQTT");
        await Expect(page.Locator("#detail-position")).ToContainTextAsync("-6.175392");
        await page.ClickAsync("#act-acknowledge");
        await Expect(first).ToHaveAttributeAsync("data-state", "acknowledged");
        await Expect(page.Locator("#detail-state")).ToHaveTextAsync("acknowledged");
        await Expect(page.Locator("#timeline li[data-event='acknowledge']")).ToContainTextAsync("by dina");
        await Expect(page.Locator("#act-acknowledge")).ToBeDisabledAsync();
        await Expect(page.Locator("#alarm")).ToBeHiddenAsync();
        long id = long.Parse((await first.GetAttributeAsync("data-alert-id"))!);
        Assert.AreEqual(AlertStates.Acknowledged, rx.Service<AlertBook>().Find(id)!.State, "the button reached the receiver");

        // An alert without a position is listed with the badge and alarms like any other.
        rx.Send(LoopbackReceiver.AlertWithoutPosition("fob-0002", 5));
        var lost = page.Locator("#alert-list .alert-row").Filter(new() { HasText = "fob-0002" });
        await Expect(lost).ToHaveCountAsync(1);
        await Expect(lost.Locator(".badge.no-position")).ToHaveTextAsync("position unknown");
        await Expect(page.Locator("#alarm")).ToBeVisibleAsync();
        await Expect(page.Locator("#map-note")).ToContainTextAsync("without a position");

        // A duress cancel keeps it open and is shown plainly.
        rx.Send(LoopbackReceiver.DuressCancel("fob-0002", 6));
        await Expect(lost.Locator(".badge.duress")).ToBeVisibleAsync();
        await lost.ClickAsync();
        await Expect(page.Locator("#detail-duress")).ToBeVisibleAsync();
        await Expect(page.Locator("#detail-noposition")).ToBeVisibleAsync();
        await Expect(page.Locator("#timeline li[data-event='duress']")).ToBeVisibleAsync();

        // Indonesian.
        await page.ClickAsync("#lang-id");
        await Expect(lost.Locator(".badge.no-position")).ToHaveTextAsync("lokasi tidak diketahui");
        await Expect(page.Locator("#act-acknowledge")).ToHaveTextAsync("Konfirmasi");
        await Expect(page.Locator("h2[data-i18n='alerts']")).ToHaveTextAsync("Peringatan");
        await Expect(first.Locator(".badge.state")).ToHaveTextAsync("dikonfirmasi");
        Assert.AreEqual("id", await page.EvaluateAsync<string>("() => document.documentElement.lang"));

        // Nearest patrol units by distance for an alert with a position; a click fills the responder field.
        rx.Service<PanicDevice.Receiver.Responders.ResponderBook>().Report("thamrin", new("Thamrin unit", -6.193, 106.823, true));
        rx.Service<PanicDevice.Receiver.Responders.ResponderBook>().Report("bogor", new("Bogor unit", -6.595, 106.8166, true));
        rx.Send(SampleFrames.Alert("fob-0003", 9));
        await page.Locator("#alert-list .alert-row").Filter(new() { HasText = "fob-0003" }).ClickAsync();
        await Expect(page.Locator("#nearest button")).ToHaveCountAsync(2);
        await Expect(page.Locator("#nearest button").First).ToHaveTextAsync("Thamrin unit — 2.0 km");
        await page.Locator("#nearest button").First.ClickAsync();
        await Expect(page.Locator("#responder")).ToHaveValueAsync("Thamrin unit");
        await lost.ClickAsync();
        await Expect(page.Locator("#nearest")).ToContainTextAsync("Lokasi tidak diketahui");

        Assert.IsTrue(urls.Any(u => u.Contains("/api/events?ticket=", StringComparison.Ordinal)), "the live stream was opened with a ticket");
        Assert.IsFalse(urls.Any(u => u.Contains(LoopbackReceiver.OperatorToken, StringComparison.Ordinal)), "the token never appears in a URL");
        Assert.IsNull(await page.EvaluateAsync<string?>("() => localStorage.getItem('pd.operatorToken')"), "the token is kept for the session only");
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    [TestMethod]
    public async Task AFrameRefusedForItsCounterAlarmsWithItsContentUntilAnOperatorHasSeenIt()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await rx.ProvisionAsync("fob-0001");
        Frame test = SampleFrames.Alert("fob-0001", 4);
        test.Code = (byte)AlertCode.Test;
        rx.Send(test);
        await using var browser = await LaunchAsync();
        var (page, errors) = await LoggedInAsync(browser, rx, "dina");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");
        await Expect(page.Locator("#alarm")).ToHaveAttributeAsync("data-count", "1");
        await Expect(page.Locator("#counter-panel")).ToBeHiddenAsync();

        // The device's counter restarted: a panic under the test alert's counter. Refused, so no alert, but shown live.
        IngestResult refused = rx.Service<IngestPipeline>().Process(FrameCodec.Encode(SampleFrames.Alert("fob-0001", 4), LoopbackReceiver.Key), "fob-0001", IngestPath.Mqtt);
        Assert.AreEqual(IngestStatus.CounterRefused, refused.Status);
        var row = page.Locator("#counter-list .counter-row");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("alert panic");
        await Expect(row).ToContainTextAsync("-6.175392, 106.827153");
        await Expect(row).ToContainTextAsync("counter already used");
        await Expect(page.Locator("#counter-panel .counter-banner")).ToContainTextAsync("someone else holds its key");
        await Expect(page.Locator("#alarm")).ToContainTextAsync("1 frame(s) with an unverified counter");
        await Expect(page.Locator("#alarm")).ToHaveAttributeAsync("data-count", "2");
        await Expect(page.Locator("#alert-list .alert-row")).ToHaveCountAsync(1);

        await row.Locator("button[data-counter-action='acknowledge']").ClickAsync();
        await Expect(row).ToContainTextAsync("seen by dina");
        await Expect(page.Locator("#alarm")).ToHaveAttributeAsync("data-count", "1");
        Assert.AreEqual("dina", rx.Service<CounterEventBook>().Recent(1).Single().AcknowledgedBy, "the button reached the receiver");
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    [TestMethod]
    public async Task ARekeyAppearsLiveWithWhoDidItAndNeverTheKey()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await rx.ProvisionAsync("fob-0002");
        await using var browser = await LaunchAsync();
        // The page's first read of the device events answers late, after the re-key has arrived live: the late (empty)
        // answer must not hide it (it did, found by CI).
        int slowReads = 0;
        var (page, errors) = await LoggedInAsync(browser, rx, "dina", before: p => p.RouteAsync("**/api/device-events*", async route =>
        {
            // Read now (before the re-key), answered late.
            var answer = await route.FetchAsync();
            if (Interlocked.Increment(ref slowReads) == 1) await Task.Delay(2500);
            await route.FulfillAsync(new() { Response = answer });
        }));
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");
        await Expect(page.Locator("#device-event-panel")).ToBeHiddenAsync();

        string newKey = Convert.ToHexString(SampleFrames.RandomKey(0x52));
        var r = await rx.Api.PostAsync("/api/devices", System.Net.Http.Json.JsonContent.Create(new { id = "fob-0002", key = newKey, kind = "fob", rekey = true, @operator = "budi" }));
        Assert.AreEqual(System.Net.HttpStatusCode.OK, r.StatusCode, await r.Content.ReadAsStringAsync());
        var row = page.Locator("#device-event-list .device-event-row");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("fob-0002");
        await Expect(row).ToContainTextAsync("re-keyed");
        await Expect(row).ToContainTextAsync("by budi");
        await page.WaitForTimeoutAsync(3000); // the late answer has come by now
        await Expect(row).ToHaveCountAsync(1);
        await Expect(page.Locator("#device-event-panel .device-event-banner")).ToContainTextAsync("old key is refused");
        string html = await page.ContentAsync();
        Assert.IsFalse(html.Contains(newKey, StringComparison.OrdinalIgnoreCase), "the key never reaches the page");

        await page.ReloadAsync(); // a dashboard opened later (same session: no new login) loads it from the API
        await Expect(page.Locator("#device-event-list .device-event-row")).ToHaveCountAsync(1);
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    [TestMethod]
    public async Task AWebhookTargetDownForAMinuteShowsABannerLiveAndAfterAReloadUntilItTakesEventsAgain()
    {
        const string secret = "webhook-secret-dashboard-01";
        int hookPort = LoopbackPorts.Free();
        using var target = new PanicDevice.Bench.WebhookRecorder(hookPort, secret) { Unavailable = true };
        var time = new FakeClock(new DateTimeOffset(2026, 12, 4, 3, 0, 0, TimeSpan.Zero));
        await using var rx = await LoopbackReceiver.StartAsync(time, "--Receiver:Webhooks:0:Url", "http://127.0.0.1:" + hookPort + "/hook/?key=not-for-the-page",
            "--Receiver:Webhooks:0:Secret", secret);
        var dispatcher = rx.Service<PanicDevice.Receiver.Dispatch.QueueDispatcher>();
        async Task RoundAt(DateTimeOffset at)
        {
            time.Now = at;
            await Eventually.WaitFor(() => dispatcher.LastFinishedRoundStartedAt >= at, TimeSpan.FromSeconds(10), "a dispatcher round");
        }
        await rx.ProvisionAsync("fob-0003");
        await using var browser = await LaunchAsync();
        var (page, errors) = await LoggedInAsync(browser, rx);
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");

        rx.Send(LoopbackReceiver.AlertWithoutPosition("fob-0003", 1));
        DateTimeOffset first = time.Now + TimeSpan.FromSeconds(1);
        await RoundAt(first);
        for (int s = 2; s <= 59; s += 3)
        {
            await RoundAt(first + TimeSpan.FromSeconds(s));
        }
        await Expect(page.Locator("#dispatch-down")).ToBeHiddenAsync(); // failing under a minute: the table says so, no banner
        await RoundAt(first + TimeSpan.FromSeconds(61));
        var banner = page.Locator("#dispatch-down");
        await Expect(banner).ToBeVisibleAsync();
        await Expect(banner).ToContainTextAsync("Dispatch to http://127.0.0.1:" + hookPort + " has failed since");
        await Expect(banner).ToContainTextAsync("not reaching it");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "pd-dispatch-down.png"), FullPage = true });
        Assert.IsFalse((await banner.TextContentAsync())!.Contains("not-for-the-page"), "the host, never the URL's secret");

        await page.ReloadAsync(); // opened later: the banner comes from /api/webhooks
        await Expect(page.Locator("#dispatch-down")).ToBeVisibleAsync();
        await page.ClickAsync("#lang-id");
        await Expect(page.Locator("#dispatch-down")).ToContainTextAsync("gagal sejak");

        target.Unavailable = false;
        await RoundAt(first + TimeSpan.FromSeconds(95)); // the next retry (backoff capped at 30 s) is due by now
        await Expect(page.Locator("#dispatch-down")).ToBeHiddenAsync();
        Assert.HasCount(1, target.Received());
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    [TestMethod]
    public async Task AnOperatorSeesAHoldUpAcknowledgedByTheArcAndForwardsAPanicToItFromTheDetail()
    {
        // The rules send wall units' hold-ups to the ARC and everything else to the 112 webhook; the operator adds the
        // ARC to a fob's panic by hand. The timeline tells them where each went, in both languages.
        byte[] arcKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        await using var arc = new TestArc(new Dictionary<string, byte[]?> { ["1001"] = arcKey });
        const string secret = "webhook-secret-dashboard-02";
        int hookPort = LoopbackPorts.Free();
        using var hook = new PanicDevice.Bench.WebhookRecorder(hookPort, secret);
        await using var rx = await LoopbackReceiver.StartAsync(
            "--Receiver:Webhooks:0:Url", "http://127.0.0.1:" + hookPort + "/hook/", "--Receiver:Webhooks:0:Secret", secret, "--Receiver:Webhooks:0:Name", "112",
            "--Receiver:Arcs:0:Name", "central", "--Receiver:Arcs:0:Host", "127.0.0.1", "--Receiver:Arcs:0:Port", arc.Port.ToString(CultureInfo.InvariantCulture),
            "--Receiver:Arcs:0:LinePrefix", "1", "--Receiver:Arcs:0:Accounts:0:Account", "1001", "--Receiver:Arcs:0:Accounts:0:Key", Convert.ToHexString(arcKey),
            "--Receiver:Arcs:0:Accounts:0:Zones:wall-0001", "1", "--Receiver:Arcs:0:Accounts:0:Zones:fob-0004", "2",
            "--Receiver:Routes:0:Name", "shops", "--Receiver:Routes:0:Kinds:0", "holdup", "--Receiver:Routes:0:Targets:0", "arc:central",
            "--Receiver:DefaultRoute:0", "webhook:112");
        await rx.ProvisionAsync("wall-0001");
        await rx.ProvisionAsync("fob-0004");
        await using var browser = await LaunchAsync();
        var (page, errors) = await LoggedInAsync(browser, rx);
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");

        Frame holdUp = SampleFrames.Alert("wall-0001", 1);
        holdUp.Code = (byte)AlertCode.HoldUp;
        rx.Send(holdUp);
        rx.Send(SampleFrames.Alert("fob-0004", 1));
        await page.Locator("#alert-list .alert-row").Filter(new() { HasText = "wall-0001" }).ClickAsync();
        var sent = page.Locator("#timeline li[data-event='sent-arc']");
        await Expect(sent).ToContainTextAsync("acknowledged by alarm receiving centre (ARC)", new() { Timeout = 15000 }); // arrives live, by the feed
        await Expect(sent).ToContainTextAsync("central · E122 ACK 0001 · route shops");
        await Expect(page.Locator("#webhooks")).ToContainTextAsync("ARC central (127.0.0.1:" + arc.Port + ")");

        await page.Locator("#alert-list .alert-row").Filter(new() { HasText = "fob-0004" }).ClickAsync();
        await Expect(page.Locator("#timeline li[data-event='sent-webhook']")).ToContainTextAsync("112 · HTTP 200 · default route", new() { Timeout = 15000 });
        await page.SelectOptionAsync("#forward-target", "arc:central");
        await page.ClickAsync("#act-forward");
        await Expect(page.Locator("#timeline li[data-event='forwarded']")).ToContainTextAsync("forwarded by operator");
        await Expect(page.Locator("#timeline li[data-event='sent-arc']")).ToContainTextAsync("central · E120 ACK 0002 · forwarded by an operator", new() { Timeout = 15000 });
        await page.ClickAsync("#lang-id");
        await Expect(page.Locator("#timeline li[data-event='sent-arc']")).ToContainTextAsync("diterima pusat penerima alarm (ARC)");
        await Expect(page.Locator("label[for='forward-target']")).ToHaveTextAsync("Kirim juga ke");
        await Expect(page.Locator("#nearest")).ToHaveTextAsync("Tidak ada unit tersedia dengan posisi terbaru.", new() { Timeout = 5000 }); // drawn again in the new language
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "pd-arc-timeline.png"), FullPage = true });

        CollectionAssert.AreEqual(new[] { "#1001|1122 01 001", "#1001|1120 01 002" }, arc.Read.Select(m => m.Data).ToArray(), "the hold-up by the rule, the panic by hand");
        string[] metrics = (await rx.Http.GetStringAsync("/metrics")).Split('\n');
        CollectionAssert.IsSubsetOf(new[] { "pd_arc_pending{arc=\"central\"} 0", "pd_arc_delivered_total{arc=\"central\"} 2", "pd_arc_failing{arc=\"central\"} 0" }, metrics,
            "the ARC's backlog and deliveries in /metrics");
        Assert.HasCount(1, hook.Received(), "the webhook had the panic only");
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    [TestMethod]
    public async Task TheMapFallsBackToAPlainGridWhenTilesCannotBeLoaded()
    {
        int closed = LoopbackPorts.Free(); // nothing listens there: every tile fails
        await using var rx = await LoopbackReceiver.StartAsync("--map-tiles-url", "http://127.0.0.1:" + closed + "/{z}/{x}/{y}.png");
        await rx.ProvisionAsync("fob-0001");
        rx.Send(SampleFrames.Alert("fob-0001", 3));
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { Locale = "en-US" });
        var tileRequests = 0;
        page.Request += (_, r) => { if (r.Url.EndsWith(".png", StringComparison.Ordinal)) Interlocked.Increment(ref tileRequests); };
        await page.GotoAsync(rx.Url);
        await page.FillAsync("#token", LoopbackReceiver.OperatorToken);
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#alert-list .alert-row")).ToHaveCountAsync(1);
        await Expect(page.Locator("#map")).ToHaveAttributeAsync("data-mode", "offline");
        await Expect(page.Locator("#map-note")).ToContainTextAsync("plain grid");
        Assert.IsTrue(tileRequests > 0, "the configured tile URL was tried");
    }
}
