using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace PanicDevice.Tests.Dashboard;

/// <summary>Issue 15, item 5, in Chromium: device health on screen, the silent and the low on battery as their own queue, filter and search.</summary>
public partial class DashboardBrowserTests
{
    private static Frame Heartbeat(string device, uint counter, byte flags, byte battery)
    {
        Frame f = Frame.Create(MessageKind.Heartbeat, device, counter, 0);
        f.TimeUtcSeconds = 1795000000;
        f.Flags = flags;
        f.BatteryPercent = battery;
        f.SignalDbm = -71;
        return f;
    }

    [TestMethod]
    public async Task TheDevicesViewQueuesTheSilentTheLowOnBatteryAndTheTamperedAndSearches()
    {
        var time = new FakeClock(DateTimeOffset.UtcNow);
        await using var rx = await LoopbackReceiver.StartAsync(time);
        foreach (string d in new[] { "fob-0001", "fob-0003" }) await rx.ProvisionAsync(d);
        foreach (var (id, kind, interval) in new[] { ("wall-0001", "wall", 3600), ("fob-0002", "fob", 60) })
        {
            var r = await rx.Api.SendAsync(rx.Request(HttpMethod.Post, "/api/devices", body: new
            {
                id, key = Convert.ToHexString(LoopbackReceiver.Key), kind, ownerName = id == "wall-0001" ? "Toko Sinar Jaya" : "Dewi", ownerPhone = "+6281234567800",
                address = id == "wall-0001" ? "Jl. Sabang 12" : "", lat = -6.18, lon = 106.82, heartbeatIntervalS = interval,
            }));
            Assert.AreEqual(System.Net.HttpStatusCode.Created, r.StatusCode, await r.Content.ReadAsStringAsync());
        }
        rx.Send(Heartbeat("wall-0001", 1, FrameFlags.Tamper, 100));          // enclosure opened, off mains
        rx.Send(Heartbeat("fob-0001", 1, FrameFlags.LowBattery, 15));        // battery low
        rx.Send(Heartbeat("fob-0003", 1, 0, 90));                            // all well
        time.Advance(TimeSpan.FromSeconds(60 + 60 + 31));                    // fob-0002 (every 60 s) never spoke: silent
        await Eventually.WaitFor(() => rx.Service<PanicDevice.Receiver.Supervision.SupervisionMonitor>().Open().Any(e => e.DeviceId == "fob-0002"),
            TimeSpan.FromSeconds(10), "supervision finds fob-0002 silent");

        await using var browser = await LaunchAsync();
        var (page, errors) = await LoggedInAsync(browser, rx);
        var rows = page.Locator("#devices tbody tr");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(page.Locator("#devices-attention")).ToHaveTextAsync("3 need attention");
        await Expect(page.Locator("#devices tr[data-device='fob-0002']")).ToContainTextAsync("SILENT");
        await Expect(page.Locator("#devices tr[data-device='fob-0001']")).ToContainTextAsync("battery low");
        var shop = page.Locator("#devices tr[data-device='wall-0001']");
        await Expect(shop).ToContainTextAsync("enclosure opened, mains lost");
        await Expect(shop).ToContainTextAsync("MAINS LOST");
        await Expect(shop).ToContainTextAsync("OPENED");
        await Expect(page.Locator("#devices tr[data-device='fob-0003']")).ToHaveCountAsync(0);

        await page.SelectOptionAsync("#devices-filter", "silent");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-device", "fob-0002");
        await page.SelectOptionAsync("#devices-filter", "all");
        await Expect(rows).ToHaveCountAsync(4);
        await page.FillAsync("#devices-search", "sinar");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-device", "wall-0001");
        await page.FillAsync("#devices-search", "0003");
        await Expect(rows.First).ToContainTextAsync("ok");
        await Expect(rows.First).ToContainTextAsync("90 %");
        await Expect(rows.First).ToContainTextAsync("-71 dBm");
        await page.FillAsync("#devices-search", "nobody");
        await Expect(page.Locator("#devices-empty")).ToHaveTextAsync("No device matches.");

        await page.FillAsync("#devices-search", "");
        await page.ClickAsync("#lang-id");
        await Expect(page.Locator("#devices-attention")).ToHaveTextAsync("3 perlu perhatian");
        await Expect(page.Locator("#devices tr[data-device='fob-0002']")).ToContainTextAsync("SENYAP");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "pd-devices-id.png"), FullPage = true });

        // An admin (here the operator token) revokes a device from the view, after a second click that names it.
        await page.ClickAsync("#lang-en");
        var revoke = page.Locator("#devices tr[data-device='fob-0002'] button[data-revoke]");
        await revoke.ClickAsync();
        await Expect(revoke).ToHaveTextAsync("Revoke fob-0002: its presses will be refused. Click to confirm");
        Assert.IsTrue(rx.Service<PanicDevice.Receiver.Registry.DeviceRegistry>().Find("fob-0002")!.Enabled, "one click revokes nothing");
        await revoke.ClickAsync();
        await page.SelectOptionAsync("#devices-filter", "all");
        await Expect(page.Locator("#devices tr[data-device='fob-0002']")).ToContainTextAsync("revoked");
        Assert.IsFalse(rx.Service<PanicDevice.Receiver.Registry.DeviceRegistry>().Find("fob-0002")!.Enabled);
        Assert.IsEmpty(errors, string.Join("\n", errors));
    }
}
