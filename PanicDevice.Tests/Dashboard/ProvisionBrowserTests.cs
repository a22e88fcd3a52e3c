using PanicDevice.Core.Config;
using PanicDevice.Receiver.Registry;
using PanicDevice.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PanicDevice.Tests.Dashboard;

/// <summary>Issue 15, item 6 (device management in the console), in Chromium: an admin provisions and re-keys a device.</summary>
public partial class DashboardBrowserTests
{
    [TestMethod]
    public async Task AnAdminProvisionsADeviceGetsItsKeyOnceAsAFlashableFileAndReKeysItWithASecondClick()
    {
        await using var rx = await LoopbackReceiver.StartAsync();
        await using var browser = await LaunchAsync();
        var (page, errors) = await LoggedInAsync(browser, rx);
        await Expect(page.Locator("#live")).ToHaveAttributeAsync("data-live", "on");
        await page.ClickAsync("#provision summary");
        await page.FillAsync("#pv-id", "fob-0090");
        await page.FillAsync("#pv-name", "Dewi Lestari");
        await page.FillAsync("#pv-phone", "+6281234567890");
        await page.FillAsync("#pv-guardians", "+6281200000001, +6281200000002");
        await page.SelectOptionAsync("#pv-language", "id");
        await page.FillAsync("#pv-broker", "alerts.example.org:8883");
        await page.ClickAsync("#provision-form button[type=submit]");

        // The key is made in the browser and shown once; the receiver holds the same one.
        await Expect(page.Locator("#new-key")).ToBeVisibleAsync();
        string shown = (await page.Locator("#new-key-hex").TextContentAsync())!;
        StringAssert.Matches(shown, new System.Text.RegularExpressions.Regex("^[0-9a-f]{64}$"));
        var registry = rx.Service<DeviceRegistry>();
        Assert.AreEqual(shown, Convert.ToHexString(registry.Find("fob-0090")!.Key.Reveal()).ToLowerInvariant());
        Assert.AreEqual("Dewi Lestari", registry.Find("fob-0090")!.OwnerName);

        // The downloaded device.json is one the device itself accepts.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#new-key-download"));
        Assert.AreEqual("fob-0090.json", download.SuggestedFilename);
        string json = await File.ReadAllTextAsync((await download.PathAsync())!);
        DeviceConfigResult config = DeviceConfigReader.Read(json);
        Assert.IsNull(config.Error, config.Error + "\n" + json);
        Assert.AreEqual("fob-0090", config.Config.DeviceId);
        Assert.AreEqual(shown, Convert.ToHexString(config.Config.Key).ToLowerInvariant());
        Assert.AreEqual("alerts.example.org", config.Config.BrokerHost);
        Assert.AreEqual(8883, config.Config.BrokerPort);
        Assert.AreEqual(2, config.Config.GuardianNumbers.Length);
        Assert.AreEqual("id", config.Config.Language);
        await page.ClickAsync("#new-key-done");
        await Expect(page.Locator("#new-key")).ToBeHiddenAsync();
        Assert.AreEqual("", await page.Locator("#new-key-hex").TextContentAsync(), "the key is gone from the page");

        // Re-key: the first click only asks; the second makes a new key, keeps the profile and records the change.
        await page.SelectOptionAsync("#devices-filter", "all");
        var rekey = page.Locator("#devices tr[data-device='fob-0090'] button[data-rekey]");
        await rekey.ClickAsync();
        await Expect(rekey).ToHaveTextAsync("Re-key fob-0090: refused until flashed with its new device.json. Click to confirm");
        Assert.AreEqual(shown, Convert.ToHexString(registry.Find("fob-0090")!.Key.Reveal()).ToLowerInvariant(), "one click changes nothing");
        await rekey.ClickAsync();
        await Expect(page.Locator("#new-key-text")).ToContainTextAsync("fob-0090 has a new key");
        string second = (await page.Locator("#new-key-hex").TextContentAsync())!;
        Assert.AreNotEqual(shown, second);
        Assert.AreEqual(second, Convert.ToHexString(registry.Find("fob-0090")!.Key.Reveal()).ToLowerInvariant());
        Assert.AreEqual("Dewi Lestari", registry.Find("fob-0090")!.OwnerName, "the profile stays");
        await Expect(page.Locator("#device-event-list")).ToContainTextAsync("fob-0090");
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }
}
