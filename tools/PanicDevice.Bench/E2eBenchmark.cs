using PanicDevice.Bench.Engines;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Protocol;
using PanicDevice.Host;
using PanicDevice.ModemEmulator;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Registry;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Bench;

/// <summary>
/// Press → signed ack latency through the real device Core and the real receiver (embedded broker,
/// SQLite FULL sync). "up": the MQTT session is already connected; "cold": every alert starts from a
/// closed connection (connect, subscribe, publish, ack) with the modem registered and GPRS up.
/// Transport "modem" (default): the SIM800 driver talking AT at 115200 baud to the emulator, which adds
/// the RTT to the TCP it bridges; "socket": a host socket with the RTT added by a delaying link.
/// With <c>screen</c>, an operator's dashboard is open in headless Chromium (Debian's, through Playwright) and each
/// press is also timed until its row is drawn in the alert list: press to screen.
/// </summary>
public static class E2eBenchmark
{
    public const string Chromium = "/usr/bin/chromium";

    public static async Task<int> RunAsync(int rttMs, bool sessionUp, int alerts, bool viaModem, bool screen = false)
    {
        string data = Path.Combine(Path.GetTempPath(), "pd-bench-" + Environment.ProcessId);
        int mqtt = LoopbackPorts.Free(), http = LoopbackPorts.Free();
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var receiver = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:" + http, "--mqtt-port", mqtt.ToString(), "--data", data, "--Logging:LogLevel:Default", "Warning",
            "--operator-token", token });
        byte[] key = RandomNumberGenerator.GetBytes(32);
        receiver.Services.GetRequiredService<DeviceRegistry>().Upsert(new DeviceRecord { Id = "bench-1", Key = new DeviceKey(key) });
        await receiver.StartAsync();
        var latencies = new List<double>();
        var drawn = new List<double>();
        Microsoft.Playwright.IPlaywright? playwright = null;
        Microsoft.Playwright.IBrowser? browser = null;
        Microsoft.Playwright.IPage? page = null;
        try
        {
            if (screen)
            {
                if (!File.Exists(Chromium))
                {
                    Console.Error.WriteLine("--screen needs Debian's chromium (apt-get install chromium)");
                    return 2;
                }
                playwright = await Microsoft.Playwright.Playwright.CreateAsync();
                browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = new[] { "--no-sandbox", "--disable-gpu" } });
                page = await browser.NewPageAsync();
                await page.GotoAsync("http://127.0.0.1:" + http + "/");
                await page.FillAsync("#token", token);
                await page.ClickAsync("#login-submit");
                await page.WaitForSelectorAsync("#live[data-live='on']", new() { Timeout = 30000 });
            }
            var config = new DeviceConfig { DeviceId = "bench-1", Key = key, BrokerHost = "127.0.0.1", BrokerPort = mqtt, SmsDeadlineS = 600, FollowUpIntervalS = 3600 };
            Sim800Emulator? modem = null;
            if (viaModem)
            {
                modem = new Sim800Emulator(new EmulatorFaults { RoundTripMs = rttMs, BaudRate = 115200 });
                modem.StartOn(0);
            }
            var device = new SimulatedDevice(config, _ => { }, new SimulatedDeviceOptions
            {
                ReconnectMinMs = 1, RoundTripMs = viaModem ? 0 : rttMs, Modem = modem, ConnectTimeoutMs = 90000,
            });
            if (!device.RunUntil(() => device.Session.IsConnected, TimeSpan.FromSeconds(120)))
            {
                Console.Error.WriteLine("the device did not connect: " + device.Session.LastError + " / modem: " + device.Driver?.LastError);
                return 1;
            }
            for (int i = 0; i < alerts; i++)
            {
                if (sessionUp)
                {
                    device.RunUntil(() => device.Session.IsConnected, TimeSpan.FromSeconds(30));
                }
                else
                {
                    device.Session.Disconnect(device.Now);
                    device.App.Engine.Poll(device.Now);
                }
                int acked = device.Feedback.Count(f => f == FeedbackEvent.Acknowledged);
                var sw = Stopwatch.StartNew();
                if (!sessionUp)
                {
                    device.Session.Reconnect(device.Now);
                }
                // The row appears in the operator's list: polled on every animation frame, from the bench's own clock.
                Task<double>? onScreen = page?.WaitForFunctionAsync("n => document.querySelectorAll('#alert-list .alert-row').length >= n", i + 1,
                    new() { Timeout = 60000, PollingInterval = null }).ContinueWith(_ => sw.Elapsed.TotalMilliseconds, TaskScheduler.Default);
                device.App.Engine.RaiseAlert(AlertCode.Test, device.Now);
                if (!device.RunUntil(() => device.Feedback.Count(f => f == FeedbackEvent.Acknowledged) > acked, TimeSpan.FromSeconds(60)))
                {
                    Console.Error.WriteLine("alert " + i + " was not acknowledged within 60 s: " + device.Session.LastError);
                    return 1;
                }
                latencies.Add(sw.Elapsed.TotalMilliseconds);
                if (onScreen != null)
                {
                    drawn.Add(await onScreen);
                }
                if (modem != null && Environment.GetEnvironmentVariable("PD_BENCH_TRACE") == "1")
                {
                    long t0 = device.Now - (long)sw.Elapsed.TotalMilliseconds;
                    for (int c = 0; c < modem.Commands.Count; c++)
                        if (modem.CommandTimes[c] >= t0) Console.WriteLine("  +" + (modem.CommandTimes[c] - t0) + " ms " + modem.Commands[c]);
                }
                device.App.Engine.Cancel(false, device.Now); // close the alert so the next press is a new one
                device.RunUntil(() => device.App.Engine.PendingCount == 0, TimeSpan.FromSeconds(30));
                device.RunFor(2 * rttMs + 100); // let the cancel's PUBACKs drain: presses are seconds apart, not back to back
            }
        }
        finally
        {
            if (browser != null) await browser.CloseAsync();
            playwright?.Dispose();
            await receiver.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        Console.WriteLine("rtt_ms=" + rttMs + " session=" + (sessionUp ? "up" : "cold") + " transport=" + (viaModem ? "sim800-emulator@115200" : "socket+delay"));
        Console.WriteLine($"p50_ms={P(0.50):F1} p95_ms={P(0.95):F1} p99_ms={P(0.99):F1} alerts={latencies.Count}");
        if (drawn.Count > 0)
        {
            drawn.Sort();
            double S(double q) => drawn[Math.Min(drawn.Count - 1, (int)Math.Ceiling(q * drawn.Count) - 1)];
            Console.WriteLine($"screen_p50_ms={S(0.50):F1} screen_p95_ms={S(0.95):F1} screen_max_ms={drawn[^1]:F1} drawn={drawn.Count}");
        }
        return 0;
    }
}
