using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PanicDevice.Tests.Dashboard;

/// <summary>Issue 16, item 5, in Chromium: a guardian's live page from the link in the SMS, and every way a link stops working.</summary>
public partial class DashboardBrowserTests
{
    private const string Person = "fob-0051";

    private static string GuardianPath(uint counter, string? token = null) =>
        "/g/" + Person + "/" + counter + "#" + (token ?? GuardianLink.Token(LoopbackReceiver.Key, Person, counter));

    private static async Task<Microsoft.Playwright.IPage> GuardianPageAsync(Microsoft.Playwright.IBrowser browser, LoopbackReceiver rx, string path, List<string> errors)
    {
        var page = await browser.NewPageAsync(new() { Locale = "en-US" });
        page.PageError += (_, e) => errors.Add(e);
        await page.AddInitScriptAsync("window.PD_GUARDIAN_POLL_MS = 300;"); // the page's 5 s poll, quicker for the test
        await page.GotoAsync(rx.Url + path);
        return page;
    }

    private static async Task ProvisionPersonAsync(LoopbackReceiver rx, string language = "en")
    {
        var r = await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/devices", body: new
        {
            id = Person, key = Convert.ToHexString(LoopbackReceiver.Key), kind = "fob", ownerName = "Siti Rahma", ownerPhone = "+6281234567890",
            guardians = new[] { "+6281200000001" }, notes = "asthma; key under the mat", language,
        }));
        Assert.AreEqual(HttpStatusCode.Created, r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private static async Task<long> AlertIdAsync(LoopbackReceiver rx) =>
        (await (await rx.Api.GetAsync("/api/alerts")).Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()
            .Single(a => a.GetProperty("deviceId").GetString() == Person).GetProperty("id").GetInt64();

    [TestMethod]
    public async Task AGuardiansLinkShowsHowFarHelpHasGotAndTheTrailAndFollowsWithoutAReload()
    {
        await using var rx = await LoopbackReceiver.StartAsync("--public-url", "https://help.example.org");
        await ProvisionPersonAsync(rx);
        await using var browser = await LaunchAsync();
        var errors = new List<string>();

        // The press went by SMS while the data path was down: the link is genuine, its alert is not at the receiver yet.
        var page = await GuardianPageAsync(browser, rx, GuardianPath(5), errors);
        await Expect(page.Locator("#stages li.current")).ToHaveAttributeAsync("data-stage", "waiting");
        rx.Send(SampleFrames.Alert(Person, 5));
        await Expect(page.Locator("#stages li.current")).ToHaveAttributeAsync("data-stage", "received");
        await Expect(page.Locator("#title")).ToHaveTextAsync("Panic alert");
        await Expect(page.Locator("#position")).ToContainTextAsync("-6.175392, 106.827153");

        // The person moves; an operator takes it; a responder is sent: all without a reload.
        rx.Send(FollowUp(Person, 6, -6.1760, 106.8280, 15));
        await Expect(page.Locator("#trail li")).ToHaveCountAsync(2);
        long id = await AlertIdAsync(rx);
        (await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/alerts/" + id + "/acknowledge", body: new { @operator = "dina" }))).EnsureSuccessStatusCode();
        await Expect(page.Locator("#stages li.current")).ToHaveAttributeAsync("data-stage", "operator");
        (await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/alerts/" + id + "/assign", body: new { @operator = "dina", responder = "unit-7" }))).EnsureSuccessStatusCode();
        await Expect(page.Locator("#stages li.current")).ToHaveAttributeAsync("data-stage", "responder");
        await Expect(page.Locator("#stages li[data-stage=waiting]")).ToBeHiddenAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "pd-guardian-en.png"), FullPage = true });

        // Nothing but the emergency: no name, phone, guardian, notes or other alert on the page or in what it loads.
        string text = await page.Locator("body").InnerTextAsync();
        foreach (string secret in new[] { "Siti", "+62812", "asthma", "mat", "dina", "unit-7" })
        {
            StringAssert.DoesNotMatch(text, new System.Text.RegularExpressions.Regex(System.Text.RegularExpressions.Regex.Escape(secret)), secret + " is on the guardian page");
        }
        var api = await rx.Http.PostAsJsonAsync("/api/guardian", new { device = Person, counter = 5, token = GuardianLink.Token(LoopbackReceiver.Key, Person, 5) });
        string json = await api.Content.ReadAsStringAsync();
        foreach (string secret in new[] { "Siti", "+62812", "asthma", "dina", "unit-7", "timeline", "who" })
        {
            Assert.IsFalse(json.Contains(secret, StringComparison.Ordinal), secret + " in " + json);
        }
        Assert.AreEqual("no-store", api.Headers.CacheControl?.ToString());

        // The operators' own copy of the link is the device's: the same token for the same press.
        var link = await (await rx.Api.GetAsync("/api/alerts/" + id + "/guardian-link")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.AreEqual("https://help.example.org" + GuardianPath(5), link.GetProperty("url").GetString(), "the press that opened it (a follow-up is no press)");

        // Closed: shown as closed while the link lives.
        (await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/alerts/" + id + "/resolve", body: new { @operator = "dina" }))).EnsureSuccessStatusCode();
        await Expect(page.Locator("#stages li.current")).ToHaveTextAsync("Closed: resolved");
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    [TestMethod]
    public async Task AGuessedAWithdrawnAndAnExpiredLinkShowNothing()
    {
        var time = new FakeClock(DateTimeOffset.UtcNow);
        await using var rx = await LoopbackReceiver.StartAsync(time, "--guardian-link-hours", "2");
        await ProvisionPersonAsync(rx, language: "id");
        rx.Send(SampleFrames.Alert(Person, 5));
        await using var browser = await LaunchAsync();
        var errors = new List<string>();

        // A guessed token: the same answer as a device that does not exist, and no alert data.
        string guessed = GuardianLink.Token(SampleFrames.Key(0x77), Person, 5);
        var page = await GuardianPageAsync(browser, rx, GuardianPath(5, guessed), errors);
        await Expect(page.Locator("#message")).ToHaveTextAsync("This link is not valid."); // no language: nothing about the device was given
        await Expect(page.Locator("#live")).ToBeHiddenAsync();

        // Genuine and in Indonesian (the device's language); then an operator withdraws it while it is open.
        var live = await GuardianPageAsync(browser, rx, GuardianPath(5), errors);
        await Expect(live.Locator("#stages li.current")).ToHaveTextAsync("Diterima pusat komando");
        long id = await AlertIdAsync(rx);
        var revoked = await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/alerts/" + id + "/guardian-link/revoke"));
        Assert.AreEqual(HttpStatusCode.OK, revoked.StatusCode);
        StringAssert.Contains(await revoked.Content.ReadAsStringAsync(), "guardian-link-revoked");
        await Expect(live.Locator("#message")).ToHaveTextAsync("Pusat komando telah mencabut tautan ini.");
        await Expect(live.Locator("#live")).ToBeHiddenAsync();
        await live.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "pd-guardian-withdrawn-id.png"), FullPage = true });

        // Another emergency, resolved: its link works for two hours after, then not.
        rx.Send(SampleFrames.Alert(Person, 20));
        long second = (await (await rx.Api.GetAsync("/api/alerts")).Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()
            .Where(a => a.GetProperty("deviceId").GetString() == Person).Max(a => a.GetProperty("id").GetInt64());
        (await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/alerts/" + second + "/resolve", body: new { @operator = "dina" }))).EnsureSuccessStatusCode();
        time.Advance(TimeSpan.FromMinutes(119));
        Assert.AreEqual(HttpStatusCode.OK, (await rx.Http.PostAsJsonAsync("/api/guardian", new { device = Person, counter = 20, token = GuardianLink.Token(LoopbackReceiver.Key, Person, 20) })).StatusCode);
        time.Advance(TimeSpan.FromMinutes(2));
        var expired = await GuardianPageAsync(browser, rx, GuardianPath(20), errors);
        await Expect(expired.Locator("#message")).ToHaveTextAsync("Tautan ini sudah kedaluwarsa: tanda bahaya sudah ditutup.");
        await expired.ClickAsync("#lang");
        await Expect(expired.Locator("#message")).ToHaveTextAsync("This link has expired: the alert was closed.");
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    [TestMethod]
    public async Task TriedTokensAreCutOffAfterTenAndTheTokenNeverTravelsInAUrl()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await ProvisionPersonAsync(rx);
        rx.Send(SampleFrames.Alert(Person, 5));
        for (int i = 0; i < 10; i++)
        {
            var bad = await rx.Http.PostAsJsonAsync("/api/guardian", new { device = Person, counter = 5, token = "aaaaaaaaaaaaaaa" + (char)('a' + i) });
            Assert.AreEqual(HttpStatusCode.NotFound, bad.StatusCode);
        }
        var good = await rx.Http.PostAsJsonAsync("/api/guardian", new { device = Person, counter = 5, token = GuardianLink.Token(LoopbackReceiver.Key, Person, 5) });
        Assert.AreEqual(HttpStatusCode.TooManyRequests, good.StatusCode, "this address tried too many links");

        // The page itself is the same for every link and carries nothing: the token is in the fragment, which browsers never send.
        var html = await rx.Http.GetAsync("/g/" + Person + "/5");
        Assert.AreEqual(HttpStatusCode.OK, html.StatusCode);
        Assert.AreEqual("no-referrer", html.Headers.GetValues("Referrer-Policy").Single());
        StringAssert.Contains(GuardianLink.Link("https://help.example.org", LoopbackReceiver.Key, Person, 5), "/g/" + Person + "/5#");
    }
}
