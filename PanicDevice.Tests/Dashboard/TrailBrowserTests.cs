using System.Net.Http.Json;
using System.Text.Json;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PanicDevice.Tests.Dashboard;

/// <summary>Issue 15, item 4 (in part), in Chromium: an alert's trail of positions on the map, and labels that never overlap.</summary>
public partial class DashboardBrowserTests
{
    private static Frame FollowUp(string device, uint counter, double lat, double lon, ushort accuracy)
    {
        Frame f = SampleFrames.Alert(device, counter);
        f.Kind = MessageKind.Update;
        f.LatitudeE7 = (int)Math.Round(lat * 1e7);
        f.LongitudeE7 = (int)Math.Round(lon * 1e7);
        f.AccuracyM = accuracy;
        return f;
    }

    private static void AssertNoLabelsOverlap(int[][] boxes)
    {
        for (int i = 0; i < boxes.Length; i++)
        {
            for (int j = i + 1; j < boxes.Length; j++)
            {
                int[] a = boxes[i], b = boxes[j];
                bool overlap = a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
                Assert.IsFalse(overlap, "labels " + string.Join(",", a) + " and " + string.Join(",", b) + " overlap");
            }
        }
    }

    [TestMethod]
    public async Task SixAlertsInOnePlaceHaveLabelsThatDoNotOverlapAndAMovingPersonLeavesATrail()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        for (int i = 1; i <= 6; i++) await rx.ProvisionAsync("fob-000" + i);
        await using var browser = await LaunchAsync();
        var (page, errors) = await LoggedInAsync(browser, rx);
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");
        for (int i = 1; i <= 6; i++) rx.Send(SampleFrames.Alert("fob-000" + i, 1)); // a crowd: the same fix for all six
        await Expect(page.Locator("#alert-list .alert-row")).ToHaveCountAsync(6);
        await Expect(page.Locator("#map")).ToHaveAttributeAsync("data-labels", new System.Text.RegularExpressions.Regex(@"^\[(\[[-0-9,]+\],?){6}\]$"));
        AssertNoLabelsOverlap(JsonSerializer.Deserialize<int[][]>((await page.Locator("#map").GetAttributeAsync("data-labels"))!)!);

        // fob-0001 walks away: two follow-ups, each a point of its trail.
        rx.Send(FollowUp("fob-0001", 2, -6.1760, 106.8280, 15));
        rx.Send(FollowUp("fob-0001", 3, -6.1770, 106.8290, 30));
        await page.Locator("#alert-list .alert-row").Filter(new() { HasText = "fob-0001" }).ClickAsync();
        await Expect(page.Locator("#map")).ToHaveAttributeAsync("data-trail", "3");
        await Expect(page.Locator("#map")).ToHaveAttributeAsync("data-labels", new System.Text.RegularExpressions.Regex(@"^\[(\[[-0-9,]+\],?){8}\]$")); // six ids, two ages
        AssertNoLabelsOverlap(JsonSerializer.Deserialize<int[][]>((await page.Locator("#map").GetAttributeAsync("data-labels"))!)!);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "pd-trail.png"), FullPage = true });

        JsonElement alert = (await (await rx.Api.SendAsync(rx.Request(HttpMethod.Get, "/api/alerts"))).Content.ReadFromJsonAsync<JsonElement>())
            .EnumerateArray().Single(a => a.GetProperty("deviceId").GetString() == "fob-0001");
        double[][] trail = alert.GetProperty("trail").EnumerateArray().Select(p => new[] { p.GetProperty("lat").GetDouble(), p.GetProperty("lon").GetDouble() }).ToArray();
        CollectionAssert.AreEqual(new[] { -6.1753924, -6.176, -6.177 }, trail.Select(p => Math.Round(p[0], 7)).ToArray(), "oldest first");
        Assert.AreEqual(30, alert.GetProperty("trail")[2].GetProperty("accuracyM").GetInt32());
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }
}
