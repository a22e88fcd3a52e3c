using System.Net.Http.Json;
using PanicDevice.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PanicDevice.Tests.Dashboard;

/// <summary>Issue 15, item 6, in Chromium: an operator logs in with their own account; the page shows who, hides what the role may not see, and the timeline names them.</summary>
public partial class DashboardBrowserTests
{
    [TestMethod]
    public async Task AnOperatorLogsInWithTheirAccountAndTheTimelineNamesThem()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        var made = await rx.Api.PostAsJsonAsync("/api/accounts", new { name = "dina", role = "operator", password = "correct horse battery staple" });
        Assert.AreEqual(System.Net.HttpStatusCode.Created, made.StatusCode, await made.Content.ReadAsStringAsync());
        await rx.ProvisionAsync("fob-0001");
        await using var browser = await LaunchAsync();
        var page = await browser.NewPageAsync(new() { Locale = "en-US" });
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(rx.Url);

        await page.FillAsync("#operator-name", "dina");
        await page.FillAsync("#password", "wrong password here");
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#login-error")).ToHaveTextAsync("Wrong name or password.");
        await page.FillAsync("#password", "correct horse battery staple");
        await page.ClickAsync("#login-submit");
        await Expect(page.Locator("#who-am-i")).ToHaveTextAsync("dina · operator");
        await Expect(page.Locator("#quality-panel")).ToBeHiddenAsync(); // supervisors' only
        await page.SelectOptionAsync("#devices-filter", "all");
        await Expect(page.Locator("#devices tr[data-device='fob-0001']")).ToBeVisibleAsync();
        await Expect(page.Locator("#devices button[data-revoke]")).ToHaveCountAsync(0); // admins' only
        Assert.IsFalse((await page.EvaluateAsync<string>("JSON.stringify(sessionStorage)")).Contains("correct horse", StringComparison.Ordinal), "the password is not kept");

        rx.Send(SampleFrames.Alert("fob-0001", 1));
        await page.Locator("#alert-list .alert-row").First.ClickAsync();
        await page.ClickAsync("#act-acknowledge");
        await Expect(page.Locator("#timeline li[data-event='acknowledge']")).ToContainTextAsync("by dina");
        await page.ClickAsync("#logout");
        await Expect(page.Locator("#login-view")).ToBeVisibleAsync();
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }
}
