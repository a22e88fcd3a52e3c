using PanicDevice.Bench.Engines;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PanicDevice.Cli;
using PanicDevice.Core.Config;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Protocol;
using PanicDevice.Host;
using PanicDevice.Receiver;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Tests.Receiver;
using PanicDevice.Tests.Support;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Cli;

/// <summary>
/// Provisioning an id that exists (issue 14, item 1): refused unless re-keying is asked for explicitly, because the new key
/// silences the device that has the id; a re-key is recorded and shown to operators.
/// </summary>
[TestClass]
public class ReprovisionTests
{
    private const string Token = "operator-token-for-reprovisioning";

    [TestMethod]
    public async Task ProvisioningAnExistingIdIsRefusedAndTheFobThatHasItStillReachesHelp()
    {
        await using var rx = await Rx.StartAsync();
        string first = rx.File("first.json"), second = rx.File("second.json");
        Assert.AreEqual(0, await ProvisionCommand.RunAsync(rx.Request("fob-0002", first), new StringWriter()));

        var output = new StringWriter();
        Assert.AreEqual(1, await ProvisionCommand.RunAsync(rx.Request("fob-0002", second), output), output.ToString());
        Expect.Contains("device fob-0002 exists", output.ToString());
        Expect.Contains("--rekey", output.ToString());
        Assert.IsFalse(File.Exists(second), "nothing written for a refused device");

        // The failure: the original fob's next press was refused at login and never reached the dashboard.
        DeviceConfig config = Read(first);
        var fob = new SimulatedDevice(config, _ => { });
        Assert.IsTrue(fob.RunUntil(() => fob.Session.IsConnected, TimeSpan.FromSeconds(10)), "the original fob logs in: " + fob.Session.LastError);
        for (int i = 0; i < 3; i++) fob.Tap(120, 150);
        Assert.IsTrue(fob.RunUntil(() => fob.Feedback.Contains(FeedbackEvent.Acknowledged), TimeSpan.FromSeconds(10)), "the original fob's alert is stored");

        Assert.AreEqual(0, (await rx.Api.GetFromJsonAsync<JsonElement>("/api/device-events")).GetArrayLength(), "a refused provisioning changes nothing");
    }

