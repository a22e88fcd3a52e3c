using PanicDevice.Bench.Engines;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using PanicDevice.Cli;
using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Tests.Security;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Receiver;

/// <summary>
/// Issue 14, item 9: the receiver's log says when a device comes and goes and every alert (id, device, kind, path), not
/// request lines; the device list shows what each device last said; `alerts tail` survives a receiver restart.
/// </summary>
[TestClass]
public class ReceiverLogTests
{
    private const string Token = "operator-token-for-receiver-log";
    private static readonly byte[] Key = SampleFrames.RandomKey(0x3C);

    private sealed class Rx : IAsyncDisposable
    {
        public WebApplication App = null!;
        public HttpClient Api = null!;
        public string Url = "";
        public int MqttPort;
        public CapturingLoggerProvider Logs = new();

        public static async Task<Rx> StartAsync(string data, int httpPort, int mqttPort, params string[] extra)
        {
            var r = new Rx { MqttPort = mqttPort };
            r.App = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:" + httpPort, "--mqtt-port", mqttPort.ToString(), "--data", data, "--operator-token", Token,
                "--Logging:Console:LogLevel:Default", "None" }.Concat(extra).ToArray());
            r.App.Services.GetRequiredService<ILoggerFactory>().AddProvider(r.Logs);
            await r.App.StartAsync();
            r.Url = r.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            r.Api = new HttpClient { BaseAddress = new Uri(r.Url) };
            r.Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            return r;
        }

        public async ValueTask DisposeAsync()
        {
            Api.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    [TestMethod]
    public async Task DevicesComingAndGoingAndEveryAlertAreLoggedAndRequestsAreNot()
    {
        string data = Directory.CreateTempSubdirectory("pd-rxlog-").FullName;
        try
        {
            await using var rx = await Rx.StartAsync(data, LoopbackPorts.Free(), LoopbackPorts.Free());
            var r = await rx.Api.PostAsJsonAsync("/api/devices", new { id = "fob-0007", key = Convert.ToHexString(Key), kind = "fob", ownerName = "Siti", ownerPhone = "+6281234567890" });
            Assert.AreEqual(System.Net.HttpStatusCode.Created, r.StatusCode);
            for (int i = 0; i < 5; i++) await rx.Api.GetAsync("/api/alerts");

            var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", rx.MqttPort).WithClientId("fob-0007")
                .WithCredentials("fob-0007", DeviceCredentials.MqttPassword(Key)).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).Build());
            Frame alert = SampleFrames.Alert("fob-0007", 1);
            await client.PublishBinaryAsync(Topics.Uplink("fob-0007"), FrameCodec.Encode(alert, Key), MqttQualityOfServiceLevel.AtLeastOnce);
            await client.DisconnectAsync();

            // The alert line is written after the commit on the after-store queue, so it may follow the offline line.
            string[] lines = Array.Empty<string>();
            Assert.IsTrue(await Eventually.Within(() => (lines = rx.Logs.Lines.ToArray()).Any(l => l.Contains("Device fob-0007 offline")) && lines.Any(l => l.Contains("Alert panic from fob-0007")),
                TimeSpan.FromSeconds(10)), string.Join("\n", rx.Logs.Lines));
            string Line(string part) => lines.FirstOrDefault(l => l.Contains(part)) ?? throw new AssertFailedException("no log line with \"" + part + "\":\n" + string.Join("\n", lines));
            StringAssert.StartsWith(Line("Device fob-0007 online from 127.0.0.1"), "Information");
            StringAssert.StartsWith(Line("Device fob-0007 offline (disconnected)"), "Information");
            string alertLine = Line("Alert panic from fob-0007 (counter 1) via mqtt: alert ");
            StringAssert.StartsWith(alertLine, "Information");
            long alertId = (await rx.Api.GetFromJsonAsync<JsonElement>("/api/alerts"))[0].GetProperty("id").GetInt64();
            StringAssert.Contains(alertLine, "via mqtt: alert " + alertId);
            Assert.IsFalse(lines.Any(l => l.Contains("Microsoft.AspNetCore.Hosting.Diagnostics")), "no request lines by default");
            Assert.IsFalse(lines.Any(l => l.Contains("readable by other users")), "a new data folder is owner-only from the start");
            Assert.IsFalse(lines.Any(l => l.Contains(Convert.ToHexString(Key), StringComparison.OrdinalIgnoreCase)), "no key in the log");

            // The device list shows what it last said.
            var device = (await rx.Api.GetFromJsonAsync<JsonElement>("/api/devices"))[0];
            Assert.AreEqual("mqtt", device.GetProperty("lastPath").GetString());
            Assert.AreEqual(alert.BatteryPercent, device.GetProperty("batteryPercent").GetInt32());
            Assert.AreEqual(alert.SignalDbm, device.GetProperty("signalDbm").GetInt32());
            Assert.IsTrue(DateTime.Parse(device.GetProperty("lastSeenUtc").GetString()!).ToUniversalTime() > DateTime.UtcNow.AddMinutes(-1));
            var output = new StringWriter();
            Assert.AreEqual(0, await DevicesCommands.ListAsync(new ReceiverApi(rx.Url, Token), output));
            StringAssert.Contains(output.ToString(), "last seen (UTC)");
            StringAssert.Contains(output.ToString(), alert.BatteryPercent + " %");
            StringAssert.Contains(output.ToString(), alert.SignalDbm + " dBm");
            StringAssert.Contains(output.ToString(), " mqtt ");
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }

    [TestMethod]
    public async Task RequestLinesAppearOnlyWhenAskedFor()
    {
        string data = Directory.CreateTempSubdirectory("pd-rxlog-").FullName;
        try
        {
            await using var rx = await Rx.StartAsync(data, LoopbackPorts.Free(), 0, "--request-log", "true");
            await rx.Api.GetAsync("/api/alerts");
            Assert.IsTrue(await Eventually.Within(() => rx.Logs.Lines.Any(l => l.Contains("Microsoft.AspNetCore.Hosting.Diagnostics") && l.Contains("/api/alerts")), TimeSpan.FromSeconds(10)), string.Join("\n", rx.Logs.Lines));
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }

    [TestMethod]
    public async Task AlertsTailFollowsTheReceiverThroughARestart()
    {
        string data = Directory.CreateTempSubdirectory("pd-rxlog-").FullName;
        int http = LoopbackPorts.Free();
        try
        {
            var rx = await Rx.StartAsync(data, http, 0);
            Assert.AreEqual(System.Net.HttpStatusCode.Created, (await rx.Api.PostAsJsonAsync("/api/devices", new { id = "fob-0008", key = Convert.ToHexString(Key), kind = "fob" })).StatusCode);
            var output = new SynchronizedStringWriter();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            Task<int> tail = AlertsTailCommand.RunAsync(new ReceiverApi(rx.Url, Token), output, 1, null, TimeSpan.FromMilliseconds(100), stop.Token);
            Assert.IsTrue(await Eventually.Within(() => output.ToString().Contains("following alerts"), TimeSpan.FromSeconds(10)), output.ToString());
            await rx.DisposeAsync();
            Assert.IsTrue(await Eventually.Within(() => output.ToString().Contains("receiver unreachable"), TimeSpan.FromSeconds(10)), output.ToString());
            Assert.IsFalse(tail.IsCompleted, "the tail is still following: " + output);

            rx = await Rx.StartAsync(data, http, 0);
            Assert.AreEqual(IngestStatus.Stored, rx.App.Services.GetRequiredService<IngestPipeline>()
                .Process(FrameCodec.Encode(SampleFrames.Alert("fob-0008", 1), Key), "fob-0008", IngestPath.Sms).Status);
            Assert.AreEqual(0, await tail, output.ToString());
            StringAssert.Contains(output.ToString(), "receiver back at");
            StringAssert.Contains(output.ToString(), "NEW    #1 fob-0008 panic");
            await rx.DisposeAsync();
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }

    private sealed class SynchronizedStringWriter : StringWriter
    {
        public override void WriteLine(string? value)
        {
            lock (this) base.WriteLine(value);
        }

        public override string ToString()
        {
            lock (this) return base.ToString();
        }
    }
}
