using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PanicDevice.Tests.Dashboard;

/// <summary>Issue 15, item 1, in Chromium: an alert shows who and where first, phones as call-back links, and an operator edits the profile.</summary>
public partial class DashboardBrowserTests
{
    [TestMethod]
    public async Task AnAlertShowsWhoAndWhereFirstWithCallBackLinksAndAnOperatorEditsTheProfile()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await rx.ProvisionAsync("fob-0001");
        var wall = await rx.Api.SendAsync(rx.Request(HttpMethod.Post, "/api/devices", body: new
        {
            id = "wall-0001", key = Convert.ToHexString(LoopbackReceiver.Key), kind = "wall", ownerName = "Apotek Sehat", ownerPhone = "+62215550101",
            guardians = new[] { "+6281200000001" }, address = "Jl. Cikini Raya 12, Menteng", lat = -6.19, lon = 106.84,
            notes = "Back door code 4411.\nOwner: Pak Budi.",
        }));
        Assert.AreEqual(System.Net.HttpStatusCode.Created, wall.StatusCode, await wall.Content.ReadAsStringAsync());
        await using var browser = await LaunchAsync();
        var (page, errors) = await LoggedInAsync(browser, rx, operatorName: "dina");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");

        Frame holdUp = SampleFrames.Alert("wall-0001", 1);
        holdUp.Code = (byte)AlertCode.HoldUp;
        rx.Send(holdUp);
        rx.Send(SampleFrames.Alert("fob-0001", 1));
        var shop = page.Locator("#alert-list .alert-row").Filter(new() { HasText = "wall-0001" });
        await Expect(shop.Locator(".row-who")).ToHaveTextAsync("Apotek Sehat — Jl. Cikini Raya 12, Menteng", new() { Timeout = 15000 });
        await Expect(page.Locator("#alert-list .alert-row").Filter(new() { HasText = "fob-0001" }).Locator(".row-who")).ToHaveTextAsync("Siti");

        await shop.ClickAsync();
        await Expect(page.Locator("#who-name")).ToHaveTextAsync("Apotek Sehat");
        await Expect(page.Locator("#who-kind")).ToHaveTextAsync("wall unit");
        await Expect(page.Locator("#who-phone a")).ToHaveAttributeAsync("href", "tel:+62215550101");
        await Expect(page.Locator("#who-guardians a")).ToHaveAttributeAsync("href", "tel:+6281200000001");
        await Expect(page.Locator("#who-address")).ToHaveTextAsync("Jl. Cikini Raya 12, Menteng");
        await Expect(page.Locator("#who-notes")).ToHaveTextAsync("Back door code 4411.\nOwner: Pak Budi.");

        // The operator corrects the name and adds a guardian; every alert of the device shows it.
        await page.ClickAsync("#who-edit summary");
        await page.FillAsync("#pf-name", "Apotek Sehat Cikini");
        await page.FillAsync("#pf-guardians", "+6281200000001, +6281200000002");
        await page.ClickAsync("#pf-save");
        await Expect(page.Locator("#who-name")).ToHaveTextAsync("Apotek Sehat Cikini");
        await Expect(page.Locator("#who-guardians a")).ToHaveCountAsync(2);
        await Expect(shop.Locator(".row-who")).ToHaveTextAsync("Apotek Sehat Cikini — Jl. Cikini Raya 12, Menteng");
        await Expect(page.Locator("#device-event-list")).ToContainTextAsync("profile changed");

        // A wrong number is refused with the reason, and nothing changes.
        await page.ClickAsync("#who-edit summary");
        await page.FillAsync("#pf-phone", "call the shop");
        await page.ClickAsync("#pf-save");
        await Expect(page.Locator("#profile-error")).ToContainTextAsync("ownerPhone must be a phone number");
        await Expect(page.Locator("#who-phone a")).ToHaveAttributeAsync("href", "tel:+62215550101");

        await page.ClickAsync("#lang-id");
        await Expect(page.Locator("#who-kind")).ToHaveTextAsync("tombol dinding");
        await Expect(page.Locator("#who dt").First).ToHaveTextAsync("Telepon");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "pd-profile-id.png"), FullPage = true });
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }
}