    [TestMethod]
    public async Task ARekeyReplacesTheKeyAndIsAnAuditedEventOperatorsSee()
    {
        await using var rx = await Rx.StartAsync();
        string first = rx.File("first.json"), second = rx.File("second.json");
        Assert.AreEqual(0, await ProvisionCommand.RunAsync(rx.Request("fob-0002", first), new StringWriter()));
        byte[] oldKey = Read(first).Key;

        var output = new StringWriter();
        Assert.AreEqual(0, await ProvisionCommand.RunAsync(rx.Request("fob-0002", second) with { Rekey = true, Operator = "Budi (night shift)" }, output), output.ToString());
        Expect.Contains("re-keyed fob-0002", output.ToString());
        byte[] newKey = Read(second).Key;
        Assert.IsFalse(Convert.ToHexString(oldKey) == Convert.ToHexString(newKey), "a fresh key");

        // The old key is refused from now on, the new one is accepted.
        var pipeline = rx.App.Services.GetRequiredService<IngestPipeline>();
        Assert.AreEqual(IngestStatus.Rejected, pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("fob-0002", 5), oldKey), "fob-0002", IngestPath.Mqtt).Status);
        Assert.AreEqual(IngestStatus.Stored, pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("fob-0002", 5), newKey), "fob-0002", IngestPath.Mqtt).Status);

        string events = await rx.Api.GetStringAsync("/api/device-events");
        var list = JsonDocument.Parse(events).RootElement;
        Assert.AreEqual(1, list.GetArrayLength(), events);
        Assert.AreEqual("fob-0002", list[0].GetProperty("deviceId").GetString());
        Assert.AreEqual("rekey", list[0].GetProperty("event").GetString());
        Assert.AreEqual("Budi (night shift)", list[0].GetProperty("by").GetString());
        foreach (byte[] key in new[] { oldKey, newKey })
        {
            Assert.IsFalse(events.Contains(Convert.ToHexString(key), StringComparison.OrdinalIgnoreCase), "no key in the audit trail");
        }
        Assert.AreEqual(1, (await rx.Api.GetFromJsonAsync<JsonElement>("/api/device-events?id=fob-0002")).GetArrayLength());
        Assert.AreEqual(0, (await rx.Api.GetFromJsonAsync<JsonElement>("/api/device-events?id=fob-0003")).GetArrayLength());
    }

    [TestMethod]
    public async Task ARekeyOfAnUnknownIdIsRefusedAndCreatesNothing()
    {
        await using var rx = await Rx.StartAsync();
        string path = rx.File("new.json");
        var output = new StringWriter();
        Assert.AreEqual(1, await ProvisionCommand.RunAsync(rx.Request("fob-0099", path) with { Rekey = true }, output), output.ToString());
        Expect.Contains("no device fob-0099 to re-key", output.ToString());
        Assert.IsFalse(File.Exists(path));
        Assert.AreEqual(0, (await rx.Api.GetFromJsonAsync<JsonElement>("/api/devices")).GetArrayLength());
        Assert.AreEqual(0, (await rx.Api.GetFromJsonAsync<JsonElement>("/api/device-events")).GetArrayLength());
    }

    [TestMethod]
    public async Task TheApiAnswersConflictForAnExistingIdAndKeepsItsKey()
    {
        await using var rx = await Rx.StartAsync();
        byte[] a = SampleFrames.RandomKey(0x41), b = SampleFrames.RandomKey(0x42);
        Assert.AreEqual(System.Net.HttpStatusCode.Created, (await rx.Api.PostAsJsonAsync("/api/devices", new { id = "wall-1", key = Convert.ToHexString(a), kind = "wall", lat = -6.2, lon = 106.8 })).StatusCode);
        var again = await rx.Api.PostAsJsonAsync("/api/devices", new { id = "wall-1", key = Convert.ToHexString(b), kind = "wall", lat = -6.2, lon = 106.8 });
        Assert.AreEqual(System.Net.HttpStatusCode.Conflict, again.StatusCode);
        string body = await again.Content.ReadAsStringAsync();
        Expect.Contains("rekey", body);
        Assert.IsFalse(body.Contains(Convert.ToHexString(b), StringComparison.OrdinalIgnoreCase), "the refused key is not echoed");

        var pipeline = rx.App.Services.GetRequiredService<IngestPipeline>();
        Assert.AreEqual(IngestStatus.Stored, pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("wall-1", 1), a), "wall-1", IngestPath.Mqtt).Status, "the first key still works");
        Assert.AreEqual(IngestStatus.Rejected, pipeline.Process(FrameCodec.Encode(SampleFrames.Alert("wall-1", 2), b), "wall-1", IngestPath.Mqtt).Status);
    }

    private static DeviceConfig Read(string path)
    {
        DeviceConfigResult r = DeviceConfigReader.Read(File.ReadAllText(path));
        Assert.IsNull(r.Error, r.Error);
        return r.Config;
    }

    private sealed class Rx : IAsyncDisposable
    {
        private readonly string dir = Path.Combine(Path.GetTempPath(), "pd-rekey-" + Guid.NewGuid().ToString("N"));
        private int mqtt;
        private string url = "";
        public WebApplication App { get; private set; } = null!;
        public HttpClient Api { get; private set; } = null!;

        public static async Task<Rx> StartAsync()
        {
            var r = new Rx();
            Directory.CreateDirectory(r.dir);
            r.mqtt = LoopbackPorts.Free();
            r.App = ReceiverApp.Build(new[] { "--urls", "http://127.0.0.1:0", "--mqtt-port", r.mqtt.ToString(), "--data", Path.Combine(r.dir, "data"), "--operator-token", Token,
                "--Logging:LogLevel:Default", "Warning" });
            await r.App.StartAsync();
            r.url = r.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            r.Api = new HttpClient { BaseAddress = new Uri(r.url) };
            r.Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            return r;
        }

        public string File(string name) => Path.Combine(dir, name);

        public ProvisionRequest Request(string id, string outPath) => new(id, "fob", "Siti Rahma", "+6281234567890", new[] { "+6281200000001" }, null, null, null,
            url, Token, "127.0.0.1", mqtt, "internet", "en", "+6281299999999", outPath);

        public async ValueTask DisposeAsync()
        {
            Api.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}
