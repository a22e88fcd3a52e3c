using System.Net;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PanicDevice.Tests.Dashboard;

/// <summary>
/// Issue 15, the screenshots of docs/dashboard.md: each scene set up from real frames and taken in English and Indonesian.
/// They go to a temporary folder; `PD_SCREENSHOT_DIR=$PWD/docs/images` puts them in the docs.
/// </summary>
public partial class DashboardBrowserTests
{
    private static async Task ProvisionAsync(LoopbackReceiver rx, object body)
    {
        var r = await rx.Http.SendAsync(rx.Request(HttpMethod.Post, "/api/devices", body: body));
        Assert.AreEqual(HttpStatusCode.Created, r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task TheDocumentedScenesInBothLanguages()
    {
        string dir = Environment.GetEnvironmentVariable("PD_SCREENSHOT_DIR") is { Length: > 0 } d ? d : Path.Combine(Path.GetTempPath(), "pd-scenes");
        Directory.CreateDirectory(dir);
        await using var rx = await LoopbackReceiver.StartAsync("--incident-window", "600");
        string key = Convert.ToHexString(LoopbackReceiver.Key);
        await ProvisionAsync(rx, new { id = "fob-0101", key, kind = "fob", ownerName = "Siti Rahma", ownerPhone = "+6281234567890",
            guardians = new[] { "+6281200000001", "+6281200000002" }, notes = "Asthma: inhaler in the left pocket. Lives alone.", language = "id" });
        await ProvisionAsync(rx, new { id = "fob-0102", key, kind = "fob", ownerName = "Ayu Pratiwi", ownerPhone = "+6281234567891",
            guardians = new[] { "+6281200000003" }, language = "id" });
        await ProvisionAsync(rx, new { id = "wall-0103", key, kind = "wall", ownerName = "Toko Emas Sinar", ownerPhone = "+62215550103",
            address = "Jl. Sabang 12, Menteng, Jakarta Pusat", lat = -6.1863, lon = 106.8237, notes = "Back door via the alley; the manager has the safe key.", language = "id" });
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { Locale = "en-US", ViewportSize = new() { Width = 1400, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(rx.Url);
        await page.FillAsync("#token", LoopbackReceiver.OperatorToken);
        await page.FillAsync("#operator-name", "dina");
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");

        // Siti's panic; Ayu's panic, her walk, then a duress "cancel"; the jeweller's hold-up at its address.
        rx.Send(SampleFrames.Alert("fob-0101", 1));
        rx.Send(SampleFrames.Alert("fob-0102", 1));
        rx.Send(FollowUp("fob-0102", 2, -6.1760, 106.8280, 15));
        rx.Send(FollowUp("fob-0102", 3, -6.1768, 106.8291, 25));
        rx.Send(LoopbackReceiver.DuressCancel("fob-0102", 4));
        Frame holdUp = SampleFrames.Alert("wall-0103", 1);
        holdUp.Code = (byte)AlertCode.HoldUp;
        holdUp.Source = LocationSource.FixedAddress;
        holdUp.LatitudeE7 = -61863000;
        holdUp.LongitudeE7 = 1068237000;
        holdUp.AccuracyM = 10;
        rx.Send(holdUp);
        await Expect(page.Locator("#alert-list .alert-row")).ToHaveCountAsync(3);

        var taken = new List<string>();
        async Task Shoot(string name, Microsoft.Playwright.ILocator? part = null)
        {
            foreach (string lang in new[] { "en", "id" })
            {
                await page.ClickAsync("#lang-" + lang);
                await Expect(page.Locator("h2[data-i18n='alerts']")).ToHaveTextAsync(lang == "id" ? "Peringatan" : "Alerts");
                string path = Path.Combine(dir, name + "-" + lang + ".png");
                if (part != null) await part.ScreenshotAsync(new() { Path = path });
                else await page.ScreenshotAsync(new() { Path = path, FullPage = true });
                Assert.IsGreaterThan(10_000L, new FileInfo(path).Length, path);
                taken.Add(path);
            }
        }

        await page.Locator("#alert-list .alert-row").Filter(new() { HasText = "Siti Rahma" }).ClickAsync();
        await Expect(page.Locator("#who-name")).ToHaveTextAsync("Siti Rahma");
        await Expect(page.Locator("#who-phone a")).ToHaveAttributeAsync("href", "tel:+6281234567890");
        await page.ClickAsync("#act-acknowledge");
        await Expect(page.Locator("#timeline li[data-event='acknowledge']")).ToContainTextAsync("by dina");
        await Shoot("dashboard-panic-profile");
        // Item 8: the receiver's words in a timeline entry read in the console's language (the shots end in Indonesian).
        await Expect(page.Locator("#timeline li[data-event='acknowledge']")).ToContainTextAsync("oleh dina");
        await Expect(page.Locator("#timeline li").First).ToContainTextAsync("(GNSS)");

        await page.Locator("#alert-list .alert-row").Filter(new() { HasText = "Ayu Pratiwi" }).ClickAsync();
        await Expect(page.Locator("#detail-duress")).ToBeVisibleAsync();
        await Expect(page.Locator("#map")).ToHaveAttributeAsync("data-trail", "3");
        await Shoot("dashboard-duress-trail");

        await page.Locator("#alert-list .alert-row").Filter(new() { HasText = "Toko Emas Sinar" }).ClickAsync();
        await Expect(page.Locator("#who")).ToContainTextAsync("Jl. Sabang 12, Menteng, Jakarta Pusat");
        await Shoot("dashboard-holdup-address");

        await page.SelectOptionAsync("#devices-filter", "all");
        await Expect(page.Locator("#devices tbody tr")).ToHaveCountAsync(3);
        await Shoot("dashboard-devices", page.Locator("#devices-panel"));

        await rx.App.StopAsync();
        await Expect(page.Locator("#connection-lost")).ToBeVisibleAsync(new() { Timeout = 15000 });
        await Shoot("dashboard-connection-lost");
        Console.WriteLine("scenes: " + string.Join(", ", taken));
        Assert.IsTrue(errors.All(e => e.Contains("Failed to fetch", StringComparison.Ordinal)), string.Join("\n", errors));
    }
}
