using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PanicDevice.Bench.Engines;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PanicDevice.Tests.Dashboard;

/// <summary>
/// Issue 15, items 2 and 3, in Chromium: the queue by priority and age, escalation with an injected clock (the
/// receiver's and the page's), a sound per priority through an instrumented AudioContext until the alert is selected,
/// a mute that ends by itself, a banner readable at every moment of its animation, and a lost connection on the
/// whole screen edge.
/// </summary>
public partial class DashboardBrowserTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 3, 0, 0, TimeSpan.Zero);

    // Records every tone the page starts: its frequency and the page's time. Starts suspended, as a browser's does
    // without a user gesture; resume() (called from the login click) lets it play.
    private const string InstrumentedAudio = """
        window.__tones = [];
        window.AudioContext = class {
          constructor() { this.state = 'suspended'; this.destination = {}; this.t0 = performance.now(); }
          get currentTime() { return (performance.now() - this.t0) / 1000; }
          resume() { this.state = 'running'; return Promise.resolve(); }
          createGain() { return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect(n) { return n; } }; }
          createOscillator() {
            const o = { type: '', frequency: { value: 0 }, connect(n) { return n; }, stop() {},
              start() { window.__tones.push({ f: o.frequency.value, at: Date.now() }); } };
            return o;
          }
        };
        """;

    private static Frame Alert(string device, uint counter, AlertCode code)
    {
        Frame f = SampleFrames.Alert(device, counter);
        f.Code = (byte)code;
        return f;
    }

    private static async Task Until(Func<Task<bool>> done, TimeSpan within, string what)
    {
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); !await done(); await Task.Delay(50))
        {
            if (waited.Elapsed > within) Assert.Fail("not within " + within.TotalSeconds + " s: " + what);
        }
    }

    private static async Task<int[]> TonesAsync(IPage page) => await page.EvaluateAsync<int[]>("window.__tones.map(t => t.f)");

    [TestMethod]
    public async Task TheQueueIsOrderedByPriorityThenAgeAndAnAlertNobodyAcknowledgesEscalates()
    {
        var time = new FakeClock(T0);
        int hookPort = LoopbackPorts.Free();
        using var hook = new PanicDevice.Bench.WebhookRecorder(hookPort, "webhook-secret-dashboard-03");
        await using var rx = await LoopbackReceiver.StartAsync(time, "--escalate-after", "60",
            "--Receiver:Webhooks:0:Url", "http://127.0.0.1:" + hookPort + "/hook/", "--Receiver:Webhooks:0:Secret", "webhook-secret-dashboard-03");
        foreach (string d in new[] { "fob-0001", "fob-0002", "fob-0003", "wall-0001", "fob-0004" }) await rx.ProvisionAsync(d);
        await using var browser = await LaunchAsync();
        // The page's Date stands where the test puts it (its timers still run): ages and timers are exact.
        var (page, errors) = await LoggedInAsync(browser, rx, before: p => p.Clock.SetFixedTimeAsync(T0.UtcDateTime));
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");

        rx.Send(Alert("fob-0001", 1, AlertCode.Test));
        rx.Send(Alert("fob-0002", 1, AlertCode.Panic));
        rx.Send(Alert("fob-0003", 1, AlertCode.ButtonFault));
        rx.Send(Alert("wall-0001", 1, AlertCode.HoldUp));
        rx.Send(Alert("fob-0004", 1, AlertCode.Panic));
        rx.Send(LoopbackReceiver.DuressCancel("fob-0004", 2)); // a panic under duress: as urgent as a hold-up
        var rows = page.Locator("#alert-list .alert-row");
        await Expect(rows).ToHaveCountAsync(5);
        await Expect(rows.Nth(1)).ToContainTextAsync("fob-0004");
        string[] order = (await rows.Locator(".row-head").AllTextContentsAsync()).Select(h => h.Split(" · ")[1]).ToArray();
        CollectionAssert.AreEqual(new[] { "wall-0001", "fob-0004", "fob-0002", "fob-0003", "fob-0001" }, order, "hold-up and duress, panic, fault, test");
        CollectionAssert.AreEqual(new[] { "P1", "P1", "P2", "P3", "P4" }, (await rows.Locator(".badge.prio").AllTextContentsAsync()).ToArray());
        await Expect(rows.First.Locator("[data-since]")).ToHaveTextAsync("age 0:00");
        await Expect(rows.First.Locator("[data-escalates-at]")).ToHaveTextAsync("escalates in 1:00");

        await page.Clock.SetFixedTimeAsync(T0.UtcDateTime.AddSeconds(45));
        await Expect(rows.First.Locator("[data-since]")).ToHaveTextAsync("age 0:45");
        await Expect(rows.First.Locator("[data-escalates-at]")).ToHaveTextAsync("escalates in 0:15");
        await page.Locator("#alert-list .alert-row").Filter(new() { HasText = "fob-0002" }).ClickAsync();
        await page.ClickAsync("#act-acknowledge"); // acknowledged in time: it will not escalate
        await Expect(page.Locator("#escalated")).ToBeHiddenAsync();

        // A minute on the receiver's clock: its escalation check (every 5 s) stamps the four alerts still new.
        await page.Clock.SetFixedTimeAsync(T0.UtcDateTime.AddSeconds(65));
        time.Advance(TimeSpan.FromSeconds(61));
        var banner = page.Locator("#escalated");
        await Expect(banner).ToBeVisibleAsync();
        await Expect(banner).ToContainTextAsync("ESCALATED: 4 alert(s) not acknowledged within 1:00");
        await Expect(page.Locator("#alert-list .badge.escalated-badge")).ToHaveCountAsync(4);
        await Expect(rows.First.Locator("[data-since]")).ToHaveTextAsync("age 1:05");
        await page.Locator("#alert-list .alert-row").Filter(new() { HasText = "wall-0001" }).ClickAsync();
        await Expect(page.Locator("#timeline li[data-event='escalated']")).ToContainTextAsync("ESCALATED: not acknowledged in time");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "pd-escalated-en.png"), FullPage = true });
        await page.ClickAsync("#act-acknowledge");
        await Expect(banner).ToContainTextAsync("3 alert(s)");
        await page.ClickAsync("#lang-id");
        await Expect(banner).ToContainTextAsync("DIESKALASI: 3 peringatan belum dikonfirmasi dalam 1:00");
        await Expect(rows.Last.Locator("[data-since]")).ToHaveTextAsync(new Regex("^umur 1:0"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "pd-escalated-id.png"), FullPage = true });

        // The dispatch system hears of each escalation once, as an event of its own.
        // The dispatcher's rounds come with the receiver's clock: it moves a second at a time until they arrive.
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); hook.Received().Count(h => h.Type == "escalation") < 4 && waited.Elapsed < TimeSpan.FromSeconds(15);)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(100);
        }
        Assert.AreEqual(4, hook.Received().Count(h => h.Type == "escalation"), "four escalation events at the webhook");
        Assert.IsFalse(hook.Received().Any(h => h.Type == "escalation" && h.Device == "fob-0002"), "the acknowledged one did not escalate");
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    [TestMethod]
    public async Task TheAlarmSoundsByPriorityUntilEachAlertIsSelectedAndAMuteEndsByItself()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        foreach (string d in new[] { "fob-0001", "wall-0001", "fob-0002" }) await rx.ProvisionAsync(d);
        await using var browser = await LaunchAsync();
        var (page, errors) = await LoggedInAsync(browser, rx, before: async p =>
        {
            await p.AddInitScriptAsync(InstrumentedAudio);
            await p.Clock.InstallAsync(new() { TimeDate = DateTime.UtcNow });
        });
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");
        await Expect(page.Locator("#sound-mute")).ToBeVisibleAsync(); // the login click unlocked the sound
        Assert.IsEmpty(await TonesAsync(page), "nothing to hear yet");

        rx.Send(Alert("fob-0001", 1, AlertCode.Panic));
        await Until(async () => (await TonesAsync(page)).Count(f => f == 988) >= 4, TimeSpan.FromSeconds(10), "the panic's tone, repeating");
        rx.Send(Alert("wall-0001", 1, AlertCode.HoldUp));
        await Until(async () => (await TonesAsync(page)).Count(f => f == 1320) >= 4, TimeSpan.FromSeconds(10), "the hold-up's two-tone, more urgent, at once");

        // Selecting the hold-up silences it; the panic, not yet selected, sounds again; selecting it too: silence.
        await page.Locator("#alert-list .alert-row").Filter(new() { HasText = "wall-0001" }).ClickAsync();
        int heard = (await TonesAsync(page)).Length;
        await page.Clock.RunForAsync(3000);
        int[] after = (await TonesAsync(page)).Skip(heard).ToArray();
        Assert.IsTrue(after.Length > 0 && after.All(f => f == 988), "only the panic's tone after the hold-up was selected: " + string.Join(",", after));
        await page.Locator("#alert-list .alert-row").Filter(new() { HasText = "fob-0001" }).ClickAsync();
        heard = (await TonesAsync(page)).Length;
        await page.Clock.RunForAsync(5000);
        Assert.HasCount(heard, await TonesAsync(page), "silent once every alert was selected");

        // Mute lasts two minutes, then the alarm comes back by itself.
        rx.Send(Alert("fob-0002", 1, AlertCode.Panic));
        await Until(async () => (await TonesAsync(page)).Length > heard, TimeSpan.FromSeconds(10), "a new panic sounds");
        await page.ClickAsync("#sound-mute");
        await Expect(page.Locator("#sound-mute")).ToHaveTextAsync(new Regex("^Muted: sound again in [12]:[0-9]{2}$"));
        heard = (await TonesAsync(page)).Length;
        await page.Clock.RunForAsync(60_000);
        Assert.HasCount(heard, await TonesAsync(page), "muted");
        await page.Clock.RunForAsync(61_000);
        Assert.IsGreaterThan(heard, (await TonesAsync(page)).Length, "the mute ended after two minutes");
        await Expect(page.Locator("#sound-mute")).ToHaveTextAsync("Mute for 2 min");

        // A page opened from the saved session has had no click: it asks for one before it can sound.
        await page.ReloadAsync();
        await Expect(page.Locator("#sound-enable")).ToBeVisibleAsync();
        await page.ClickAsync("#sound-enable");
        await Expect(page.Locator("#sound-enable")).ToBeHiddenAsync();
        await Expect(page.Locator("#sound-mute")).ToBeVisibleAsync();
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    [TestMethod]
    public async Task TheBannersAreReadableAtEveryMomentAndALostConnectionTakesTheWholeScreenEdge()
    {
        await using var rx = await LoopbackReceiver.StartAsync("--escalate-after", "1");
        await rx.ProvisionAsync("fob-0001");
        await using var browser = await LaunchAsync();
        var (page, errors) = await LoggedInAsync(browser, rx);
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");
        rx.Send(Alert("fob-0001", 1, AlertCode.Panic));
        await Expect(page.Locator("#alarm")).ToBeVisibleAsync();
        await Expect(page.Locator("#escalated")).ToBeVisibleAsync(new() { Timeout = 15000 });

        // Every moment of the alarm's animation, and the escalation banner: WCAG AA (4.5:1) between text and background.
        foreach (string banner in new[] { "alarm", "escalated" })
        {
            string[] samples = await page.EvaluateAsync<string[]>("""
                id => {
                  const el = document.getElementById(id), out = [];
                  const animations = el.getAnimations();
                  for (let ms = 0; ms <= 1000; ms += 50) {
                    animations.forEach(a => { a.pause(); a.currentTime = ms; });
                    const s = getComputedStyle(el);
                    out.push(s.color + '|' + s.backgroundColor);
                  }
                  animations.forEach(a => a.play());
                  return out;
                }
                """, banner);
            foreach (string sample in samples)
            {
                string[] pair = sample.Split('|');
                double ratio = Contrast(pair[0], pair[1]);
                Assert.IsGreaterThanOrEqualTo(4.5, ratio, banner + " at one moment: " + sample + " is " + ratio.ToString("0.00", CultureInfo.InvariantCulture) + ":1");
            }
        }

        // The receiver goes away: the whole edge of the screen says so, with the time since the last event.
        await rx.App.StopAsync();
        var lost = page.Locator("#connection-lost");
        await Expect(lost).ToBeVisibleAsync(new() { Timeout = 15000 });
        await Expect(page.Locator("#connection-lost-text")).ToContainTextAsync(new Regex("CONNECTION LOST: last event [0-9]+:[0-9]{2} ago"));
        var frame = await lost.BoundingBoxAsync();
        var viewport = page.ViewportSize!;
        Assert.AreEqual((0f, 0f, (float)viewport.Width, (float)viewport.Height), (frame!.X, frame.Y, frame.Width, frame.Height), "the frame is the whole screen");
        Assert.AreEqual("10px", await lost.EvaluateAsync<string>("el => getComputedStyle(el).borderTopWidth"));
        string[] text = (await page.Locator("#connection-lost-text").EvaluateAsync<string>("el => getComputedStyle(el).color + '|' + getComputedStyle(el).backgroundColor")).Split('|');
        Assert.IsGreaterThanOrEqualTo(4.5, Contrast(text[0], text[1]));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "pd-connection-lost.png"), FullPage = true });
        Assert.IsTrue(errors.All(e => e.Contains("Failed to fetch", StringComparison.Ordinal)), string.Join("\n", errors));
    }

    // WCAG 2 contrast of two CSS rgb()/rgba() colours (an opaque background).
    private static double Contrast(string fg, string bg)
    {
        static double Luminance(string css)
        {
            double[] c = Regex.Matches(css, @"[0-9.]+").Take(3).Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture) / 255).ToArray();
            double L(double v) => v <= 0.03928 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4);
            return 0.2126 * L(c[0]) + 0.7152 * L(c[1]) + 0.0722 * L(c[2]);
        }
        double a = Luminance(fg), b = Luminance(bg);
        return (Math.Max(a, b) + 0.05) / (Math.Min(a, b) + 0.05);
    }
}
