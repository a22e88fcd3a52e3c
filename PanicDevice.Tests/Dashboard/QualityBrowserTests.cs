using PanicDevice.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PanicDevice.Tests.Dashboard;

/// <summary>Issue 15, item 7, in Chromium: the supervisors' quality view and its CSV export.</summary>
public partial class DashboardBrowserTests
{
    [TestMethod]
    public async Task ASupervisorSeesEachOperatorsTimesAndDownloadsThemAsCsv()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await rx.ProvisionAsync("fob-0001");
        await using var browser = await LaunchAsync();
        var (page, errors) = await LoggedInAsync(browser, rx, operatorName: "dina");
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");
        rx.Send(SampleFrames.Alert("fob-0001", 1));
        await page.Locator("#alert-list .alert-row").First.ClickAsync();
        await page.ClickAsync("#act-acknowledge");
        await page.ClickAsync("#act-false-alarm");

        await page.ClickAsync("#quality-load");
        var row = page.Locator("#quality-operators tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row.Locator("td").First).ToHaveTextAsync("dina");
        await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("1");
        await Expect(row.Locator("td").Nth(7)).ToHaveTextAsync("1 (100 %)");
        await Expect(page.Locator("#quality-shifts tbody tr")).ToHaveCountAsync(1);

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#quality-csv"));
        Assert.AreEqual("panicdevice-quality.csv", download.SuggestedFilename);
        string csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        StringAssert.StartsWith(csv, "operator,acknowledged,");
        StringAssert.Contains(csv, "\r\ndina,1,");
        await page.ClickAsync("#lang-id");
        await Expect(page.Locator("#quality-panel h2")).ToHaveTextAsync("Mutu (supervisor)");
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }
}
